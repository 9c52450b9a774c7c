"""One Python issuer process: signs tokens in a loop with keys in PostgreSQL (examples/stores).

    python issuer.py '<json config>'   (see run.mjs for the fields)

One token a line in its own file; stdout: JSON lines {"failure": code} per failed sign, {"refused": kid}
per creation the advisory lock refused, and {"done": ...} at the end.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "stores"))

from authjwt import Issuer  # noqa: E402
from pg_store import KeyExistsError, PgKeyStore  # noqa: E402


def say(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


class ReportingStore(PgKeyStore):
    """Reports each creation the advisory lock refused (the issuer then adopts the other key)."""

    def create_jwk(self, row):  # type: ignore[no-untyped-def]
        try:
            return super().create_jwk(row)
        except KeyExistsError as err:
            say({"refused": err.kid})
            raise


def main() -> int:
    cfg = json.loads(sys.argv[1])
    store = ReportingStore(cfg["db"], exactly_one=cfg["store"] == "locked")
    issuer = Issuer(
        store=store,
        secret=cfg["secret"],
        rotation_interval=cfg["rotationInterval"],
        key_cache_ttl=cfg["keyCacheTtl"],
        issuer=cfg["issuer"],
        audience=cfg["audience"],
        # Better Auth's sealing format: the table holds both formats, and every process opens both.
        private_key_format="better-auth",
    )
    # Every process starts signing at the same moment, so the first key is a real race.
    time.sleep(max(0.0, cfg["startAt"] / 1000 - time.time()))
    end = (cfg["startAt"] + cfg["durationMs"]) / 1000
    issued = failures = 0
    with open(cfg["out"], "a", encoding="ascii", buffering=1) as out:
        while issued < cfg["maxTokens"] and time.time() < end:
            try:
                token = issuer.sign({"by": cfg["name"], "n": issued + failures})
                # One line a token, flushed at once: a SIGKILL leaves at most a partial last line.
                out.write(token + "\n")
                issued += 1
            except Exception as err:  # noqa: BLE001 - every failure is counted, none may pass
                failures += 1
                say({"failure": getattr(err, "code", type(err).__name__), "message": str(err)})
            time.sleep(cfg["pauseMs"] / 1000)
    say({"done": True, "issued": issued, "failures": failures})
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
