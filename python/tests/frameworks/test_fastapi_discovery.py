"""authjwt.fastapi with ``issuer_url``: the key set is discovered (OIDC metadata on 127.0.0.1)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator

import pytest
from fastapi import FastAPI, Security
from fastapi.testclient import TestClient

from authjwt.fastapi import Claims, JwtBearer
from conftest import make_issuer

AUDIENCE = "api"


class IdentityProvider:
    """Metadata at ``/.well-known/openid-configuration``, keys at ``/jwks``; ``/wrong`` publishes
    metadata naming another issuer. Counts requests per path."""

    def __init__(self) -> None:
        self.counts: Dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer.counts[self.path] = outer.counts.get(self.path, 0) + 1
                routes: Dict[str, Any] = {
                    "/.well-known/openid-configuration": {"issuer": outer.url, "jwks_uri": f"{outer.url}/jwks"},
                    "/wrong/.well-known/openid-configuration": {
                        "issuer": "https://other.example",
                        "jwks_uri": f"{outer.url}/jwks",
                    },
                    "/jwks": outer.signer.jwks(),
                }
                if self.path not in routes:
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                body = json.dumps(routes[self.path]).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.signer = make_issuer(issuer=self.url, audience=AUDIENCE)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def idp() -> Iterator[IdentityProvider]:
    server = IdentityProvider()
    yield server
    server.close()


def create_app(idp: IdentityProvider) -> FastAPI:
    require_jwt = JwtBearer(issuer_url=idp.url, audience=AUDIENCE)
    wrong_jwt = JwtBearer(issuer_url=f"{idp.url}/wrong", audience=AUDIENCE)
    app = FastAPI()

    @app.get("/me")
    async def me(claims: Claims = Security(require_jwt)) -> Dict[str, object]:
        return {"sub": claims["sub"]}

    @app.get("/wrong")
    async def wrong(claims: Claims = Security(wrong_jwt)) -> Dict[str, object]:
        return {"sub": claims["sub"]}

    return app


def test_issuer_url_discovers_once_and_verifies(idp: IdentityProvider) -> None:
    token = idp.signer.sign({"sub": "user-9"})
    with TestClient(create_app(idp)) as client:
        for _ in range(5):
            response = client.get("/me", headers={"authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
            assert response.json() == {"sub": "user-9"}
    assert idp.counts["/.well-known/openid-configuration"] == 1
    assert idp.counts["/jwks"] == 1


def test_issuer_defaults_to_issuer_url(idp: IdentityProvider) -> None:
    # The IdP's own keys, but a token naming another issuer: only the issuer check refuses it.
    other = make_issuer(issuer="https://not-the-idp.example", audience=AUDIENCE)
    idp.signer = other
    with TestClient(create_app(idp)) as client:
        response = client.get("/me", headers={"authorization": f"Bearer {other.sign({'sub': 'x'})}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_metadata_of_another_issuer_is_503(idp: IdentityProvider) -> None:
    token = idp.signer.sign({"sub": "user-9"})
    with TestClient(create_app(idp)) as client:
        response = client.get("/wrong", headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 503, response.text
        client.get("/wrong", headers={"authorization": f"Bearer {token}"})
    assert "/jwks" not in idp.counts
    # A failed discovery is not kept: the second request asked again.
    assert idp.counts["/wrong/.well-known/openid-configuration"] == 2
