"""authjwt.fastapi with FastAPI's TestClient and a real uvicorn on 127.0.0.1."""

from __future__ import annotations

from typing import Mapping

from fastapi.testclient import TestClient

import fastapi_app
from conftest import JwksServer
from framework_cases import BIN, Answer, Server, Tokens, check_table, concurrent_gets, dead_jwks_url, free_port, server_env


def test_test_client_answers_the_rfc_6750_table(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    with TestClient(fastapi_app.create_app(jwks_server.url, dead_jwks_url())) as client:

        def send(path: str, headers: Mapping[str, str]) -> Answer:
            response = client.get(path, headers=dict(headers))
            return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.json())

        assert check_table(send, tokens) == 19


def test_openapi_declares_the_bearer_scheme_so_docs_show_the_lock() -> None:
    app = fastapi_app.create_app(dead_jwks_url(), dead_jwks_url())
    schema = app.openapi()
    assert schema["components"]["securitySchemes"] == {"JwtBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    for path in ("/api/me", "/api/optional", "/down/me"):
        assert schema["paths"][path]["get"]["security"] == [{"JwtBearer": []}], path
    # OpenAPI 3.1 lists the roles (here: scopes) a non-OAuth scheme needs.
    assert schema["paths"]["/api/admin"]["get"]["security"] == [{"JwtBearer": ["admin"]}]
    with TestClient(app) as client:
        assert client.get("/docs").status_code == 200


def test_uvicorn_shares_one_jwks_fetch_among_200_concurrent_requests(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    jwks_server.delay = 0.3  # the fetch is still in flight while the other requests arrive
    port = free_port()
    server = Server(
        [str(BIN / "uvicorn"), "--factory", "fastapi_app:app_from_env", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        port,
        server_env(jwks_server.url, dead_jwks_url()),
    )
    try:
        assert concurrent_gets(server.send, tokens.valid) == [(200, {"sub": "user-1"})] * 200
        assert jwks_server.requests == 1
        jwks_server.delay = 0
        assert check_table(server.send, tokens) == 19
    finally:
        server.close()
