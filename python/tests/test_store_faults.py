"""Storage faults through host stores (issue 8): the Python side of core/tests/store_faults.rs.

A Python store misbehaves in one way per test (raises, hangs, renames, swaps the public key, fails
every other read, returns duplicates, drops ``alg``, holds rows sealed with an old secret). Each
test checks the exact error code, and the invariant: no token is ever signed with a key the store
does not hold (the token's kid is a stored row with the same public key, and the token verifies
against a key set built from the store's rows and against ``issuer.jwks()``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from typing import Any, Callable, Dict, List, Optional

import pytest

import authjwt
from authjwt import AsyncIssuer, Issuer, JwkRow, KeySet, ManualClock, decode_header, verify_jwt

from conftest import SECRET

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 1, 1, tzinfo=UTC)
ISS = "https://auth.example.com"
AUD = "api"

#: Fast sealing: real encryption without authjwt-v1's PBKDF2 (or none at all).
SEALINGS: Dict[str, Dict[str, Any]] = {
    "better-auth": {"private_key_format": "better-auth"},
    "plain": {"disable_private_key_encryption": True},
}


def options(clock: ManualClock, sealing: str = "better-auth", **kwargs: Any) -> Dict[str, Any]:
    opts: Dict[str, Any] = dict(SEALINGS[sealing])
    opts.update(secret=SECRET, issuer=ISS, audience=AUD, clock=clock)
    opts.update(kwargs)
    return opts


def make_sync(store: Any, clock: ManualClock, alg: str = "EdDSA", **kwargs: Any) -> Issuer:
    return Issuer(store=store, key_pair_config={"alg": alg}, **options(clock, **kwargs))


def make_async(store: Any, clock: ManualClock, alg: str = "EdDSA", **kwargs: Any) -> AsyncIssuer:
    return AsyncIssuer(store=store, key_pair_config={"alg": alg}, **options(clock, **kwargs))


class DbDown(ConnectionError):
    """The store's own exception."""


# --------------------------------------------------------------------------------------------
# Scripted stores: a list of rows plus one-shot faults, sync and async.


class ScriptedStore:
    """A sync store over a list; ``create_faults`` / ``get_faults`` are consumed one per call."""

    def __init__(self, rows: Optional[List[JwkRow]] = None) -> None:
        self.rows: List[JwkRow] = list(rows or [])
        self.create_faults: List[Callable[[JwkRow], Any]] = []
        self.get_faults: List[str] = []
        self.gets = 0
        self.creates = 0
        self.lock = threading.Lock()

    def get_jwks(self) -> List[JwkRow]:
        with self.lock:
            self.gets += 1
            fault = self.get_faults.pop(0) if self.get_faults else None
            rows = list(self.rows)
        if fault == "fail":
            raise DbDown("connection reset by database")
        if fault == "duplicate":
            return rows + rows
        return rows

    def create_jwk(self, row: JwkRow) -> JwkRow:
        with self.lock:
            self.creates += 1
            fault = self.create_faults.pop(0) if self.create_faults else None
        if fault is not None:
            row = fault(row)  # may raise, hang, or change the row
        with self.lock:
            self.rows.append(row)
        return row


class AsyncScriptedStore(ScriptedStore):
    """The same store with ``async def`` methods (faults may be coroutine functions)."""

    async def get_jwks(self) -> List[JwkRow]:  # type: ignore[override]
        await asyncio.sleep(0)
        return ScriptedStore.get_jwks(self)

    async def create_jwk(self, row: JwkRow) -> JwkRow:  # type: ignore[override]
        with self.lock:
            self.creates += 1
            fault = self.create_faults.pop(0) if self.create_faults else None
        if fault is not None:
            out = fault(row)
            row = await out if asyncio.iscoroutine(out) else out
        await asyncio.sleep(0)
        with self.lock:
            self.rows.append(row)
        return row


# --------------------------------------------------------------------------------------------
# The invariant.


