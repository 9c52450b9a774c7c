"""examples/stores/pg_store.py's optional update_jwk against a real PostgreSQL: rotate() retires the
old key (its expiresAt becomes the switch time) and revoke(kid) takes a key out of the JWKS at once,
for this issuer and for another one on its own connection (another process). Run by
scripts/suites/70-postgres-multiprocess.sh with PGHOST/PGPORT pointing at its throwaway cluster;
exits non-zero on the first failed check.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import sys

import psycopg

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "stores"))

from authjwt import Issuer, JWKSNoMatchingKey, decode_header  # noqa: E402
from pg_store import PgKeyStore  # noqa: E402

from pg_database import throwaway_database  # noqa: E402

SECRET = "store-update-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def kid_of_next_token(issuer: Issuer) -> str:
    return decode_header(issuer.sign({"sub": "u"}))["kid"]


def published(issuer: Issuer) -> set:
    return {k["kid"] for k in issuer.jwks()["keys"]}


def main() -> int:
    with throwaway_database("store_update") as conninfo:
        # Not exactly_one: that mode refuses a manual rotate() while a live key covers its window.
        stores = [PgKeyStore(conninfo), PgKeyStore(conninfo)]
        try:
            check(conninfo, *stores)
        finally:
            for s in stores:
                s.close()
    print("store_update: ok")
    return 0


def check(conninfo: str, store_a: PgKeyStore, store_b: PgKeyStore) -> None:
    """Two issuers, each on its own connection (as two processes), over one empty table."""
    with psycopg.connect(conninfo, autocommit=True) as conn:

        def expires_at(kid: str) -> "dt.datetime | None":
            return conn.execute('SELECT "expiresAt" FROM jwks WHERE id = %s', (kid,)).fetchone()[0]

        a = Issuer(store=store_a, secret=SECRET, key_cache_ttl=0)
        b = Issuer(store=store_b, secret=SECRET, key_cache_ttl=0)
        first = kid_of_next_token(a)
        assert expires_at(first) is None
        before = dt.datetime.now(dt.timezone.utc)
        second = a.rotate().id
        assert kid_of_next_token(a) == second
        assert kid_of_next_token(b) == second, "the other issuer signs with the new key too"
        retired = expires_at(first)
        assert retired is not None and before - dt.timedelta(seconds=5) <= retired, retired
        assert published(b) == {first, second}, "the retired key stays for the grace period"
        a.revoke(second)
        assert expires_at(second) == EPOCH
        assert second not in published(a) and second not in published(b)
        third = kid_of_next_token(b)
        assert third not in (first, second), third
        assert kid_of_next_token(a) == third
        try:
            a.revoke("no-such-kid")
        except JWKSNoMatchingKey:
            pass
        else:
            raise AssertionError("an unknown kid was revoked")


if __name__ == "__main__":
    sys.exit(main())
