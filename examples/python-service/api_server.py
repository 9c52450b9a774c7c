"""An API (FastAPI on uvicorn) that accepts requests carrying a Bearer token issued by the auth
server, verified against its JWKS URL with caching, through `authjwt.fastapi`.

    pip install 'authjwt[fastapi]' uvicorn
    JWKS_URL=http://127.0.0.1:3000/api/auth/jwks ISSUER=http://127.0.0.1:3000 AUDIENCE=http://127.0.0.1:3000 \
        [JWKS_COOLDOWN=30] python api_server.py [port]

GET /api/me   -> 200 {"sub": ..., "claims": {...}}, or RFC 6750: 401 + WWW-Authenticate
                 (no token, or a bad, expired or foreign one), 400 (malformed header), 503 (JWKS down)
GET /health   -> 200 {"status": "ok"}
GET /docs     -> the OpenAPI page, with the Bearer lock on /api/me
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Dict

import uvicorn
from fastapi import Depends, FastAPI

from authjwt import AsyncRemoteKeySet
from authjwt.fastapi import Claims, JwtBearer

JWKS_URL = os.environ.get("JWKS_URL", "http://127.0.0.1:3000/api/auth/jwks")

# `JwtBearer(jwks_url=...)` alone shares one key set per URL in the process. Here the key set is
# built by hand only to set the cooldown between two refetches caused by an unknown kid (the demo
# shortens it to show a rotation at once; 30 s protects the auth server from made-up kids).
keys = AsyncRemoteKeySet(JWKS_URL, cooldown=float(os.environ.get("JWKS_COOLDOWN", "30")))
require_jwt = JwtBearer(
    key_set=keys, issuer=os.environ.get("ISSUER") or None, audience=os.environ.get("AUDIENCE") or None, realm="api"
)

app = FastAPI(title="python-service")


@app.get("/api/me")
async def me(claims: Claims = Depends(require_jwt)) -> Dict[str, object]:
    return {"sub": claims.get("sub"), "claims": claims}


@app.get("/health")
async def health() -> Dict[str, str]:
    return {"status": "ok"}


def serve(port: int) -> None:
    # Listen first so the port (0: any free one) can be reported before uvicorn starts.
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    print(f"python api listening on http://127.0.0.1:{sock.getsockname()[1]} (JWKS {JWKS_URL})", flush=True)
    quiet = os.environ.get("QUIET") == "1"
    config = uvicorn.Config(app, log_level="warning" if quiet else "info", access_log=not quiet)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
