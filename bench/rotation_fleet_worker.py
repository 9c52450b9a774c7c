"""One Python worker of bench/rotation-fleet.mjs (run by it, never alone): ``instances`` authjwt
RemoteKeySets (warm caches that honour the served Cache-Control: cache_min_age from the config)
verifying a fresh token every ``tokenEveryMs`` until ``durationMs`` is over. The protocol is the
Node worker's (and tests/fleet's): config JSON as the last argument; prints {"ready": true},
waits for a ``go`` line on stdin, runs, prints one {"report": true, ...} line and exits 0."""

from __future__ import annotations

import base64
import json
import sys
import time
import urllib.request
from typing import Any, Dict, List

from authjwt import RemoteKeySet


def fetch_token(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return str(answer.read().decode())


def kid_of(token: str) -> str:
    header = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])


def main() -> None:
    config: Dict[str, Any] = json.loads(sys.argv[-1])
    sets = [
        RemoteKeySet(f"{config['jwksUrl']}?v={config['workerId']}-{i}", cache_min_age=config["cacheMinAgeS"])
        for i in range(config["instances"])
    ]

    def verify_all(token: str) -> List[BaseException | None]:
        out: List[BaseException | None] = []
        for keys in sets:
            try:
                keys.verify(token, issuer=config["issuer"], audience=config["audience"])
                out.append(None)
            except Exception as e:  # every failure is counted, by its code
                out.append(e)
        return out

    verify_all(fetch_token(config["tokenUrl"]))  # warm: one fetch per key set before the clock
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()

    verified = rejected = 0
    codes: Dict[str, int] = {}
    first_failures: List[Dict[str, Any]] = []
    end = time.monotonic() + config["durationMs"] / 1000
    while time.monotonic() < end:
        next_at = time.monotonic() + config["tokenEveryMs"] / 1000
        token = fetch_token(config["tokenUrl"])
        for error in verify_all(token):
            if error is None:
                verified += 1
                continue
            rejected += 1
            code = getattr(error, "code", None) or type(error).__name__
            codes[code] = codes.get(code, 0) + 1
            if len(first_failures) < 3:
                first_failures.append({"kid": kid_of(token), "code": code, "message": str(error)})
        time.sleep(max(0.0, next_at - time.monotonic()))

    report = {
        "report": True,
        "workerId": config["workerId"],
        "kind": config["kind"],
        "instances": config["instances"],
        "verified": verified,
        "rejected": rejected,
        "codes": codes,
        "firstFailures": first_failures,
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
