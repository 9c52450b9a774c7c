"""AsyncIssuer with async stores and hooks; the event loop is never blocked."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Any, Dict, List

import pytest

import authjwt
from authjwt import AsyncIssuer, JwkRow, KeySet, ManualClock, verify_jwt

from conftest import SECRET, AsyncCountingStore

UTC = dt.timezone.utc


def make_async(store: Any = None, **kwargs: Any) -> AsyncIssuer:
    kwargs.setdefault("secret", SECRET)
    kwargs.setdefault("issuer", "https://auth.example.com")
    kwargs.setdefault("audience", "api")
    return AsyncIssuer(store=store, **kwargs)


@pytest.mark.asyncio
async def test_async_sign_jwks_verify_round_trip(async_store: AsyncCountingStore) -> None:
    issuer = make_async(async_store)
    token = await issuer.sign({"sub": "u-1"}, expiration_time="1h")
    doc = await issuer.jwks()
    assert verify_jwt(token, KeySet.from_jwks(doc), audience="api").payload["sub"] == "u-1"
    verified = await issuer.verify(token)
    assert verified.header["kid"] == async_store.rows[0].id
    assert async_store.creates == 1


@pytest.mark.asyncio
async def test_one_key_under_1000_concurrent_signs_on_empty_async_store(
    async_store: AsyncCountingStore,
) -> None:
    issuer = make_async(async_store)
    tokens = await asyncio.gather(*(issuer.sign({"n": i}) for i in range(1000)))
    assert async_store.creates == 1
    assert len(async_store.rows) == 1
    kids = {authjwt.decode_header(t)["kid"] for t in tokens}
    assert kids == {async_store.rows[0].id}


@pytest.mark.asyncio
async def test_store_coroutines_run_on_the_callers_loop() -> None:
    loop = asyncio.get_running_loop()
    threads: List[int] = []

    class Store:
        def __init__(self) -> None:
            self.rows: List[JwkRow] = []

        async def get_jwks(self) -> List[JwkRow]:
            assert asyncio.get_running_loop() is loop
            threads.append(threading.get_ident())
            return self.rows

        async def create_jwk(self, row: JwkRow) -> JwkRow:
            assert asyncio.get_running_loop() is loop
            threads.append(threading.get_ident())
            self.rows.append(row)
            return row

    issuer = make_async(Store())
    await issuer.sign({})
    assert threads and set(threads) == {threading.get_ident()}


@pytest.mark.asyncio
async def test_event_loop_keeps_running_during_rsa_keygen_and_sealing() -> None:
    issuer = make_async(key_pair_config={"alg": "RS256", "modulus_length": 4096})
    ticks = 0
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    await issuer.sign({})
    done = True
    await task
    # RSA-4096 generation and PBKDF2 take far longer than a millisecond: a blocked loop would
    # have ticked at most once or twice.
    assert ticks > 5


@pytest.mark.asyncio
async def test_async_store_exception_is_the_cause() -> None:
    class DbDown(Exception):
        pass

    class Store:
        async def get_jwks(self) -> List[JwkRow]:
            raise DbDown("connection refused")

        async def create_jwk(self, row: JwkRow) -> JwkRow:
            return row

    issuer = make_async(Store())
    with pytest.raises(authjwt.StoreError) as info:
        await issuer.sign({})
    assert isinstance(info.value.__cause__, DbDown)
    assert info.value.operation == "get_jwks"
    assert info.value.code == "ERR_STORE"


@pytest.mark.asyncio
async def test_async_store_that_never_answers_is_bounded_by_store_timeout() -> None:
    class Store:
        async def get_jwks(self) -> List[JwkRow]:
            await asyncio.sleep(3600)
            return []

        async def create_jwk(self, row: JwkRow) -> JwkRow:
            return row

    issuer = make_async(Store(), store_timeout=0.2)
    with pytest.raises(authjwt.StoreError) as info:
        await issuer.sign({})
    assert info.value.timed_out


@pytest.mark.asyncio
async def test_failed_create_jwk_is_never_used_later() -> None:
    class Store:
        def __init__(self) -> None:
            self.rows: List[JwkRow] = []
            self.fail = True

        async def get_jwks(self) -> List[JwkRow]:
            return list(self.rows)

        async def create_jwk(self, row: JwkRow) -> JwkRow:
            if self.fail:
                raise RuntimeError("disk full")
            self.rows.append(row)
            return row

    store = Store()
    issuer = make_async(store)
    with pytest.raises(authjwt.StoreError) as info:
        await issuer.sign({})
    assert isinstance(info.value.__cause__, RuntimeError)
    store.fail = False
    token = await issuer.sign({})
    assert [authjwt.decode_header(token)["kid"]] == [r.id for r in store.rows]


@pytest.mark.asyncio
async def test_store_may_replace_the_proposed_id() -> None:
    class Store:
        def __init__(self) -> None:
            self.rows: List[JwkRow] = []

        async def get_jwks(self) -> List[JwkRow]:
            return list(self.rows)

        async def create_jwk(self, row: JwkRow) -> JwkRow:
            stored = row.replace(id=f"db-{len(self.rows) + 1}")
            self.rows.append(stored)
            return stored

    issuer = make_async(Store())
    assert authjwt.decode_header(await issuer.sign({}))["kid"] == "db-1"


@pytest.mark.asyncio
async def test_async_hooks_are_awaited() -> None:
    async def define_payload(user: Dict[str, Any], session: Dict[str, Any]) -> Dict[str, Any]:
        await asyncio.sleep(0)
        return {"uid": user["id"], "sid": session["id"]}

    async def get_subject(user: Dict[str, Any], session: Dict[str, Any]) -> str:
        return "sub-" + user["id"]

    issuer = make_async(define_payload=define_payload, get_subject=get_subject)
    token = await issuer.sign_session({"id": "u"}, {"id": "s"})
    claims = authjwt.decode_jwt(token)
    assert (claims["uid"], claims["sid"], claims["sub"]) == ("u", "s", "sub-u")


@pytest.mark.asyncio
async def test_async_rotation_with_injected_clock(async_store: AsyncCountingStore) -> None:
    clock = ManualClock(dt.datetime(2030, 1, 1, tzinfo=UTC))
    issuer = make_async(async_store, rotation_interval=60, clock=clock)
    first = authjwt.decode_header(await issuer.sign({}))["kid"]
    clock.advance(61)
    second = authjwt.decode_header(await issuer.sign({}))["kid"]
    assert first != second and async_store.creates == 2
    rotated = await issuer.rotate()
    assert authjwt.decode_header(await issuer.sign({}))["kid"] == rotated.id
    assert len((await issuer.jwks())["keys"]) == 3


@pytest.mark.asyncio
async def test_async_issuer_accepts_memory_store_and_sync_stores() -> None:
    from conftest import CountingStore

    sync_store = CountingStore()
    issuer = make_async(sync_store)
    await issuer.sign({})
    assert sync_store.creates == 1
    memory = authjwt.MemoryStore()
    await make_async(memory).sign({})
    assert len(memory) == 1


def test_sync_issuer_refuses_async_store_with_clear_error() -> None:
    with pytest.raises(authjwt.StoreError) as info:
        authjwt.Issuer(secret=SECRET, store=AsyncCountingStore()).sign({})
    assert "AsyncIssuer" in str(info.value.__cause__)


@pytest.mark.asyncio
async def test_async_errors_keep_codes() -> None:
    issuer = make_async()
    token = await issuer.sign({}, expiration_time="-1h")
    with pytest.raises(authjwt.JWTExpired) as info:
        await issuer.verify(token)
    assert info.value.claim == "exp" and info.value.code == "ERR_JWT_EXPIRED"
