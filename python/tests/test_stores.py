"""Host stores: sqlite3 with Better Auth's jwks table, rows as dicts, and every failure mode."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, List

import pytest

import authjwt
from authjwt import Issuer, JwkRow, KeySet, verify_jwt

from conftest import SECRET, make_issuer

UTC = dt.timezone.utc

def _example_sqlite_store() -> Any:
    """The copyable store of examples/python-service: what this test checks is what users copy."""
    path = Path(__file__).resolve().parents[2] / "examples" / "python-service" / "sqlite_store.py"
    spec = importlib.util.spec_from_file_location("example_sqlite_store", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SqliteKeyStore


SqliteStore = _example_sqlite_store()


def test_sqlite_store_with_better_auth_schema_round_trips(tmp_path: Any) -> None:
    path = str(tmp_path / "auth.db")
    issuer = make_issuer(store=SqliteStore(path), rotation_interval=86400)
    token = issuer.sign({"sub": "u-1"})
    # A second process (a new issuer on the same file) reads the row and keeps signing with it.
    again = make_issuer(store=SqliteStore(path))
    token2 = again.sign({"sub": "u-2"})
    assert authjwt.decode_header(token)["kid"] == authjwt.decode_header(token2)["kid"]
    keys = KeySet.from_jwks(again.jwks())
    assert verify_jwt(token, keys).payload["sub"] == "u-1"
    db = sqlite3.connect(path)
    (count, public, private, created, expires, alg, crv) = db.execute(
        "SELECT count(*), publicKey, privateKey, createdAt, expiresAt, alg, crv FROM jwks"
    ).fetchone()
    assert count == 1 and alg == "EdDSA" and crv == "Ed25519"
    assert json.loads(public)["kty"] == "OKP" and '"d"' not in private
    created_at = dt.datetime.fromisoformat(created)
    assert dt.datetime.fromisoformat(expires) - created_at == dt.timedelta(days=1)


def test_jwk_row_maps_to_better_auth_columns() -> None:
    created = dt.datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    row = JwkRow(id="k1", public_key="{}", private_key="p", created_at=created, alg="ES256", crv="P-256")
    cols = row.to_dict()
    assert cols == {
        "id": "k1",
        "publicKey": "{}",
        "privateKey": "p",
        "createdAt": created,
        "expiresAt": None,
        "alg": "ES256",
        "crv": "P-256",
    }
    assert JwkRow.from_dict(cols) == row
    assert JwkRow.from_dict({"id": "k1", "public_key": "{}", "private_key": "p", "created_at": created, "alg": "ES256", "crv": "P-256"}) == row
    secret_row = row.replace(private_key="secret-material")
    assert "secret-material" not in repr(secret_row) and "private_key=<hidden>" in repr(secret_row)


def test_jwk_row_datetimes_are_aware_utc_and_exact() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    created = dt.datetime(2030, 6, 1, 12, 0, 0, 123000, tzinfo=paris)
    row = JwkRow(id="k", public_key="{}", private_key="p", created_at=created)
    assert row.created_at == created and row.created_at.tzinfo == UTC
    with pytest.raises(ValueError):
        JwkRow(id="k", public_key="{}", private_key="p", created_at=dt.datetime(2030, 1, 1))
    with pytest.raises(TypeError):
        JwkRow(id="k", public_key="{}", private_key="p", created_at="2030-01-01")  # type: ignore[arg-type]


class FailingStore:
    def __init__(self, fail_get: bool = False, fail_create: bool = False) -> None:
        self.rows: List[JwkRow] = []
        self.fail_get = fail_get
        self.fail_create = fail_create

    def get_jwks(self) -> List[JwkRow]:
        if self.fail_get:
            raise ConnectionError("database unreachable")
        return list(self.rows)

    def create_jwk(self, row: JwkRow) -> JwkRow:
        if self.fail_create:
            raise PermissionError("read-only replica")
        self.rows.append(row)
        return row


def test_get_jwks_failure_keeps_store_exception_as_cause() -> None:
    with pytest.raises(authjwt.StoreError) as info:
        make_issuer(store=FailingStore(fail_get=True)).sign({})
    cause = info.value.__cause__
    assert isinstance(cause, ConnectionError) and str(cause) == "database unreachable"
    assert info.value.operation == "get_jwks"


def test_create_jwk_failure_fails_sign_and_nothing_is_used() -> None:
    store = FailingStore(fail_create=True)
    issuer = make_issuer(store=store)
    with pytest.raises(authjwt.StoreError) as info:
        issuer.sign({})
    assert isinstance(info.value.__cause__, PermissionError)
    with pytest.raises(authjwt.StoreError):
        issuer.jwks()
    store.fail_create = False
    token = issuer.sign({})
    assert authjwt.decode_header(token)["kid"] == store.rows[0].id


def test_store_returning_garbage_is_store_error() -> None:
    class Garbage:
        def get_jwks(self) -> Any:
            return "not a list"

        def create_jwk(self, row: JwkRow) -> Any:
            return row

    with pytest.raises(authjwt.StoreError) as info:
        make_issuer(store=Garbage()).sign({})
    assert isinstance(info.value.__cause__, TypeError)


def test_create_jwk_returning_a_different_public_key_is_refused() -> None:
    other = make_issuer(store=authjwt.MemoryStore())
    other.sign({})

    class Swapping(FailingStore):
        def create_jwk(self, row: JwkRow) -> JwkRow:
            foreign = other.rotate()
            swapped = row.replace(public_key=foreign.public_key)
            self.rows.append(swapped)
            return swapped

    store = Swapping()
    with pytest.raises(authjwt.AuthJwtError):
        make_issuer(store=store).sign({})


def test_rows_with_null_alg_are_read_as_configured_algorithm() -> None:
    store = FailingStore()
    make_issuer(store=store).sign({})
    store.rows = [store.rows[0].replace(alg=None)]
    token = make_issuer(store=store).sign({})
    assert authjwt.decode_header(token)["kid"] == store.rows[0].id


def test_rotate_with_failing_create_keeps_cause_and_old_key() -> None:
    store = FailingStore()
    issuer = make_issuer(store=store)
    kid = authjwt.decode_header(issuer.sign({}))["kid"]
    store.fail_create = True
    with pytest.raises(authjwt.StoreError) as info:
        issuer.rotate()
    assert isinstance(info.value.__cause__, PermissionError)
    assert authjwt.decode_header(issuer.sign({}))["kid"] == kid


def test_issuer_can_be_shared_by_threads() -> None:
    store = FailingStore()
    issuer = make_issuer(store=store)
    tokens: List[str] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(50):
            t = issuer.sign({"sub": "t"})
            with lock:
                tokens.append(t)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tokens) == 400 and len(store.rows) == 1


def test_sync_store_that_hangs_is_bounded_by_store_timeout() -> None:
    release = threading.Event()

    class Hanging(FailingStore):
        def get_jwks(self) -> List[JwkRow]:
            release.wait(30)  # a lock or a dead connection, in real life
            return []

    issuer = make_issuer(store=Hanging(), store_timeout=0.2)
    try:
        with pytest.raises(authjwt.StoreError) as info:
            issuer.sign({})
        assert info.value.timed_out and info.value.operation == "get_jwks"
    finally:
        release.set()
