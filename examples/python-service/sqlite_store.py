"""A key store on Better Auth's `jwks` table in SQLite (standard library `sqlite3`).

Copy it into your project and point it at the database your Better Auth server (or your own
auth code) already uses; the columns are Better Auth's: id, publicKey, privateKey, createdAt,
expiresAt, alg, crv.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from typing import Any, Dict, List

from authjwt import JwkRow

SCHEMA = """
CREATE TABLE IF NOT EXISTS jwks (
  id TEXT PRIMARY KEY NOT NULL,
  publicKey TEXT NOT NULL,
  privateKey TEXT NOT NULL,
  createdAt DATE NOT NULL,
  expiresAt DATE,
  alg TEXT,
  crv TEXT
)
"""


class SqliteKeyStore:
    """`get_jwks()` / `create_jwk(row)` over the `jwks` table; dates as ISO-8601 text (UTC)."""

    def __init__(self, path: str) -> None:
        # authjwt may call the store from a worker thread (background key refresh): one shared
        # connection guarded by a lock.
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute(SCHEMA)

    def get_jwks(self) -> List[Dict[str, Any]]:
        with self._lock:
            cur = self._db.execute(
                "SELECT id, publicKey, privateKey, createdAt, expiresAt, alg, crv FROM jwks"
            )
            names = [c[0] for c in cur.description]
            rows = [dict(zip(names, values)) for values in cur.fetchall()]
        for row in rows:  # authjwt reads Better Auth's camelCase columns with aware datetimes
            row["createdAt"] = _parse(row["createdAt"])
            row["expiresAt"] = _parse(row["expiresAt"]) if row["expiresAt"] else None
        return rows

    def create_jwk(self, row: JwkRow) -> JwkRow:
        c = row.to_dict()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO jwks (id, publicKey, privateKey, createdAt, expiresAt, alg, crv)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    c["id"],
                    c["publicKey"],
                    c["privateKey"],
                    c["createdAt"].isoformat(),
                    c["expiresAt"].isoformat() if c["expiresAt"] else None,
                    c["alg"],
                    c["crv"],
                ),
            )
        return row

    def close(self) -> None:
        self._db.close()


def _parse(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