def public_jwk(row: JwkRow) -> Dict[str, Any]:
    return {k: v for k, v in json.loads(row.public_key).items() if k not in ("kid", "alg", "use")}


def assert_store_holds_keys_of(
    store: ScriptedStore,
    tokens: List[str],
    clock: ManualClock,
    published: Optional[Dict[str, Any]] = None,
    alg: str = "EdDSA",
) -> None:
    """Every token's kid is a stored row, the token verifies with the store's rows (as a JWKS built
    here, from nothing but the rows) and with what the issuer publishes, with the same public key."""
    rows = list(store.rows)
    by_id: Dict[str, List[JwkRow]] = {}
    for r in rows:
        by_id.setdefault(r.id, []).append(r)
    doc = {
        "keys": [
            {**public_jwk(r), "kid": r.id, "alg": r.alg or alg}
            for r in {r.id: r for r in rows}.values()
        ]
    }
    from_rows = KeySet.from_jwks(doc)
    for t in tokens:
        kid = decode_header(t)["kid"]
        assert kid in by_id, f"token signed with kid {kid!r}, which the store does not hold"
        assert len({r.public_key for r in by_id[kid]}) == 1, f"two public keys under kid {kid!r}"
        verify_jwt(t, from_rows, issuer=ISS, audience=AUD, now=clock.now())
        if published is not None:
            (jwk,) = [k for k in published["keys"] if k["kid"] == kid]
            assert {k: v for k, v in jwk.items() if k not in ("kid", "alg", "use")} == public_jwk(
                by_id[kid][0]
            )
            verify_jwt(t, KeySet.from_jwks(published), issuer=ISS, audience=AUD, now=clock.now())


