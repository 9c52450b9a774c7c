"""A key store on Better Auth's `jwks` table in PostgreSQL, for authjwt's `Issuer` (psycopg 3).

    from authjwt import Issuer
    from pg_store import PgKeyStore
    store = PgKeyStore(os.environ["DATABASE_URL"], exactly_one=True, shared_with_better_auth=True)
    issuer = Issuer(store=store, secret=os.environ["BETTER_AUTH_SECRET"],
                    private_key_format="better-auth", rotation_interval=30 * 86400)

A Better Auth server on the same table opens only rows sealed in its own format with its own
secret: give the Issuer `private_key_format="better-auth"` and Better Auth's secret. A row sealed in
authjwt's own formats (`authjwt-v2`, the default, or `authjwt-v1`) would make Better Auth's /token
answer 500, so `create_jwk` refuses one (KeyFormatError) instead of storing it:
- by default, when the table already holds a row in Better Auth's format (its `privateKey` is
  Better Auth's sealed string or a plain JWK): a Better Auth server writes here;
- always, with `shared_with_better_auth=True` (also on an empty table);
- never, with `allow_mixed_formats=True`, for a table no Better Auth server reads although it holds
  rows of both formats (authjwt opens every format).

Copy this file into your project (`pip install "psycopg[binary]"`). The table is in ./schema.sql.

Two ways to create keys when several processes share the table:
- plain (default): `create_jwk` inserts. Each process creates a window's key only when it sees
  none (and one at a time), so at most ONE KEY PER PROCESS per rotation window.
- `exactly_one=True`: `create_jwk` takes a transaction-scoped advisory lock and refuses (raises
  `KeyExistsError`) when a live key of the same `alg` already covers the new key's window (the
  current key, stored before the next one is prepared ahead, does not). authjwt then reads the
  table again and signs with that key, so EXACTLY ONE key is created per rotation window across all
  processes. The price: `issuer.rotate()` is refused while a live key exists (let
  `rotation_interval` rotate, or rotate through a plain store on the same table).
"""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, List

import psycopg
from psycopg.rows import dict_row

from authjwt import JwkRow

_COLUMNS = 'id, "publicKey", "privateKey", "createdAt", "expiresAt", alg, crv'
_INSERT = f"INSERT INTO jwks ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
_UPDATE_EXPIRES_AT = 'UPDATE jwks SET "expiresAt" = %s WHERE id = %s'
# One lock for the whole table: key creation is rare, so finer locks would gain nothing.
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('authjwt:jwks', 0))"
# A row of this alg that covers the proposed row's window: live past the middle of its lifetime
# (or at its creation, when it has no expiresAt). A key stored ahead of rotation (rotation_lead)
# is not refused because of the current key, which expires before that middle; a second process
# proposing the same window is. Rows without `alg` are not counted: they may be another
# algorithm's, and counting them could block creation for good.
_LIVE_KEY = (
    'SELECT id FROM jwks WHERE alg = %s AND ("expiresAt" IS NULL OR "expiresAt" > %s) LIMIT 1'
)


# Whether any row is in Better Auth's format: a Better Auth server writes this table.
_PRIVATE_KEYS = 'SELECT id, "privateKey" FROM jwks'


def _window_middle(row: JwkRow) -> Any:
    """The instant a live row must outlive to cover the window of `row` (see _LIVE_KEY)."""
    if row.expires_at is None:
        return row.created_at
    return row.created_at + (row.expires_at - row.created_at) / 2


class KeyExistsError(Exception):
    """`create_jwk` refused a key because another process stored a live one; authjwt adopts it."""

    def __init__(self, kid: str) -> None:
        super().__init__(f"a live signing key ({kid}) was created by another process; not creating another")
        self.kid = kid


