"""RemoteKeySet's HTTP caching through the Python API, against a real HTTP server on 127.0.0.1:
Cache-Control max-age within cache_min_age / cache_max_age_limit, ETag revalidation (304), and
stale-if-error reported through on_event."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import authjwt
from authjwt import AsyncRemoteKeySet, RemoteKeySet

from conftest import LoopbackHttpServer, make_issuer


class CachingServer(LoopbackHttpServer):
    """A JWKS with `ETag: "v1"` and `Cache-Control: max-age=1`; 304 to `If-None-Match: "v1"`;
    500 while `failing`."""

    path = "/jwks"

    def __init__(self, document: Dict[str, Any]) -> None:
        self.body = json.dumps(document).encode()
        self.failing = False
        self.if_none_match: List[Optional[str]] = []
        self.api_keys: List[Optional[str]] = []
        super().__init__()

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        self.if_none_match.append(request.headers.get("if-none-match"))
        self.api_keys.append(request.headers.get("x-api-key"))
        if self.failing:
            request.send_response(500)
            request.send_header("content-length", "0")
            request.end_headers()
            return
        revalidated = request.headers.get("if-none-match") == '"v1"'
        request.send_response(304 if revalidated else 200)
        request.send_header("etag", '"v1"')
        request.send_header("cache-control", "max-age=1")
        body = b"" if revalidated else self.body
        if not revalidated:
            request.send_header("content-type", "application/json")
            request.send_header("content-length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)


@pytest.fixture
def issuer() -> authjwt.Issuer:
    return make_issuer()


@pytest.fixture
def server(issuer: authjwt.Issuer) -> Iterator[CachingServer]:
    s = CachingServer(issuer.jwks())
    try:
        yield s
    finally:
        s.close()


def until(what: str, done: Callable[[], bool]) -> None:
    """Waits (bounded) for background work that has nothing to wait on."""
    for _ in range(500):
        if done():
            return
        time.sleep(0.01)
    pytest.fail(f"gave up waiting for {what}")


def test_max_age_stale_if_error_and_304_through_on_event(
    issuer: authjwt.Issuer, server: CachingServer
) -> None:
    events: List[Dict[str, Any]] = []
    remote = RemoteKeySet(
        server.url,
        cache_min_age=1,
        cache_max_age_limit=60,
        stale_if_error=timedelta(minutes=1),
        on_event=events.append,
    )
    token = issuer.sign({"sub": "u1"})
    assert remote.verify(token).payload["sub"] == "u1"
    assert server.if_none_match == [None]
    assert [e["type"] for e in events if e["type"].startswith("jwks.")] == ["jwks.fetched"]

    # The server's max-age=1 (not cache_max_age's 10 minutes) decides: 1.1 s on the set is stale.
    server.failing = True
    time.sleep(1.1)
    assert remote.verify(token).payload["sub"] == "u1", "the last good set still verifies"
    assert len(server.if_none_match) == 2
    stale = [e for e in events if e["type"] == "jwks.stale"]
    assert stale == [{"type": "jwks.stale", "url": server.url, "code": "ERR_JWKS_UNAVAILABLE"}]

    # Back up; past the first backoff (1 s) a verification revalidates in the background.
    server.failing = False
    time.sleep(1.1)
    assert remote.verify(token).payload["sub"] == "u1"
    until("the revalidation", lambda: any(e["type"] == "jwks.not_modified" for e in events))
    assert server.if_none_match[-1] == '"v1"'
    assert token not in json.dumps(events)


def test_stale_if_error_zero_fails_once_stale(
    issuer: authjwt.Issuer, server: CachingServer
) -> None:
    remote = RemoteKeySet(server.url, cache_min_age=1, stale_if_error=0)
    token = issuer.sign({})
    remote.verify(token)
    server.failing = True
    time.sleep(1.1)
    with pytest.raises(authjwt.JWKSUnavailable) as info:
        remote.verify(token)
    assert info.value.code == "ERR_JWKS_UNAVAILABLE"


@pytest.mark.asyncio
async def test_async_key_set_takes_the_same_options(
    issuer: authjwt.Issuer, server: CachingServer
) -> None:
    events: List[Dict[str, Any]] = []
    remote = AsyncRemoteKeySet(
        server.url,
        cache_min_age=timedelta(seconds=1),
        cache_max_age_limit=60,
        stale_if_error=60,
        on_event=events.append,
    )
    token = issuer.sign({"sub": "u2"})
    assert (await remote.verify(token)).payload["sub"] == "u2"
    server.failing = True
    await asyncio.sleep(1.1)
    assert (await remote.verify(token)).payload["sub"] == "u2"
    assert any(e["type"] == "jwks.stale" for e in events)


def test_bad_bounds_are_invalid_config(server: CachingServer) -> None:
    with pytest.raises(authjwt.InvalidConfig):
        RemoteKeySet(server.url, cache_min_age=120, cache_max_age_limit=60)
    with pytest.raises((TypeError, ValueError)):
        RemoteKeySet(server.url, stale_if_error=-1)


def test_headers_are_sent_and_allow_http_is_opt_in(
    issuer: authjwt.Issuer, server: CachingServer
) -> None:
    remote = RemoteKeySet(server.url, headers={"X-Api-Key": "k-123"})
    remote.verify(issuer.sign({}))
    assert server.api_keys == ["k-123"]
    with pytest.raises(authjwt.InvalidConfig):
        RemoteKeySet("http://jwks.cluster.test/jwks")
    RemoteKeySet("http://jwks.cluster.test/jwks", allow_http=True)
    with pytest.raises(authjwt.InvalidConfig) as info:
        RemoteKeySet(server.url, headers={"X-Token": "bad\nvalue-secret"})
    assert "secret" not in str(info.value)
    with pytest.raises(TypeError):
        RemoteKeySet(server.url, headers=["X-Api-Key"])


def test_jwks_etag_and_if_none_match_for_serving(issuer: authjwt.Issuer) -> None:
    body = json.dumps(issuer.jwks())
    tag = authjwt.jwks_etag(body)
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 45
    assert authjwt.jwks_etag(body) == tag
    assert authjwt.if_none_match(tag, tag)
    assert authjwt.if_none_match(f'"old", W/{tag}', tag)
    assert authjwt.if_none_match("*", tag)
    assert not authjwt.if_none_match('"old"', tag)
    assert not authjwt.if_none_match(None, tag)
    issuer.rotate()
    assert authjwt.jwks_etag(json.dumps(issuer.jwks())) != tag
