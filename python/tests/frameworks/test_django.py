"""authjwt.django with Django's test client (Django REST framework views and plain views behind
the middleware) and a real gunicorn on 127.0.0.1."""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app")

import django  # noqa: E402

django.setup()

import pytest  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

import authjwt.django  # noqa: E402
from conftest import JwksServer  # noqa: E402
from framework_cases import (  # noqa: E402
    BIN,
    Answer,
    Server,
    Tokens,
    check_table,
    concurrent_gets,
    dead_jwks_url,
    free_port,
    server_env,
)


def settings_for(url: str) -> Dict[str, Any]:
    return {"JWKS_URL": url, "ISSUER": "https://auth.example.com", "AUDIENCE": "api", "REALM": "test"}


def table_through(prefix: str, jwks_server: JwksServer) -> int:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    client = Client()
    down = dead_jwks_url()

    def send(path: str, headers: Mapping[str, str]) -> Answer:
        url = settings_for(down if path.startswith("/down/") else jwks_server.url)
        with override_settings(AUTHJWT=url):
            response = client.get(prefix + path, headers=dict(headers))
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.json())

    return check_table(send, tokens)


def test_rest_framework_authentication_answers_the_rfc_6750_table(jwks_server: JwksServer) -> None:
    assert table_through("/drf", jwks_server) == 19


def test_middleware_answers_the_rfc_6750_table(jwks_server: JwksServer) -> None:
    assert table_through("/plain", jwks_server) == 19


def test_settings_are_checked() -> None:
    with override_settings(AUTHJWT={"JWKS_URL": "http://127.0.0.1:9/x", "AUDIANCE": "api"}):
        with pytest.raises(ImproperlyConfigured, match="AUDIANCE"):
            authjwt.django.guard()
    with override_settings(AUTHJWT={"AUDIENCE": "api"}):
        with pytest.raises(ImproperlyConfigured, match="jwks_url"):
            authjwt.django.guard()


def test_gunicorn_shares_one_jwks_fetch_among_200_concurrent_requests(jwks_server: JwksServer) -> None:
    tokens = Tokens()
    jwks_server.document = tokens.jwks
    jwks_server.delay = 0.3
    port = free_port()
    server = Server(
        [str(BIN / "gunicorn"), "--no-control-socket", "--workers", "1", "--worker-class", "gthread", "--threads", "64", "--backlog", "512",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "django_app:application"],
        port,
        {**server_env(jwks_server.url, dead_jwks_url()), "DJANGO_SETTINGS_MODULE": "django_app"},
    )
    try:
        for prefix in ("/drf", "/plain"):
            send = lambda path, headers: server.send(prefix + path, headers)  # noqa: E731
            answers = concurrent_gets(send, tokens.valid)
            assert {status for status, _ in answers} == {200}, prefix
            assert {body["sub"] for _, body in answers} == {"user-1"}, prefix
        assert jwks_server.requests == 1
    finally:
        server.close()
