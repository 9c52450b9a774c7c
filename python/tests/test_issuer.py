"""The sync Issuer: signing, overrides, sessions, JWKS, rotation, verification, events."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any, Dict, List

import pytest

import authjwt
from authjwt import Issuer, JwkRow, KeySet, ManualClock, MemoryStore, verify_jwt

from conftest import SECRET, SIGNING_ALGS, CountingStore, make_issuer

UTC = dt.timezone.utc


@pytest.mark.parametrize("alg", SIGNING_ALGS)
def test_sign_then_verify_round_trips_for_every_algorithm(alg: str) -> None:
    issuer = make_issuer(alg)
    token = issuer.sign({"sub": "user-1", "email": "a@example.com", "n": 1.5, "tags": ["x"]})
    header = authjwt.decode_header(token)
    assert header["alg"] == alg
    keys = KeySet.from_jwks(issuer.jwks())
    claims = verify_jwt(token, keys, issuer="https://auth.example.com", audience="api").payload
    assert claims["sub"] == "user-1"
    assert claims["email"] == "a@example.com"
    assert claims["n"] == 1.5 and claims["tags"] == ["x"]
    assert claims["iss"] == "https://auth.example.com" and claims["aud"] == "api"
    assert claims["exp"] - claims["iat"] == 15 * 60


def test_issuer_verify_uses_its_own_keys_and_defaults() -> None:
    issuer = make_issuer()
    token = issuer.sign({"sub": "u"})
    verified = issuer.verify(token)
    assert verified.payload["sub"] == "u"
    assert verified.header["kid"] == issuer.jwks()["keys"][0]["kid"]
    assert verified.protected_header == verified.header
    with pytest.raises(authjwt.JWTClaimValidationFailed) as info:
        issuer.verify(token, audience="other")
    assert info.value.claim == "aud"


def test_sign_overrides_follow_better_auth() -> None:
    issuer = make_issuer()
    token = issuer.sign(
        {"role": "admin"},
        expiration_time="5m",
        issuer="https://other.example.com",
        audience=["a", "b"],
        subject="user-9",
        typ="at+jwt",
    )
    header = authjwt.decode_header(token)
    claims = authjwt.decode_jwt(token)
    assert header["typ"] == "at+jwt"
    assert claims["iss"] == "https://other.example.com"
    assert claims["aud"] == ["a", "b"]
    assert claims["sub"] == "user-9"
    assert claims["exp"] - claims["iat"] == 300


@pytest.mark.parametrize(
    "value, expected_span",
    [("2 hours", 7200), ("1d", 86400), (dt.timedelta(minutes=2), 120)],
)
def test_expiration_time_accepts_spans(value: Any, expected_span: int) -> None:
    claims = authjwt.decode_jwt(make_issuer().sign({}, expiration_time=value))
    assert claims["exp"] - claims["iat"] == expected_span


def test_expiration_time_number_and_datetime_are_absolute() -> None:
    issuer = make_issuer()
    at = 4_000_000_000
    assert authjwt.decode_jwt(issuer.sign({}, expiration_time=at))["exp"] == at
    when = dt.datetime(2100, 1, 1, tzinfo=UTC)
    assert authjwt.decode_jwt(issuer.sign({}, expiration_time=when))["exp"] == int(when.timestamp())


def test_malformed_expiration_span_is_invalid_config() -> None:
    with pytest.raises(authjwt.InvalidConfig):
        make_issuer().sign({}, expiration_time="soon")


def test_payload_must_be_a_json_dict() -> None:
    issuer = make_issuer()
    with pytest.raises(TypeError):
        issuer.sign(["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        issuer.sign({"when": dt.datetime.now(UTC)})
    with pytest.raises(TypeError):
        issuer.sign({1: "int key"})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        issuer.sign({"x": float("nan")})


def test_payload_keeps_unicode_nesting_and_big_ints() -> None:
    issuer = make_issuer()
    payload = {"name": "Zoë \"q\" \\ \u2028 😀", "deep": {"a": [1, {"b": None, "c": True}]}, "big": 2**63 - 1}
    claims = authjwt.decode_jwt(issuer.sign(payload))
    for k, v in payload.items():
        assert claims[k] == v


def test_sign_session_uses_user_object_and_id_as_subject() -> None:
    issuer = make_issuer()
    user = {"id": "u-1", "email": "a@example.com", "name": "Ada"}
    claims = authjwt.decode_jwt(issuer.sign_session(user, {"id": "s-1"}))
    assert claims["sub"] == "u-1"
    assert claims["email"] == "a@example.com" and claims["name"] == "Ada"


def test_sign_session_hooks_define_payload_and_subject() -> None:
    seen: List[Any] = []

    def define_payload(user: Dict[str, Any], session: Dict[str, Any]) -> Dict[str, Any]:
        seen.append((user["id"], session["id"]))
        return {"role": "member"}

    issuer = make_issuer(
        define_payload=define_payload,
        get_subject=lambda user, session: "custom-" + user["id"],
    )
    claims = authjwt.decode_jwt(issuer.sign_session({"id": "u-2", "email": "x"}, {"id": "s-2"}))
    assert seen == [("u-2", "s-2")]
    assert claims["role"] == "member" and "email" not in claims
    assert claims["sub"] == "custom-u-2"


def test_hook_exception_is_store_error_with_cause() -> None:
    class Boom(Exception):
        pass

    def define_payload(user: Any, session: Any) -> Dict[str, Any]:
        raise Boom("hook failed")

    issuer = make_issuer(define_payload=define_payload)
    with pytest.raises(authjwt.StoreError) as info:
        issuer.sign_session({"id": "u"}, {})
    assert isinstance(info.value.__cause__, Boom)
    assert info.value.code == "ERR_STORE"


def test_jwks_is_better_auth_body_and_creates_first_key(store: CountingStore) -> None:
    issuer = make_issuer(store=store)
    doc = issuer.jwks()
    assert store.creates == 1
    [key] = doc["keys"]
    assert key["kid"] == store.rows[0].id
    assert key["alg"] == "EdDSA" and key["crv"] == "Ed25519" and key["kty"] == "OKP"
    assert "d" not in key
    assert json.loads(store.rows[0].public_key) == {k: key[k] for k in ("crv", "x", "kty")}


def test_private_key_is_sealed_at_rest(store: CountingStore) -> None:
    make_issuer(store=store).sign({})
    sealed = store.rows[0].private_key
    assert '"d"' not in sealed
    # The test secret is typed text, not 256 random bits: authjwt-v2 stretches it with PBKDF2.
    assert (json.loads(sealed)["v"], json.loads(sealed)["kdf"]) == (2, "PBKDF2-SHA256")


def test_random_secret_is_sealed_with_hkdf_and_v1_on_request(store: CountingStore) -> None:
    random_hex = "b2f7c1e94a3d8065f1c2e7a9b4d3f8061e5a2c7b9d4f0e3a6c8b1d5f7e9a2c4b"
    make_issuer(store=store, secret=random_hex).sign({})
    assert json.loads(store.rows[0].private_key)["kdf"] == "HKDF-SHA256"
    v1_store = CountingStore()
    make_issuer(store=v1_store, secret=random_hex, private_key_format="authjwt-v1").sign({})
    assert (json.loads(v1_store.rows[0].private_key)["v"], json.loads(v1_store.rows[0].private_key)["kdf"]) == (1, "PBKDF2-SHA256")


def test_better_auth_private_key_format_is_a_hex_string(store: CountingStore) -> None:
    make_issuer(store=store, private_key_format="better-auth").sign({})
    sealed = json.loads(store.rows[0].private_key)
    assert isinstance(sealed, str) and all(c in "0123456789abcdef" for c in sealed)


def test_disabled_encryption_stores_private_jwk(store: CountingStore) -> None:
    make_issuer(store=store, secret=None, disable_private_key_encryption=True).sign({})
    assert "d" in json.loads(store.rows[0].private_key)


def test_rotate_adds_key_and_keeps_old_one_published(store: CountingStore) -> None:
    issuer = make_issuer(store=store)
    old = issuer.sign({})
    row = issuer.rotate()
    assert isinstance(row, JwkRow)
    new = issuer.sign({})
    assert authjwt.decode_header(new)["kid"] == row.id != authjwt.decode_header(old)["kid"]
    kids = {k["kid"] for k in issuer.jwks()["keys"]}
    assert kids == {r.id for r in store.rows}
    keys = KeySet.from_jwks(issuer.jwks())
    assert verify_jwt(old, keys).payload["iss"] == "https://auth.example.com"


def test_rotation_interval_with_injected_clock(store: CountingStore) -> None:
    clock = ManualClock(dt.datetime(2030, 1, 1, tzinfo=UTC))
    issuer = make_issuer(
        store=store, rotation_interval=3600, grace_period=600, clock=clock
    )
    first = authjwt.decode_header(issuer.sign({}))["kid"]
    clock.advance(1800)
    assert authjwt.decode_header(issuer.sign({}))["kid"] == first
    clock.advance(1801)  # past expires_at of the first key
    second = authjwt.decode_header(issuer.sign({}))["kid"]
    assert second != first
    assert store.rows[0].expires_at == store.rows[0].created_at + dt.timedelta(hours=1)
    assert {k["kid"] for k in issuer.jwks()["keys"]} == {first, second}
    clock.advance(601)  # past expires_at + grace period of the first key
    assert {k["kid"] for k in issuer.jwks()["keys"]} == {second}


def test_callable_clock_is_accepted() -> None:
    fixed = dt.datetime(2031, 5, 1, tzinfo=UTC)
    issuer = make_issuer(clock=lambda: fixed)
    assert authjwt.decode_jwt(issuer.sign({}))["iat"] == int(fixed.timestamp())


def test_warm_cache_makes_no_store_calls(store: CountingStore) -> None:
    issuer = make_issuer(store=store)
    issuer.sign({})
    gets, creates = store.gets, store.creates
    for _ in range(1000):
        issuer.sign({"sub": "x"})
    assert (store.gets, store.creates) == (gets, creates)


def test_signing_key_id_and_algorithm_overrides(store: CountingStore) -> None:
    issuer = make_issuer(store=store, key_pair_configs=[{"alg": "ES256"}])
    es = issuer.sign({}, signing_algorithm="ES256")
    assert authjwt.decode_header(es)["alg"] == "ES256"
    ed = issuer.sign({})
    kid = authjwt.decode_header(ed)["kid"]
    pinned = issuer.sign({}, signing_key_id=kid)
    assert authjwt.decode_header(pinned)["kid"] == kid
    with pytest.raises(authjwt.AuthJwtError):
        issuer.sign({}, signing_key_id="no-such-kid")
    with pytest.raises(authjwt.InvalidConfig):
        issuer.sign({}, signing_algorithm="RS256")


def test_events_are_reported_without_secrets() -> None:
    events: List[Dict[str, Any]] = []
    issuer = make_issuer(on_event=events.append)
    token = issuer.sign({"sub": "secret-subject"})
    issuer.verify(token)
    with pytest.raises(authjwt.AuthJwtError):
        issuer.verify(token + "x")
    types = [e["type"] for e in events]
    assert "key.created" in types and "token.issued" in types
    assert "token.verified" in types and "token.rejected" in types
    assert token not in repr(events) and "secret-subject" not in repr(events)


def test_event_callback_exception_does_not_break_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    reported: List[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))

    def broken(event: Dict[str, Any]) -> None:
        raise RuntimeError("monitoring is down")

    issuer = make_issuer(on_event=broken)
    assert issuer.sign({}).count(".") == 2
    assert reported and all(isinstance(e, RuntimeError) for e in reported)


@pytest.mark.parametrize(
    "config",
    [{"alg": "ECDH-ES"}, {"alg": "Ed448"}, {"alg": "HS256"}, {"alg": "RS256", "modulus_length": 1024}, {"alg": "nope"}],
)
def test_unsupported_configurations_fail_when_built(config: Dict[str, Any]) -> None:
    with pytest.raises(authjwt.InvalidConfig) as info:
        Issuer(secret=SECRET, key_pair_config=config)
    assert info.value.code == "ERR_INVALID_CONFIG"
    assert "supported" in str(info.value) or "bits" in str(info.value)


def test_encryption_without_secret_is_invalid_config() -> None:
    with pytest.raises(authjwt.InvalidConfig):
        Issuer()


def test_wrong_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        Issuer(secret=123)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Issuer(secret=SECRET, key_pair_config="EdDSA")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Issuer(secret=SECRET, store=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expiration"):
        Issuer(secret=SECRET, expiresIn="15m")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Issuer(MemoryStore())  # type: ignore[misc]


def test_wrong_secret_is_key_decryption_failed_naming_the_kid() -> None:
    shared = MemoryStore()
    make_issuer(store=shared).sign({})
    kid = shared.get_jwks()[0].id
    other = make_issuer(store=shared, secret="a different secret entirely, long enough")
    with pytest.raises(authjwt.KeyDecryptionFailed) as info:
        other.sign({})
    assert info.value.kid == kid and kid in str(info.value)
    assert SECRET not in str(info.value)
    assert len(shared) == 1, "no key is made behind the user's back"


def test_several_secrets_open_rows_sealed_with_an_older_one() -> None:
    shared = MemoryStore()
    token = make_issuer(store=shared, secret="old secret value, long enough to seal").sign({})
    rotated = make_issuer(store=shared, secret=["new secret value, long enough to seal", "old secret value, long enough to seal"])
    assert authjwt.decode_header(rotated.sign({}))["kid"] == authjwt.decode_header(token)["kid"]


def test_versioned_secrets_dict_is_accepted() -> None:
    issuer = make_issuer(secret={"2": "second secret value, long enough to seal", "1": "first secret value"},
                         private_key_format="better-auth")
    assert issuer.sign({}).count(".") == 2


@pytest.mark.parametrize(
    "secret",
    [
        {"1": "first secret value", "2": "second secret value, long enough to seal"},
        {2: "second secret value", 10: "tenth secret value, long enough to seal", 9: "ninth secret value"},
    ],
)
def test_versioned_secrets_dict_makes_the_highest_version_current(secret: Dict[Any, str]) -> None:
    # Not the first entry: a map has no order every host keeps, so the version number decides.
    store = MemoryStore()
    make_issuer(store=store, secret=secret, private_key_format="better-auth").sign({})
    newest = max(int(v) for v in secret)
    assert json.loads(store.get_jwks()[0].private_key).startswith(f"$ba${newest}$")


def test_versioned_secrets_dict_needs_numeric_versions() -> None:
    with pytest.raises(authjwt.InvalidConfig) as info:
        Issuer(secret={"v1": "a secret value"})
    assert "secret" in str(info.value) and "a secret value" not in str(info.value)


def test_memory_store_is_shared_and_typed() -> None:
    shared = MemoryStore()
    make_issuer(store=shared).sign({})
    rows = shared.get_jwks()
    assert len(rows) == 1 and isinstance(rows[0], JwkRow)
    assert rows[0].created_at.tzinfo is not None
    copy = MemoryStore(rows)
    assert copy.get_jwks() == rows
