"""The Starlette app of the framework tests: each route behind AuthenticationMiddleware with its
own backend (routes: see framework_cases.py)."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from authjwt.starlette import JwtBackend, JwtUser, on_auth_error

ISSUER, AUDIENCE, REALM = "https://auth.example.com", "api", "test"


async def whoami(request: Request) -> JSONResponse:
    user = request.user
    return JSONResponse({"sub": user.identity if isinstance(user, JwtUser) else None, "scopes": request.auth.scopes})


def guarded(path: str, backend: JwtBackend) -> Route:
    inner = Starlette(
        routes=[Route(path, whoami)],
        middleware=[Middleware(AuthenticationMiddleware, backend=backend, on_error=on_auth_error)],
    )
    return Route(path, inner)


def create_app(jwks_url: str, down_url: str) -> Starlette:
    options = dict(issuer=ISSUER, audience=AUDIENCE, realm=REALM)
    return Starlette(
        routes=[
            guarded("/api/me", JwtBackend(jwks_url=jwks_url, **options)),
            guarded("/api/admin", JwtBackend(jwks_url=jwks_url, required_scopes=["admin"], **options)),
            guarded("/api/optional", JwtBackend(jwks_url=jwks_url, optional=True, **options)),
            guarded("/down/me", JwtBackend(jwks_url=down_url, **options)),
        ]
    )


def app_from_env() -> Starlette:
    return create_app(os.environ["JWKS_URL"], os.environ["DOWN_JWKS_URL"])
