"""RemoteKeySet and AsyncRemoteKeySet against a JWKS served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List

import pytest

import authjwt
from authjwt import AsyncRemoteKeySet, RemoteKeySet, verify_jwt

from conftest import JwksServer, make_issuer


def test_remote_key_set_verifies_and_caches(jwks_server: JwksServer) -> None:
    issuer = make_issuer()
    token = issuer.sign({"sub": "u"})
    jwks_server.document = issuer.jwks()
    events: List[Dict[str, Any]] = []
    remote = RemoteKeySet(jwks_server.url, on_event=events.append)
    assert remote.url == jwks_server.url
    for _ in range(20):
        assert remote.verify(token, audience="api").payload["sub"] == "u"
        assert verify_jwt(token, remote, issuer="https://auth.example.com").payload["sub"] == "u"
    assert jwks_server.requests == 1
    assert any(e["type"] == "jwks.fetched" for e in events)


def test_remote_unknown_kid_refetches_once_per_cooldown(jwks_server: JwksServer) -> None:
    issuer = make_issuer()
    jwks_server.document = issuer.jwks()
    remote = RemoteKeySet(jwks_server.url, cooldown=0.5)
    remote.verify(issuer.sign({}))
    time.sleep(0.6)  # past the cooldown that follows a fetch
    issuer.rotate()
    new_token = issuer.sign({})
    jwks_server.document = issuer.jwks()
    assert remote.verify(new_token).header["kid"] == authjwt.decode_header(new_token)["kid"]
    assert jwks_server.requests == 2
    forged_kid = make_issuer().sign({})
    for _ in range(50):
        with pytest.raises(authjwt.JWKSNoMatchingKey):
            remote.verify(forged_kid)
    assert jwks_server.requests <= 3


def test_remote_timeout_is_jwks_timeout(jwks_server: JwksServer) -> None:
    jwks_server.delay = 1.0
    remote = RemoteKeySet(jwks_server.url, timeout=0.2)
    with pytest.raises(authjwt.JWKSTimeout) as info:
        remote.verify(make_issuer().sign({}))
    assert info.value.code == "ERR_JWKS_TIMEOUT"


def test_remote_malformed_body_is_jwks_invalid(jwks_server: JwksServer) -> None:
    jwks_server.document = b"{not json"
    with pytest.raises(authjwt.JWKSInvalid):
        RemoteKeySet(jwks_server.url).verify(make_issuer().sign({}))


def test_remote_requires_https_except_loopback() -> None:
    with pytest.raises(authjwt.InvalidConfig):
        RemoteKeySet("http://auth.example.com/jwks")
    RemoteKeySet("https://auth.example.com/jwks")


def test_remote_reload_returns_key_count(jwks_server: JwksServer) -> None:
    issuer = make_issuer()
    issuer.sign({})
    issuer.rotate()
    jwks_server.document = issuer.jwks()
    assert RemoteKeySet(jwks_server.url).reload() == 2


@pytest.mark.asyncio
async def test_async_remote_key_set_does_not_block_the_loop(jwks_server: JwksServer) -> None:
    issuer = make_issuer()
    token = issuer.sign({"sub": "u"})
    jwks_server.document = issuer.jwks()
    jwks_server.delay = 0.3
    remote = AsyncRemoteKeySet(jwks_server.url)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        for _ in range(20):
            ticks += 1
            await asyncio.sleep(0.01)

    tick_task = asyncio.create_task(ticker())
    results = await asyncio.gather(*(remote.verify(token) for _ in range(50)))
    await tick_task
    assert all(r.payload["sub"] == "u" for r in results)
    assert jwks_server.requests == 1, "one fetch in flight for 50 waiting callers"
    assert ticks >= 20
    assert await remote.reload() == 1


def test_verify_jwt_refuses_async_remote_with_hint(jwks_server: JwksServer) -> None:
    with pytest.raises(TypeError, match="await"):
        verify_jwt("a.b.c", AsyncRemoteKeySet(jwks_server.url))  # type: ignore[arg-type]