class KeyFormatError(Exception):
    """`create_jwk` refused a row that a Better Auth server on the same table could not open."""

    def __init__(self, reason: str) -> None:
        # `reason`: why the table counts as Better Auth's (the option, or the row found in it).
        super().__init__(
            "refusing to store a private key sealed in authjwt's own format in a jwks table shared with "
            f"Better Auth ({reason}): Better Auth could not open it and its /token and /get-session would "
            'answer 500. Give the Issuer private_key_format="better-auth" and Better Auth\'s secret '
            "(BETTER_AUTH_SECRET or its secrets); if no Better Auth server reads this table, pass "
            "allow_mixed_formats=True to the store."
        )


def _better_auth_can_open(private_key: str) -> bool:
    """Whether the column is Better Auth's sealed string literal or a plain private JWK."""
    try:
        value = json.loads(private_key)
    except ValueError:
        return False
    return isinstance(value, str) or (isinstance(value, dict) and isinstance(value.get("kty"), str))


class PgKeyStore:
    """Better Auth's storage contract (`get_jwks`, `create_jwk`, and the optional `update_jwk`) over one
    psycopg connection."""

    def __init__(
        self,
        conninfo: str,
        *,
        exactly_one: bool = False,
        shared_with_better_auth: bool = False,
        allow_mixed_formats: bool = False,
    ) -> None:
        if shared_with_better_auth and allow_mixed_formats:
            raise ValueError(
                "PgKeyStore: shared_with_better_auth and allow_mixed_formats contradict each other; pass one"
            )
        self._conninfo = conninfo
        self._exactly_one = exactly_one
        # A Better Auth server reads this table: refuse rows it cannot open.
        self._shared_with_better_auth = shared_with_better_auth
        # No Better Auth server reads this table: store any format next to Better Auth's rows.
        self._allow_mixed_formats = allow_mixed_formats
        # authjwt may call the store from a worker thread (background key refresh): one
        # connection, used by one caller at a time, reopened if the server dropped it.
        self._lock = threading.Lock()
        self._conn: "psycopg.Connection[Dict[str, Any]] | None" = None

    def get_jwks(self) -> List[Dict[str, Any]]:
        """Every row, with Better Auth's camelCase columns; `timestamptz` reads as aware datetime."""
        with self._lock:
            return self._connection().execute(f"SELECT {_COLUMNS} FROM jwks").fetchall()

    def create_jwk(self, row: JwkRow) -> JwkRow:
        """Stores `row` as proposed and returns it; with `exactly_one`, may raise KeyExistsError."""
        must_check_table = not self._allow_mixed_formats and not _better_auth_can_open(row.private_key)
        if must_check_table and self._shared_with_better_auth:
            raise KeyFormatError("shared_with_better_auth")
        values = (row.id, row.public_key, row.private_key, row.created_at, row.expires_at, row.alg, row.crv)
        with self._lock:
            conn = self._connection()
            # The transaction ends (and the advisory lock with it) when the block exits, either way.
            with conn.transaction():
                if self._exactly_one:
                    conn.execute(_LOCK)
                if must_check_table:
                    # Key creation is rare, so reading the column of every row costs nothing that matters.
                    for found in conn.execute(_PRIVATE_KEYS).fetchall():
                        if _better_auth_can_open(found["privateKey"]):
                            raise KeyFormatError(f"row {found['id']} is in Better Auth's format")
                if self._exactly_one:
                    # Read after the lock is held: READ COMMITTED gives this statement a snapshot
                    # that includes the row of whichever process held the lock before us.
                    live = conn.execute(_LIVE_KEY, (row.alg, _window_middle(row))).fetchone()
                    if live is not None:
                        raise KeyExistsError(live["id"])
                conn.execute(_INSERT, values)
        return row

    def update_jwk(self, id: str, update: Dict[str, Any]) -> None:
        """The optional callback: sets `expiresAt` (retiring a rotated-away key, `revoke`)."""
        with self._lock:
            updated = self._connection().execute(_UPDATE_EXPIRES_AT, (update["expires_at"], id)).rowcount
        if updated != 1:
            raise LookupError(f"update_jwk: no row with id {id}")

    def close(self) -> None:
        """Closes the connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self) -> "psycopg.Connection[Dict[str, Any]]":
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = psycopg.connect(self._conninfo, autocommit=True, row_factory=dict_row)
        return self._conn
