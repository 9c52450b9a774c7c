"""Python verifier: every token of the given files against the PUBLISHED JWKS of its group.

    python verify.py '{"files": [{"file": ..., "jwksUrl": ...}], "issuer": ..., "audience": ...}'

Each token is verified with `RemoteKeySet` at its `iat` and one second before its `exp`, so it
counts as verified when it verifies over its whole life, even if it has expired since.
stdout: one JSON line {"checked", "verified", "failed", "errors": {code: count}}.
"""

from __future__ import annotations

import json
import sys
from typing import Dict, List

from authjwt import RemoteKeySet, decode_jwt


def complete_tokens(path: str) -> List[str]:
    """The complete lines of a token file (a SIGKILLed writer may leave a partial last line)."""
    with open(path, encoding="ascii") as f:
        lines = f.read().split("\n")
    return lines[:-1]


def main() -> int:
    cfg = json.loads(sys.argv[1])
    sets: Dict[str, RemoteKeySet] = {}
    checked = verified = failed = 0
    errors: Dict[str, int] = {}
    for entry in cfg["files"]:
        url = entry["jwksUrl"]
        key_set = sets.setdefault(url, RemoteKeySet(url))
        for token in complete_tokens(entry["file"]):
            checked += 1
            try:
                # Only the times are read unverified, to choose "now"; verify() checks everything.
                claims = decode_jwt(token)
                for now in (claims["iat"], claims["exp"] - 1):
                    key_set.verify(token, issuer=cfg["issuer"], audience=cfg["audience"], now=now)
                verified += 1
            except Exception as err:  # noqa: BLE001 - every failure is counted, none may pass
                failed += 1
                code = getattr(err, "code", type(err).__name__)
                errors[code] = errors.get(code, 0) + 1
    print(json.dumps({"checked": checked, "verified": verified, "failed": failed, "errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
