"""A user's own store with the optional ``update_jwk(id, update)`` callback (issue 19): revoke of
the signing key and of an old key, retirement on ``rotate()``, sync and ``async def``; a store
without the callback makes ``revoke`` ERR_INVALID_CONFIG and leaves a rotated-away key published.
A manual clock: nothing waits."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Dict, List, Mapping

import pytest

import authjwt
from authjwt import AsyncIssuer, Issuer, JwkRow, ManualClock

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 1, 1, tzinfo=UTC)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


class RowsStore:
    """get_jwks/create_jwk over a dict of rows keyed by id, without update_jwk."""

    def __init__(self) -> None:
        self.rows: Dict[str, JwkRow] = {}

    def get_jwks(self) -> List[JwkRow]:
        return list(self.rows.values())

    def create_jwk(self, row: JwkRow) -> JwkRow:
        self.rows[row.id] = row
        return row


class UpdatingStore(RowsStore):
    """RowsStore with update_jwk: records every call, rewrites the row's expires_at."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: List[tuple] = []

    def update_jwk(self, id: str, update: Mapping[str, Any]) -> None:
        self.updates.append((id, dict(update)))
        self.rows[id] = self.rows[id].replace(expires_at=update["expires_at"])


class AsyncUpdatingStore:
    """The same store with ``async def`` methods that yield to the loop."""

    def __init__(self) -> None:
        self.rows: Dict[str, JwkRow] = {}
        self.updates: List[tuple] = []

    async def get_jwks(self) -> List[JwkRow]:
        await asyncio.sleep(0)
        return list(self.rows.values())

    async def create_jwk(self, row: JwkRow) -> JwkRow:
        await asyncio.sleep(0)
        self.rows[row.id] = row
        return row

    async def update_jwk(self, id: str, update: Mapping[str, Any]) -> None:
        await asyncio.sleep(0)
        self.updates.append((id, dict(update)))
        self.rows[id] = self.rows[id].replace(expires_at=update["expires_at"])


def options(store: Any, clock: ManualClock, events: list) -> Dict[str, Any]:
    return dict(store=store, clock=clock, disable_private_key_encryption=True,
                grace_period=600, on_event=events.append)


def kid_of(token: str) -> str:
    return authjwt.decode_header(token)["kid"]


def published(jwks: Dict[str, Any]) -> set:
    return {k["kid"] for k in jwks["keys"]}


def test_revoke_of_the_signing_key_writes_the_epoch_and_the_next_key_signs() -> None:
    clock, store, events = ManualClock(T0), UpdatingStore(), []
    issuer = Issuer(**options(store, clock, events))
    token = issuer.sign({"id": "u1"})
    first = kid_of(token)
    issuer.revoke(first)
    assert store.updates == [(first, {"expires_at": EPOCH})]
    assert store.rows[first].expires_at == EPOCH
    assert first not in published(issuer.jwks())
    assert kid_of(issuer.sign({"id": "u1"})) != first
    with pytest.raises(authjwt.AuthJwtError):
        issuer.verify(token)
    assert {"type": "key.revoked", "kid": first} in events
    # Another process over the same store sees the revocation from the rows alone.
    other = Issuer(**options(store, clock, []))
    assert first not in published(other.jwks())
    assert kid_of(other.sign({"id": "u1"})) != first


def test_rotate_retires_the_old_key_for_the_grace_period_and_revoke_removes_it_at_once() -> None:
    clock, store, events = ManualClock(T0), UpdatingStore(), []
    issuer = Issuer(**options(store, clock, events))
    old = kid_of(issuer.sign({"id": "u1"}))
    clock.advance(10)
    new = issuer.rotate()
    retired_at = T0 + dt.timedelta(seconds=10)
    assert store.updates == [(old, {"expires_at": retired_at})]
    assert store.rows[old].expires_at == retired_at
    assert store.rows[new.id].expires_at is None
    assert any(e["type"] == "key.retired" and e["kid"] == old for e in events)
    assert kid_of(issuer.sign({"id": "u1"})) == new.id
    # Published through the grace period after its expiry, in every process, then gone.
    other = Issuer(**options(store, clock, []))
    assert published(other.jwks()) == {old, new.id}
    clock.advance(600)
    assert published(Issuer(**options(store, clock, [])).jwks()) == {new.id}

    # An old key inside its grace period: revoke takes it out now; the signing key stays.
    clock.set(T0 + dt.timedelta(seconds=20))
    issuer = Issuer(**options(store, clock, []))
    assert published(issuer.jwks()) == {old, new.id}
    issuer.revoke(old)
    assert store.rows[old].expires_at == EPOCH
    assert published(issuer.jwks()) == {new.id}
    assert kid_of(issuer.sign({"id": "u1"})) == new.id


