"""auth_challenge and missing_scopes: the core's RFC 6750 table, as the framework integrations use it;
a key server outage is its own error code."""

from __future__ import annotations

import http.server
import threading
from typing import Iterator

import pytest

import authjwt
from authjwt import RemoteKeySet, auth_challenge, missing_scopes


def test_answers_each_failure_as_rfc_6750_says() -> None:
    c = auth_challenge("missing_token", realm="api")
    assert (c.status, c.error, c.www_authenticate) == (401, None, 'Bearer realm="api"')
    assert auth_challenge("invalid_request").status == 400
    c = auth_challenge("ERR_JWT_EXPIRED", realm="api")
    assert c.status == 401
    assert c.www_authenticate == (
        'Bearer realm="api", error="invalid_token", error_description="the token has expired"'
    )
    c = auth_challenge("insufficient_scope", scope="read write")
    assert c.status == 403 and c.www_authenticate is not None
    assert c.www_authenticate.endswith('scope="read write"')
    assert auth_challenge("ERR_JWKS_UNAVAILABLE").status == 503
    assert auth_challenge("ERR_JWKS_TIMEOUT").www_authenticate is None
    assert auth_challenge("ERR_STORE").status == 500


def test_unknown_kind_is_invalid_config() -> None:
    with pytest.raises(authjwt.InvalidConfig):
        auth_challenge("expired")


def test_missing_scopes() -> None:
    assert missing_scopes({"scope": "read write"}, ["read", "admin"]) == ["admin"]
    assert missing_scopes({"scp": ["read", "admin"]}, ["admin"]) == []
    assert missing_scopes({}, ["read"]) == ["read"]


class _Down(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(503)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def down_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Down)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks"
    server.shutdown()
    server.server_close()


def test_key_server_outage_is_jwks_unavailable(down_server: str) -> None:
    keys = RemoteKeySet(down_server, timeout=5)
    with pytest.raises(authjwt.JWKSUnavailable) as info:
        keys.reload()
    assert info.value.code == "ERR_JWKS_UNAVAILABLE"
    assert "503" in str(info.value)
