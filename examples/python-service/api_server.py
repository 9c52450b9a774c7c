"""A small API (standard library http.server) that accepts requests carrying a Bearer token
issued by the auth server, verified against its JWKS URL with caching.

    JWKS_URL=http://127.0.0.1:3000/api/auth/jwks ISSUER=http://127.0.0.1:3000 AUDIENCE=http://127.0.0.1:3000 \
        [JWKS_COOLDOWN=30] python api_server.py [port]

GET /api/me   -> 200 {"sub": ..., "claims": {...}} or 401 {"error": "ERR_..."}
GET /health   -> 200 ok
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict

from authjwt import AuthJwtError, RemoteKeySet, extract_bearer_token

JWKS_URL = os.environ.get("JWKS_URL", "http://127.0.0.1:3000/api/auth/jwks")
ISSUER = os.environ.get("ISSUER") or None
AUDIENCE = os.environ.get("AUDIENCE") or None

# Seconds between two refetches caused by an unknown kid (the demo shortens it to show a rotation
# at once; 30 s protects the auth server from floods of made-up kids).
COOLDOWN = float(os.environ.get("JWKS_COOLDOWN", "30"))

# One RemoteKeySet per process: it caches the keys, refetches unknown kids at most once per
# cooldown, and is safe to share between threads.
keys = RemoteKeySet(JWKS_URL, cache_max_age=600, cooldown=COOLDOWN, timeout=5)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/health":
            return self.reply(200, {"status": "ok"})
        if self.path != "/api/me":
            return self.reply(404, {"error": "not found"})
        token = extract_bearer_token(self.headers.get("authorization"))
        if token is None:
            return self.reply(401, {"error": "missing bearer token"}, challenge=True)
        try:
            verified = keys.verify(token, issuer=ISSUER, audience=AUDIENCE)
        except AuthJwtError as e:
            return self.reply(401, {"error": e.code}, challenge=True)
        self.reply(200, {"sub": verified.payload.get("sub"), "claims": verified.payload})

    def reply(self, status: int, body: Dict[str, Any], challenge: bool = False) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        if challenge:
            self.send_header("www-authenticate", 'Bearer error="invalid_token"')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt: str, *args: Any) -> None:
        if os.environ.get("QUIET") != "1":
            super().log_message(fmt, *args)


def serve(port: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"python api listening on http://127.0.0.1:{server.server_address[1]} (JWKS {JWKS_URL})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
