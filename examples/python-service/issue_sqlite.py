"""Issue tokens from a sync backend (Django/Flask style) with keys in SQLite.

    AUTHJWT_SECRET=... python issue_sqlite.py [path/to/auth.db]

Prints one line per step; exits non-zero if any check fails.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile

from authjwt import Issuer, KeySet, verify_jwt

from sqlite_store import SqliteKeyStore


def main() -> int:
    db_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.mkdtemp(), "auth.db")
    secret = os.environ.get("AUTHJWT_SECRET", "change me: a long random secret from your vault")
    store = SqliteKeyStore(db_path)
    issuer = Issuer(
        store=store,
        secret=secret,
        issuer="https://auth.example.com",
        audience="api",
        expiration_time="15m",
        rotation_interval=30 * 86400,
    )

    user = {"id": "user-123", "email": "ada@example.com", "name": "Ada"}
    token = issuer.sign_session(user, {"id": "session-1"})
    print(f"issued token for {user['id']} ({len(token)} bytes)")

    jwks = issuer.jwks()  # serve this at /api/auth/jwks
    print(f"published JWKS with {len(jwks['keys'])} key(s): kid={jwks['keys'][0]['kid']}")

    claims = verify_jwt(token, KeySet.from_jwks(jwks), issuer="https://auth.example.com", audience="api").payload
    assert claims["sub"] == user["id"], claims
    print(f"verified: sub={claims['sub']} email={claims['email']}")

    # A second issuer on the same database (another worker process) signs with the same key.
    again = Issuer(store=SqliteKeyStore(db_path), secret=secret, issuer="https://auth.example.com")
    kid_again = again.verify(again.sign({"sub": "x"})).header["kid"]
    assert kid_again == jwks["keys"][0]["kid"]
    print("second worker reused the stored key")

    sealed = sqlite3.connect(db_path).execute("SELECT privateKey FROM jwks").fetchone()[0]
    assert '"d"' not in sealed
    print(f"private key at rest is sealed: {sealed[:48]}...")
    store.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