def test_a_store_without_update_jwk_cannot_revoke_and_says_what_stays_published() -> None:
    clock, store, events = ManualClock(T0), RowsStore(), []
    issuer = Issuer(**options(store, clock, events))
    first = kid_of(issuer.sign({"id": "u1"}))
    with pytest.raises(authjwt.AuthJwtError) as err:
        issuer.revoke(first)
    assert err.value.code == "ERR_INVALID_CONFIG"
    assert "update_jwk" in str(err.value)
    assert first in published(issuer.jwks())
    new = issuer.rotate()
    assert store.rows[first].expires_at is None
    unrecorded = [e for e in events if e["type"] == "key.retirement_unrecorded"]
    assert [e["kid"] for e in unrecorded] == [first]
    assert published(issuer.jwks()) == {first, new.id}


def test_a_failing_update_jwk_fails_revoke_with_the_store_error_and_keeps_the_key() -> None:
    class Broken(Exception):
        pass

    class FailingUpdateStore(RowsStore):
        def update_jwk(self, id: str, update: Mapping[str, Any]) -> None:
            raise Broken("database is read-only")

    clock, store = ManualClock(T0), FailingUpdateStore()
    issuer = Issuer(**options(store, clock, []))
    first = kid_of(issuer.sign({"id": "u1"}))
    with pytest.raises(authjwt.StoreError) as err:
        issuer.revoke(first)
    assert err.value.code == "ERR_STORE"
    assert isinstance(err.value.__cause__, Broken)
    assert first in published(issuer.jwks())
    assert kid_of(issuer.sign({"id": "u1"})) == first


def test_async_store_update_jwk_revokes_and_retires() -> None:
    async def scenario() -> None:
        clock, store, events = ManualClock(T0), AsyncUpdatingStore(), []
        issuer = AsyncIssuer(**options(store, clock, events))
        old = kid_of(await issuer.sign({"id": "u1"}))
        clock.advance(5)
        new = await issuer.rotate()
        assert store.updates == [(old, {"expires_at": T0 + dt.timedelta(seconds=5)})]
        assert published(await issuer.jwks()) == {old, new.id}
        await issuer.revoke(new.id)
        assert store.rows[new.id].expires_at == EPOCH
        assert new.id not in published(await issuer.jwks())
        # Both keys are out of signing: the next sign stores and uses a third key.
        third = kid_of(await issuer.sign({"id": "u1"}))
        assert third not in {old, new.id}
        assert third in store.rows

    asyncio.run(scenario())


def test_sync_issuer_refuses_an_async_update_jwk() -> None:
    clock = ManualClock(T0)
    store = AsyncUpdatingStore()
    seeded = Issuer(**options(UpdatingStore(), clock, []))
    row = seeded.rotate()
    store.rows[row.id] = row
    issuer = Issuer(**options(store_sync_reads(store), clock, []))
    with pytest.raises(authjwt.StoreError) as err:
        issuer.revoke(row.id)
    assert isinstance(err.value.__cause__, TypeError)
    assert store.rows[row.id].expires_at is None


def store_sync_reads(store: AsyncUpdatingStore) -> Any:
    """Sync get_jwks/create_jwk over `store`'s rows, with its async update_jwk."""

    class Mixed:
        def get_jwks(self) -> List[JwkRow]:
            return list(store.rows.values())

        def create_jwk(self, row: JwkRow) -> JwkRow:
            store.rows[row.id] = row
            return row

        update_jwk = store.update_jwk

    return Mixed()


def test_native_memory_store_update_jwk_follows_the_protocol() -> None:
    store = authjwt.MemoryStore()
    row = Issuer(store=store, disable_private_key_encryption=True).rotate()
    at = T0 + dt.timedelta(seconds=1)
    store.update_jwk(row.id, {"expires_at": at})
    assert store.get_jwks()[0].expires_at == at
    with pytest.raises(TypeError):
        store.update_jwk(row.id, {"expiresAt": at})
    with pytest.raises(authjwt.StoreError):
        store.update_jwk("no-such-id", {"expires_at": at})
