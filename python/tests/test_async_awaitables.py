"""The asyncio classes' methods are coroutines: asyncio.run, create_task, gather and wait_for
take them (asyncio.Futures made them fail: "no running event loop", "a coroutine was expected")."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, List

import pytest

import authjwt
from conftest import SECRET, AsyncCountingStore, JwksServer


def published(server: JwksServer, issuer: authjwt.Issuer) -> str:
    server.document = issuer.jwks()
    return issuer.sign({"sub": "u"})


def test_every_async_method_returns_a_coroutine(jwks_server: JwksServer) -> None:
    issuer = authjwt.AsyncIssuer(secret=SECRET)
    keys = authjwt.AsyncRemoteKeySet(jwks_server.url, timeout=2)
    made: List[Any] = [
        issuer.sign({}),
        issuer.sign_session({"id": "u"}, {}),
        issuer.jwks(),
        issuer.rotate(),
        issuer.verify("x"),
        keys.reload(),
        keys.verify("x"),
    ]
    try:
        assert all(inspect.iscoroutine(c) for c in made), made
    finally:
        for c in made:
            c.close()


def test_asyncio_run(jwks_server: JwksServer) -> None:
    token = published(jwks_server, authjwt.Issuer(secret=SECRET))
    keys = authjwt.AsyncRemoteKeySet(jwks_server.url, timeout=2)
    assert asyncio.run(keys.reload()) == 1
    assert asyncio.run(keys.verify(token)).payload["sub"] == "u"
    issuer = authjwt.AsyncIssuer(store=AsyncCountingStore(), secret=SECRET)
    signed = asyncio.run(issuer.sign({"sub": "v"}))
    assert asyncio.run(issuer.verify(signed)).payload["sub"] == "v"
    assert len(asyncio.run(issuer.jwks())["keys"]) == 1
    assert isinstance(asyncio.run(issuer.rotate()), authjwt.JwkRow)
    assert asyncio.run(issuer.sign_session({"id": "w"}, {})).count(".") == 2


def test_create_task(jwks_server: JwksServer) -> None:
    token = published(jwks_server, authjwt.Issuer(secret=SECRET))

    async def main() -> None:
        issuer = authjwt.AsyncIssuer(store=AsyncCountingStore(), secret=SECRET)
        keys = authjwt.AsyncRemoteKeySet(jwks_server.url, timeout=2)
        sign = asyncio.create_task(issuer.sign({"sub": "t"}))
        verify = asyncio.create_task(keys.verify(token))
        reload = asyncio.create_task(keys.reload())
        signed = await sign
        assert (await asyncio.create_task(issuer.verify(signed))).payload["sub"] == "t"
        assert (await verify).payload["sub"] == "u"
        assert await reload == 1

    asyncio.run(main())


def test_gather(jwks_server: JwksServer) -> None:
    token = published(jwks_server, authjwt.Issuer(secret=SECRET))

    issuer = authjwt.AsyncIssuer(store=AsyncCountingStore(), secret=SECRET)
    keys = authjwt.AsyncRemoteKeySet(jwks_server.url, timeout=2)
    # Made before any loop runs, awaited in one later (a Future could not be made there).
    signing = [issuer.sign({"n": i}) for i in range(50)]
    remote = keys.verify(token)

    async def main() -> None:
        tokens = await asyncio.gather(*signing)
        verified = await asyncio.gather(*(issuer.verify(t) for t in tokens), remote)
        assert [v.payload.get("n") for v in verified[:-1]] == list(range(50))
        assert verified[-1].payload["sub"] == "u"

    asyncio.run(main())


def test_wait_for_returns_and_times_out(jwks_server: JwksServer) -> None:
    token = published(jwks_server, authjwt.Issuer(secret=SECRET))

    class StuckStore(AsyncCountingStore):
        async def get_jwks(self) -> List[authjwt.JwkRow]:
            await asyncio.sleep(30)
            return []

    keys = authjwt.AsyncRemoteKeySet(jwks_server.url, timeout=2)
    issuer = authjwt.AsyncIssuer(store=AsyncCountingStore(), secret=SECRET)
    stuck = authjwt.AsyncIssuer(store=StuckStore(), secret=SECRET, store_timeout=60)
    # Made before any loop runs, awaited in one later.
    verifying, signing, never = keys.verify(token), issuer.sign({}), stuck.sign({})

    async def main() -> None:
        assert (await asyncio.wait_for(verifying, timeout=10)).payload["sub"] == "u"
        assert (await asyncio.wait_for(signing, timeout=10)).count(".") == 2
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(never, timeout=0.2)

    asyncio.run(main())


def test_the_public_classes_keep_their_names_and_native_checks() -> None:
    assert authjwt.AsyncIssuer.__module__ == "authjwt"
    assert authjwt.AsyncRemoteKeySet.__name__ == "AsyncRemoteKeySet"
    keys = authjwt.AsyncRemoteKeySet("http://127.0.0.1:9/jwks")
    with pytest.raises(TypeError, match="await"):
        authjwt.verify_jwt("a.b.c", keys)  # type: ignore[arg-type]


def tampered(token: str) -> str:
    """The token with one character of its signature changed."""
    head, _, signature = token.rpartition(".")
    middle = len(signature) // 2
    swapped = "A" if signature[middle] != "A" else "B"
    return f"{head}.{signature[:middle]}{swapped}{signature[middle + 1:]}"


def test_warm_calls_that_finish_at_once_are_still_coroutines_with_errors_at_await(
    jwks_server: JwksServer,
) -> None:
    """With keys cached, sign and verify finish in the call itself (no worker-thread hop); what
    they give back must still act as a coroutine: create_task takes it, and an error is raised
    where it is awaited, not at the call, so gather(return_exceptions=True) collects it."""
    token = published(jwks_server, authjwt.Issuer(secret=SECRET))

    async def main() -> None:
        issuer = authjwt.AsyncIssuer(store=AsyncCountingStore(), secret=SECRET)
        keys = authjwt.AsyncRemoteKeySet(jwks_server.url, timeout=2)
        signed = await issuer.sign({"sub": "w"})
        assert await keys.reload() == 1
        await keys.verify(token)
        await issuer.verify(signed)
        warm = [issuer.sign({"sub": "x"}), issuer.verify(signed), keys.verify(token)]
        assert all(asyncio.iscoroutine(c) for c in warm), warm
        first, second, third = [await asyncio.create_task(c) for c in warm]
        assert first.count(".") == 2
        assert second.payload["sub"] == "w"
        assert third.payload["sub"] == "u"
        # Bad tokens: no raise at the call.
        bad_local, bad_remote = issuer.verify(tampered(signed)), keys.verify(tampered(token))
        outcomes = await asyncio.gather(bad_local, bad_remote, return_exceptions=True)
        for outcome in outcomes:
            assert isinstance(outcome, authjwt.JWSSignatureVerificationFailed), outcome
            assert outcome.code == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        with pytest.raises(authjwt.JWSSignatureVerificationFailed):
            await asyncio.wait_for(keys.verify(tampered(token)), timeout=5)

    asyncio.run(main())