def wait_until(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# --------------------------------------------------------------------------------------------
# 1. create_jwk raises once.


def raise_db_down(row: JwkRow) -> JwkRow:
    raise DbDown("insert failed: connection reset by database")


@pytest.mark.parametrize("sealing", sorted(SEALINGS))
def test_create_jwk_raising_once_fails_the_sign_then_recovers(sealing: str) -> None:
    clock = ManualClock(T0)
    store = ScriptedStore()
    store.create_faults.append(raise_db_down)
    issuer = make_sync(store, clock, sealing=sealing)
    with pytest.raises(authjwt.StoreError) as info:
        issuer.sign({"sub": "u"})
    err = info.value
    assert err.code == "ERR_STORE"
    assert err.operation == "create_jwk" and not err.timed_out
    assert isinstance(err.__cause__, DbDown)
    assert str(err.__cause__) == "insert failed: connection reset by database"
    assert store.rows == [] and store.creates == 1
    token = issuer.sign({"sub": "u"})
    assert store.creates == 2 and len(store.rows) == 1
    assert decode_header(token)["kid"] == store.rows[0].id
    assert_store_holds_keys_of(store, [token], clock, issuer.jwks())


def test_async_create_jwk_raising_once_fails_the_sign_then_recovers() -> None:
    async def main() -> None:
        clock = ManualClock(T0)
        store = AsyncScriptedStore()

        async def fail(row: JwkRow) -> JwkRow:
            raise DbDown("insert failed")

        store.create_faults.append(fail)
        issuer = make_async(store, clock)
        with pytest.raises(authjwt.StoreError) as info:
            await issuer.sign({"sub": "u"})
        assert info.value.code == "ERR_STORE" and info.value.operation == "create_jwk"
        assert isinstance(info.value.__cause__, DbDown)
        assert store.rows == []
        token = await issuer.sign({"sub": "u"})
        assert len(store.rows) == 1 and decode_header(token)["kid"] == store.rows[0].id
        assert_store_holds_keys_of(store, [token], clock, await issuer.jwks())

    run(main())


# --------------------------------------------------------------------------------------------
# 2. create_jwk hangs past store_timeout.


@pytest.mark.parametrize("late_commit", [False, True], ids=["abandoned", "late-commit"])
def test_create_jwk_hanging_past_store_timeout_fails_then_recovers(late_commit: bool) -> None:
    """The hung insert either never lands (abandoned) or lands after authjwt gave up (late-commit):
    in both cases the timed-out sign fails, and later tokens use a key the store holds."""
    clock = ManualClock(T0)
    store = ScriptedStore()
    release = threading.Event()
    finished = threading.Event()

    def hang(row: JwkRow) -> JwkRow:
        try:
            release.wait(30)  # a lock or a dead connection, in real life
            if not late_commit:
                raise DbDown("connection dropped")
            return row
        finally:
            finished.set()

    store.create_faults.append(hang)
    issuer = make_sync(store, clock, store_timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(authjwt.StoreError) as info:
            issuer.sign({"sub": "u"})
        assert time.monotonic() - started < 5
        err = info.value
        assert err.code == "ERR_STORE" and err.timed_out and err.operation == "create_jwk"
        assert store.rows == []
    finally:
        release.set()
    assert finished.wait(10)
    wait_until(lambda: not late_commit or len(store.rows) == 1)
    token = issuer.sign({"sub": "u"})
    kid = decode_header(token)["kid"]
    if late_commit:
        # The row that landed late is the store's key: adopted, no second key made.
        assert store.creates == 1 and kid == store.rows[0].id
    else:
        assert store.creates == 2 and len(store.rows) == 1 and kid == store.rows[0].id
    assert_store_holds_keys_of(store, [token], clock, issuer.jwks())


def test_async_create_jwk_hanging_past_store_timeout_fails_then_recovers() -> None:
    async def main() -> None:
        clock = ManualClock(T0)
        store = AsyncScriptedStore()

        async def hang(row: JwkRow) -> JwkRow:
            await asyncio.sleep(30)
            return row

        store.create_faults.append(hang)
        issuer = make_async(store, clock, store_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(authjwt.StoreError) as info:
            await issuer.sign({"sub": "u"})
        assert time.monotonic() - started < 5
        assert info.value.code == "ERR_STORE" and info.value.timed_out
        assert info.value.operation == "create_jwk"
        assert store.rows == []
        token = await issuer.sign({"sub": "u"})
        assert store.creates == 2 and len(store.rows) == 1
        assert decode_header(token)["kid"] == store.rows[0].id
        assert_store_holds_keys_of(store, [token], clock, await issuer.jwks())

    run(main())


# --------------------------------------------------------------------------------------------
# 3. create_jwk assigns its own id; 4. create_jwk returns another key's public key.


def db_assigned_id(row: JwkRow) -> JwkRow:
    return row.replace(id="db-assigned-7")


def test_create_jwk_returning_another_id_is_used_as_kid() -> None:
    clock = ManualClock(T0)
    store = ScriptedStore()
    store.create_faults.append(db_assigned_id)
    issuer = make_sync(store, clock)
    token = issuer.sign({"sub": "u"})
    assert decode_header(token)["kid"] == "db-assigned-7"
    assert [r.id for r in store.rows] == ["db-assigned-7"]
    rotated = issuer.rotate()
    token2 = issuer.sign({"sub": "u"})
    assert decode_header(token2)["kid"] == rotated.id != "db-assigned-7"
    assert_store_holds_keys_of(store, [token, token2], clock, issuer.jwks())
    assert issuer.verify(token).header["kid"] == "db-assigned-7"


def test_async_create_jwk_returning_another_id_is_used_as_kid() -> None:
    async def main() -> None:
        clock = ManualClock(T0)
        store = AsyncScriptedStore()
        store.create_faults.append(db_assigned_id)
        issuer = make_async(store, clock)
        token = await issuer.sign({"sub": "u"})
        assert decode_header(token)["kid"] == "db-assigned-7"
        assert_store_holds_keys_of(store, [token], clock, await issuer.jwks())

    run(main())


def foreign_public_key(alg: str = "EdDSA") -> Callable[[JwkRow], JwkRow]:
    """A create_jwk fault: stores and returns the row with another key's public JWK. The other key
    is made here, outside the callback (a sync authjwt call inside a store callback is refused)."""
    other = Issuer(key_pair_config={"alg": alg}, secret=SECRET, disable_private_key_encryption=True)
    foreign = other.rotate().public_key

    def swap(row: JwkRow) -> JwkRow:
        return row.replace(public_key=foreign)

    return swap


def check_swapped_public_key_refused(store: ScriptedStore, first: Exception, second: Exception) -> None:
    assert isinstance(first, authjwt.StoreError)
    assert first.code == "ERR_STORE" and first.operation == "create_jwk"
    # The bad row is now the store's latest key: its private key does not belong to its public
    # key, so it is refused again instead of being used, and no key is made behind the user's back.
    assert isinstance(second, authjwt.KeyDecryptionFailed)
    assert second.code == "ERR_KEY_DECRYPTION_FAILED"
    assert "does not belong" in str(second), str(second)
    assert second.kid == store.rows[0].id
    assert store.creates == 1 and len(store.rows) == 1


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_create_jwk_returning_another_public_key_is_refused_and_never_signed_with(alg: str) -> None:
    clock = ManualClock(T0)
    store = ScriptedStore()
    store.create_faults.append(foreign_public_key(alg))
    issuer = make_sync(store, clock, alg=alg)
    errors = []
    for _ in range(2):
        with pytest.raises(authjwt.AuthJwtError) as info:
            issuer.sign({"sub": "u"})
        errors.append(info.value)
    check_swapped_public_key_refused(store, *errors)


def test_async_create_jwk_returning_another_public_key_is_refused_and_never_signed_with() -> None:
    async def main() -> None:
        clock = ManualClock(T0)
        store = AsyncScriptedStore()
        store.create_faults.append(foreign_public_key())
        issuer = make_async(store, clock)
        errors = []
        for _ in range(2):
            with pytest.raises(authjwt.AuthJwtError) as info:
                await issuer.sign({"sub": "u"})
            errors.append(info.value)
        check_swapped_public_key_refused(store, *errors)

    run(main())


# --------------------------------------------------------------------------------------------
# 5. get_jwks fails every other read.
#
# sign() serves a fresh cached key without reading the store. To make every call of the table
# read the store exactly once, keys expire (rotation_interval) and the clock moves past expires_at
# and key_cache_ttl before each call: sign() must then read the rows (and, finding no live key,
# create the next one); jwks() and verify() read the stale rows.

TTL = 1  # key_cache_ttl, seconds
ROTATION = 10  # rotation_interval, seconds; each round advances the clock past it
OPS = ["sign", "jwks", "verify"]


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_intermittent_get_jwks_failures_fail_only_their_calls(flavour: str) -> None:
    clock = ManualClock(T0)
    store: ScriptedStore = ScriptedStore() if flavour == "sync" else AsyncScriptedStore()
    maker = make_sync if flavour == "sync" else make_async
    issuer = maker(store, clock, key_cache_ttl=TTL, rotation_interval=ROTATION)

    async def call(result: Any) -> Any:
        return await result if flavour == "async" else result

    async def main() -> None:
        tokens = [await call(issuer.sign({"n": -1}))]
        failures: Dict[str, int] = {op: 0 for op in OPS}
        for i in range(12):
            op = OPS[i % 3]
            fail = i % 2 == 1  # every other store read fails
            clock.advance(ROTATION + 1)
            if fail:
                store.get_faults.append("fail")
            gets, creates = store.gets, store.creates
            try:
                if op == "sign":
                    token = await call(issuer.sign({"n": i}))
                    assert decode_header(token)["kid"] == store.rows[-1].id
                    tokens.append(token)
                elif op == "jwks":
                    doc = await call(issuer.jwks())
                    assert {k["kid"] for k in doc["keys"]} == {r.id for r in store.rows}
                else:
                    verified = await call(issuer.verify(tokens[-1]))
                    assert verified.header["kid"] == decode_header(tokens[-1])["kid"]
            except authjwt.AuthJwtError as e:
                assert fail, f"round {i} ({op}) failed without a store fault: {e!r}"
                assert e.code == "ERR_STORE", e
                assert e.operation == "get_jwks" and not e.timed_out
                assert isinstance(e.__cause__, DbDown)
                failures[op] += 1
            else:
                assert not fail, f"round {i} ({op}) succeeded although its store read failed"
            assert store.gets == gets + 1, f"round {i} ({op}): {store.gets - gets} store reads"
            made = 1 if op == "sign" and not fail else 0
            assert store.creates == creates + made, f"round {i} ({op}): a failed read made a key"
        assert failures == {"sign": 2, "jwks": 2, "verify": 2}
        assert len(tokens) == 1 + 2 and len(store.rows) == store.creates == 3
        assert_store_holds_keys_of(store, tokens, clock, await call(issuer.jwks()))

    run(main())


def test_sign_past_key_cache_ttl_reads_the_store_and_reports_a_failing_read() -> None:
    """Past key_cache_ttl, sign() reads the store before it signs (the core's policy, the same in
    every host): a failing get_jwks fails that sign with ERR_STORE and makes no key; the next
    read that succeeds signs with the same stored key. Past expires_at the cached key may not
    sign either, so a failing read fails the sign and the next one creates the next key."""
    clock = ManualClock(T0)
    store = ScriptedStore()
    issuer = make_sync(store, clock, key_cache_ttl=TTL, rotation_interval=60)
    first = issuer.sign({"n": 0})
    clock.advance(TTL + 1)
    store.get_faults.append("fail")
    gets = store.gets
    with pytest.raises(authjwt.StoreError) as stale:
        issuer.sign({"n": 1})
    assert stale.value.code == "ERR_STORE" and stale.value.operation == "get_jwks"
    assert isinstance(stale.value.__cause__, DbDown)
    assert store.gets == gets + 1 and store.creates == 1
    served = issuer.sign({"n": 1})  # the store answers: the same stored key, cached again
    assert store.gets == gets + 2
    assert decode_header(served)["kid"] == decode_header(first)["kid"] == store.rows[0].id
    # Past expires_at the cached key may not sign: sign() must read the store.
    clock.advance(60)
    store.get_faults.append("fail")
    with pytest.raises(authjwt.StoreError) as info:
        issuer.sign({"n": 2})
    assert info.value.code == "ERR_STORE" and info.value.operation == "get_jwks"
    assert isinstance(info.value.__cause__, DbDown)
    assert store.creates == 1
    fresh = issuer.sign({"n": 3})  # the store answers: the next key, for the next window
    assert store.creates == 2 and decode_header(fresh)["kid"] == store.rows[-1].id
    assert_store_holds_keys_of(store, [first, served, fresh], clock, issuer.jwks())


# --------------------------------------------------------------------------------------------
# 6. get_jwks returns every row twice.


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_duplicate_rows_are_read_once(flavour: str) -> None:
    clock = ManualClock(T0)

    async def main() -> None:
        if flavour == "sync":
            store: ScriptedStore = ScriptedStore()
            first = make_sync(store, clock)
            token = first.sign({"sub": "u"})
            fresh = make_sync(store, clock)
            store.get_faults.extend(["duplicate"] * 3)
            doc = fresh.jwks()
            token2 = fresh.sign({"sub": "u"})
            verified = fresh.verify(token)
        else:
            store = AsyncScriptedStore()
            a_first = make_async(store, clock)
            token = await a_first.sign({"sub": "u"})
            a_fresh = make_async(store, clock)
            store.get_faults.extend(["duplicate"] * 3)
            doc = await a_fresh.jwks()
            token2 = await a_fresh.sign({"sub": "u"})
            verified = await a_fresh.verify(token)
        assert len(doc["keys"]) == 1 and len(KeySet.from_jwks(doc)) == 1
        assert decode_header(token2)["kid"] == decode_header(token)["kid"] == store.rows[0].id
        assert verified.header["kid"] == store.rows[0].id
        assert store.creates == 1 and len(store.rows) == 1
        assert len(store.get_faults) <= 1, "jwks() and the signing-key load both read duplicates"
        assert_store_holds_keys_of(store, [token, token2], clock, doc)

    run(main())


# --------------------------------------------------------------------------------------------
# 7. Rows without alg (test_stores.py covers EdDSA via sign only): more algorithms, the JWKS's
# alg, verify(), and AsyncIssuer.


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_rows_without_alg_are_read_as_the_configured_algorithm(alg: str, flavour: str) -> None:
    clock = ManualClock(T0)
    seed = ScriptedStore()
    make_sync(seed, clock, alg=alg).sign({})
    legacy = seed.rows[0].replace(id=f"legacy-{alg}", alg=None, crv=None)

    async def main() -> None:
        if flavour == "sync":
            store: ScriptedStore = ScriptedStore([legacy])
            issuer = make_sync(store, clock, alg=alg)
            token = issuer.sign({"sub": "u"})
            doc = issuer.jwks()
            verified = issuer.verify(token)
        else:
            store = AsyncScriptedStore([legacy])
            a_issuer = make_async(store, clock, alg=alg)
            token = await a_issuer.sign({"sub": "u"})
            doc = await a_issuer.jwks()
            verified = await a_issuer.verify(token)
        header = decode_header(token)
        assert (header["alg"], header["kid"]) == (alg, f"legacy-{alg}")
        assert store.creates == 0 and store.rows == [legacy]
        assert [k["alg"] for k in doc["keys"]] == [alg]
        assert verified.header["kid"] == f"legacy-{alg}"
        assert_store_holds_keys_of(store, [token], clock, doc, alg=alg)

    run(main())


# --------------------------------------------------------------------------------------------
# 8. Rows sealed with an old secret.

OLD, NEW = "old secret, long enough to be a real one", "new secret, long enough to be a real one"


@pytest.mark.parametrize(
    "rotated_secret",
    [[NEW, OLD], {"1": OLD, "2": NEW}],
    ids=["list-newest-first", "versioned-dict"],
)
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_rows_sealed_with_an_old_secret_open_only_if_it_is_configured(
    flavour: str, rotated_secret: Any
) -> None:
    clock = ManualClock(T0)
    store: ScriptedStore = ScriptedStore() if flavour == "sync" else AsyncScriptedStore()

    def issuer_with(secret: Any) -> Any:
        maker = make_sync if flavour == "sync" else make_async
        return maker(store, clock, secret=secret)

    async def call(result: Any) -> Any:
        return await result if flavour == "async" else result

    async def main() -> None:
        old = issuer_with(OLD)
        t_old = await call(old.sign({"sub": "u"}))
        sealed_kid = decode_header(t_old)["kid"]
        assert OLD not in store.rows[0].private_key and '"d"' not in store.rows[0].private_key

        rotated = issuer_with(rotated_secret)
        t = await call(rotated.sign({"sub": "u"}))
        assert decode_header(t)["kid"] == sealed_kid, "the old row opens with the old secret"
        assert (await call(rotated.verify(t_old))).header["kid"] == sealed_kid

        forgot = issuer_with(NEW)
        for _ in range(2):
            with pytest.raises(authjwt.KeyDecryptionFailed) as info:
                await call(forgot.sign({"sub": "u"}))
            err = info.value
            assert err.code == "ERR_KEY_DECRYPTION_FAILED" and err.kid == sealed_kid
            assert sealed_kid in str(err)
            assert OLD not in str(err) and NEW not in str(err)
        # jwks() publishes the stored (public) key and makes no key behind the user's back either.
        doc = await call(forgot.jwks())
        assert [k["kid"] for k in doc["keys"]] == [sealed_kid]
        assert store.creates == 1 and len(store.rows) == 1, "only the first issuer made a key"
        assert_store_holds_keys_of(store, [t_old, t], clock, doc)

    run(main())
