"""The FastAPI app of the framework tests (routes: see framework_cases.py)."""

from __future__ import annotations

import os
from typing import Dict, Optional

from fastapi import Depends, FastAPI, Security

from authjwt.fastapi import Claims, JwtBearer

ISSUER, AUDIENCE, REALM = "https://auth.example.com", "api", "test"


def create_app(jwks_url: str, down_url: str) -> FastAPI:
    require_jwt = JwtBearer(jwks_url=jwks_url, issuer=ISSUER, audience=AUDIENCE, realm=REALM)
    maybe_jwt = JwtBearer(jwks_url=jwks_url, issuer=ISSUER, audience=AUDIENCE, realm=REALM, optional=True)
    down_jwt = JwtBearer(jwks_url=down_url, issuer=ISSUER, audience=AUDIENCE, realm=REALM)
    app = FastAPI()

    @app.get("/api/me")
    async def me(claims: Claims = Depends(require_jwt)) -> Dict[str, object]:
        return {"sub": claims["sub"]}

    @app.get("/api/admin")
    async def admin(claims: Claims = Security(require_jwt, scopes=["admin"])) -> Dict[str, object]:
        return {"sub": claims["sub"]}

    @app.get("/api/optional")
    async def optional(claims: Optional[Claims] = Depends(maybe_jwt)) -> Dict[str, object]:
        return {"sub": claims["sub"] if claims else None}

    @app.get("/down/me")
    async def down(claims: Claims = Depends(down_jwt)) -> Dict[str, object]:
        return {"sub": claims["sub"]}

    return app


def app_from_env() -> FastAPI:
    return create_app(os.environ["JWKS_URL"], os.environ["DOWN_JWKS_URL"])
