"""Shared fixtures: a loopback JWKS server and small store implementations."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import authjwt

REPO_ROOT = Path(__file__).resolve().parents[2]

SIGNING_ALGS = ["EdDSA", "Ed25519", "ES256", "ES384", "ES512", "RS256", "PS256"]


def pytest_sessionstart(session: pytest.Session) -> None:
    # The tests exercise the installed wheel, never the source tree next to them.
    installed = Path(authjwt.__file__).resolve()
    if REPO_ROOT / "python" in installed.parents:
        raise pytest.UsageError(
            f"authjwt was imported from the source tree ({installed}); "
            "install the wheel into a virtualenv and run pytest from there"
        )


class LoopbackHttpServer:
    """A threaded HTTP server on 127.0.0.1 (ephemeral port) answering GET with `handle_get`."""

    path = "/"

    def __init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer.handle_get(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class JwksServer(LoopbackHttpServer):
    """Serves a JSON document at /api/auth/jwks on 127.0.0.1 (ephemeral port)."""

    path = "/api/auth/jwks"

    def __init__(self) -> None:
        self.document: Any = {"keys": []}
        self.requests = 0
        self.delay = 0.0
        self.status = 200
        super().__init__()

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        self.requests += 1
        if self.delay:
            time.sleep(self.delay)
        body = self.document if isinstance(self.document, bytes) else json.dumps(self.document).encode()
        request.send_response(self.status)
        request.send_header("content-type", "application/json")
        request.send_header("content-length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    server = JwksServer()
    try:
        yield server
    finally:
        server.close()


class CountingStore:
    """A sync store over a list that counts its calls."""

    def __init__(self) -> None:
        self.rows: List[authjwt.JwkRow] = []
        self.gets = 0
        self.creates = 0

    def get_jwks(self) -> List[authjwt.JwkRow]:
        self.gets += 1
        return list(self.rows)

    def create_jwk(self, row: authjwt.JwkRow) -> authjwt.JwkRow:
        self.creates += 1
        self.rows.append(row)
        return row


class AsyncCountingStore:
    """An async store over a list that counts its calls and yields to the loop in each."""

    def __init__(self) -> None:
        self.rows: List[authjwt.JwkRow] = []
        self.gets = 0
        self.creates = 0

    async def get_jwks(self) -> List[authjwt.JwkRow]:
        import asyncio

        self.gets += 1
        await asyncio.sleep(0)
        return list(self.rows)

    async def create_jwk(self, row: authjwt.JwkRow) -> authjwt.JwkRow:
        import asyncio

        self.creates += 1
        await asyncio.sleep(0.01)
        self.rows.append(row)
        return row


@pytest.fixture
def store() -> CountingStore:
    return CountingStore()


@pytest.fixture
def async_store() -> AsyncCountingStore:
    return AsyncCountingStore()


SECRET = "test secret that is long enough to be a real one"


def make_issuer(alg: str = "EdDSA", **kwargs: Any) -> authjwt.Issuer:
    kwargs.setdefault("secret", SECRET)
    kwargs.setdefault("issuer", "https://auth.example.com")
    kwargs.setdefault("audience", "api")
    return authjwt.Issuer(key_pair_config={"alg": alg}, **kwargs)
