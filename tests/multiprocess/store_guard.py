"""examples/stores/pg_store.py against a real PostgreSQL: the guard against keys Better Auth cannot open.

A table that holds a row in Better Auth's format is a Better Auth server's table: the store refuses to
write a key in authjwt's own format there (KeyFormatError, which authjwt reports as ERR_STORE), unless
told the mix is intended (allow_mixed_formats=True). Run by scripts/suites/70-postgres-multiprocess.sh
with PGHOST/PGPORT pointing at its throwaway cluster; exits non-zero on the first failed check.
"""

from __future__ import annotations

import pathlib
import sys
from typing import Callable

import psycopg

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "stores"))

from authjwt import AuthJwtError, Issuer  # noqa: E402
from pg_store import KeyFormatError, PgKeyStore  # noqa: E402

from pg_database import throwaway_database  # noqa: E402

SECRET = "store-guard-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def refused(store: PgKeyStore, **issuer_options: object) -> KeyFormatError:
    """The KeyFormatError behind the Issuer's ERR_STORE when it creates a key through `store`."""
    try:
        Issuer(store=store, secret=SECRET, **issuer_options).rotate()
    except AuthJwtError as err:
        assert err.code == "ERR_STORE", err.code
        cause = err.__cause__
        assert isinstance(cause, KeyFormatError), repr(cause)
        return cause
    raise AssertionError("the key was written")


def main() -> int:
    stores: list[PgKeyStore] = []
    with throwaway_database("store_guard") as conninfo:

        def store(**options: bool) -> PgKeyStore:
            s = PgKeyStore(conninfo, **options)
            stores.append(s)
            return s

        try:
            check(conninfo, store)
        finally:
            for s in stores:
                s.close()
    print("store_guard: ok")
    return 0


def check(conninfo: str, store: Callable[..., PgKeyStore]) -> None:
    """Every check, on the empty table of `conninfo`."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        def count() -> int:
            return conn.execute("SELECT count(*) FROM jwks").fetchone()[0]

        # An empty table: authjwt's default format is written.
        Issuer(store=store(), secret=SECRET).rotate()
        assert count() == 1
        conn.execute("DELETE FROM jwks")
        # shared_with_better_auth refuses it even on an empty table.
        assert "shared_with_better_auth" in str(refused(store(shared_with_better_auth=True)))
        assert count() == 0
        # A Better Auth-format row (what a Better Auth server writes), then the default store.
        ba_row = Issuer(store=store(), secret=SECRET, private_key_format="better-auth").rotate()
        for exactly_one in (False, True):
            message = str(refused(store(exactly_one=exactly_one)))
            assert f"row {ba_row.id} is in Better Auth's format" in message, message
            assert 'private_key_format="better-auth"' in message, message
            assert "allow_mixed_formats=True" in message, message
            assert SECRET not in message
            assert count() == 1, "nothing was written"
        # Better Auth's format passes; the opt-out writes authjwt's format next to it.
        Issuer(store=store(), secret=SECRET, private_key_format="better-auth").rotate()
        mixed = Issuer(store=store(allow_mixed_formats=True), secret=SECRET)
        mixed.rotate()
        assert count() == 3
        assert isinstance(mixed.sign({"sub": "u"}), str)
        try:
            PgKeyStore(conninfo, shared_with_better_auth=True, allow_mixed_formats=True)
        except ValueError:
            pass
        else:
            raise AssertionError("contradicting options were accepted")


if __name__ == "__main__":
    sys.exit(main())
