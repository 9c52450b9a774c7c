"""authjwt.flask with Flask's test client and a real gunicorn on 127.0.0.1."""

from __future__ import annotations

from typing import Any, Mapping

import pytest
from flask import Flask

import flask_app
from authjwt.flask import AuthJwt, current_claims, jwt_required
from conftest import JwksServer
from framework_cases import BIN, Answer, Server, Tokens, check_table, concurrent_gets, dead_jwks_url, free_port, server_env


def test_test_client_answers_the_rfc_6750_table(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    client = flask_app.create_app(jwks_server.url, dead_jwks_url()).test_client()

    def send(path: str, headers: Mapping[str, str]) -> Answer:
        response = client.get(path, headers=dict(headers))
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.get_json())

    assert check_table(send, tokens) == 19


def test_errors_reach_the_apps_own_error_handlers(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    app = Flask(__name__)
    AuthJwt(app, jwks_url=jwks_server.url, audience="api")

    @app.get("/me")
    @jwt_required()
    def me() -> Any:
        return {"sub": current_claims()["sub"]}

    @app.errorhandler(401)
    def unauthorized(error: Any) -> Any:
        return {"mine": True}, 401, {"WWW-Authenticate": error.response.headers["WWW-Authenticate"]}

    response = app.test_client().get("/me", headers={"Authorization": f"Bearer {tokens.expired}"})
    assert (response.status_code, response.get_json()) == (401, {"mine": True})
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_current_claims_outside_a_protected_view_is_an_error() -> None:
    app = Flask(__name__)
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="jwt_required"):
        current_claims()


def test_unknown_options_are_refused() -> None:
    with pytest.raises(TypeError, match="audiance"):
        AuthJwt(audiance="api")


def test_gunicorn_shares_one_jwks_fetch_among_200_concurrent_requests(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    jwks_server.delay = 0.3
    port = free_port()
    server = Server(
        [str(BIN / "gunicorn"), "--no-control-socket", "--workers", "1", "--worker-class", "gthread", "--threads", "64", "--backlog", "512",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "flask_app:app_from_env()"],
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
