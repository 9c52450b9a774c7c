"""authjwt.starlette with Starlette's TestClient and a real uvicorn on 127.0.0.1."""

from __future__ import annotations

from typing import Mapping

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.authentication import requires
from starlette.testclient import TestClient

import starlette_app
from conftest import JwksServer
from framework_cases import BIN, Answer, Server, Tokens, check_table, concurrent_gets, dead_jwks_url, free_port, server_env
from authjwt.starlette import JwtBackend, on_auth_error


def test_test_client_answers_the_rfc_6750_table(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    with TestClient(starlette_app.create_app(jwks_server.url, dead_jwks_url())) as client:

        def send(path: str, headers: Mapping[str, str]) -> Answer:
            response = client.get(path, headers=dict(headers))
            return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.json())

        assert check_table(send, tokens) == 19


def test_request_auth_carries_the_token_scopes_for_starlettes_requires(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks

    @requires("admin")
    async def admin(request: Request) -> JSONResponse:
        return JSONResponse({"scopes": request.auth.scopes, "user": request.user.display_name})

    backend = JwtBackend(jwks_url=jwks_server.url, audience="api")
    app = Starlette(
        routes=[Route("/admin", admin)],
        middleware=[Middleware(AuthenticationMiddleware, backend=backend, on_error=on_auth_error)],
    )
    with TestClient(app) as client:
        ok = client.get("/admin", headers={"Authorization": f"Bearer {tokens.admin}"})
        assert (ok.status_code, ok.json()) == (200, {"scopes": ["authenticated", "read", "admin"], "user": "user-2"})
        assert client.get("/admin", headers={"Authorization": f"Bearer {tokens.valid}"}).status_code == 403


def test_uvicorn_shares_one_jwks_fetch_among_200_concurrent_requests(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    jwks_server.delay = 0.3
    port = free_port()
    server = Server(
        [str(BIN / "uvicorn"), "--factory", "starlette_app:app_from_env", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        port,
        server_env(jwks_server.url, dead_jwks_url()),
    )
    try:
        answers = concurrent_gets(server.send, tokens.valid)
        assert answers == [(200, {"sub": "user-1", "scopes": ["authenticated", "read"]})] * 200
        assert jwks_server.requests == 1
        jwks_server.delay = 0
        assert check_table(server.send, tokens) == 19
    finally:
        server.close()
