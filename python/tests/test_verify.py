"""verify_jwt and KeySet: options, every error code, unverified decoding, bearer extraction."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from typing import Any, Dict, Tuple

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import authjwt
from authjwt import KeySet, verify_jwt

from conftest import SECRET, make_issuer

UTC = dt.timezone.utc


def now() -> int:
    """The current NumericDate, read when a token is made: the suite runs for minutes, so a time read
    at import would be stale by the time a test signs with it."""
    return int(time.time())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ed_key(kid: str = "ed-1") -> Tuple[Any, Dict[str, Any]]:
    priv = ed25519.Ed25519PrivateKey.generate()
    jwk = json.loads(pyjwt.algorithms.OKPAlgorithm.to_jwk(priv.public_key()))
    jwk.update(kid=kid, alg="EdDSA", use="sig")
    return priv, jwk


def es_key(kid: str = "es-1") -> Tuple[Any, Dict[str, Any]]:
    priv = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(pyjwt.algorithms.ECAlgorithm.to_jwk(priv.public_key()))
    jwk.update(kid=kid, alg="ES256")
    return priv, jwk


def claims(**extra: Any) -> Dict[str, Any]:
    base = {"sub": "u", "iss": "https://auth.example.com", "aud": "api", "iat": now(), "exp": now() + 600}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture(scope="module")
def ed() -> Tuple[Any, KeySet]:
    priv, jwk = ed_key()
    return priv, KeySet.from_jwks({"keys": [jwk]})


def sign_ed(priv: Any, payload: Any, **headers: Any) -> str:
    headers.setdefault("kid", "ed-1")
    return pyjwt.encode(payload, priv, algorithm="EdDSA", headers=headers)


def test_key_set_from_dict_and_text() -> None:
    _, jwk = ed_key("a")
    _, jwk2 = es_key("b")
    doc = {"keys": [jwk, jwk2]}
    for ks in (KeySet.from_jwks(doc), KeySet.from_jwks(json.dumps(doc))):
        assert len(ks) == 2 and set(ks.kids) == {"a", "b"}
        assert set(ks.algorithms) >= {"EdDSA", "ES256"}
    with pytest.raises(TypeError):
        KeySet.from_jwks(42)  # type: ignore[arg-type]


def test_verify_options_pass(ed: Tuple[Any, KeySet]) -> None:
    priv, keys = ed
    token = sign_ed(priv, claims(scope="read"), typ="at+jwt")
    v = verify_jwt(
        token,
        keys,
        issuer="https://auth.example.com",
        audience=["other", "api"],
        algorithms=["EdDSA"],
        leeway=5,
        max_token_age="1h",
        required_claims=["scope"],
        typ="at+jwt",
        subject="u",
        now=dt.datetime.now(UTC),
    )
    assert v.payload["scope"] == "read" and v.header["typ"] == "at+jwt"


def expect(code: str, fn: Any, *args: Any, **kwargs: Any) -> authjwt.AuthJwtError:
    with pytest.raises(authjwt.AuthJwtError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, str(info.value)
    return info.value


def test_err_jws_invalid(ed: Tuple[Any, KeySet]) -> None:
    e = expect("ERR_JWS_INVALID", verify_jwt, "not.a-token", ed[1])
    assert isinstance(e, authjwt.JWSInvalid)
    expect("ERR_JWS_INVALID", verify_jwt, "a.b.c.d", ed[1])


def test_err_jwt_invalid(ed: Tuple[Any, KeySet]) -> None:
    token = pyjwt.api_jws.encode(b"[1,2]", ed[0], algorithm="EdDSA", headers={"kid": "ed-1"})
    assert isinstance(expect("ERR_JWT_INVALID", verify_jwt, token, ed[1]), authjwt.JWTInvalid)


def test_err_alg_not_allowed(ed: Tuple[Any, KeySet]) -> None:
    none = b64(b'{"alg":"none","kid":"ed-1"}') + "." + b64(json.dumps(claims()).encode()) + "."
    e = expect("ERR_JOSE_ALG_NOT_ALLOWED", verify_jwt, none, ed[1])
    assert isinstance(e, authjwt.AlgNotAllowed)
    token = sign_ed(ed[0], claims())
    expect("ERR_JOSE_ALG_NOT_ALLOWED", verify_jwt, token, ed[1], algorithms=["ES256"])


def test_err_not_supported_for_crit(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims(), crit=["exp"])
    assert isinstance(expect("ERR_JOSE_NOT_SUPPORTED", verify_jwt, token, ed[1]), authjwt.NotSupported)


def test_err_signature_verification_failed(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims())
    head, body, sig = token.split(".")
    forged = ".".join([head, b64(json.dumps(claims(sub="admin")).encode()), sig])
    e = expect("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", verify_jwt, forged, ed[1])
    assert isinstance(e, authjwt.JWSSignatureVerificationFailed)


def test_err_no_matching_key(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims(), kid="unknown")
    assert isinstance(expect("ERR_JWKS_NO_MATCHING_KEY", verify_jwt, token, ed[1]), authjwt.JWKSNoMatchingKey)


def test_err_multiple_matching_keys_for_kidless_token() -> None:
    a, jwk_a = ed_key("a")
    _, jwk_b = ed_key("b")
    stranger, _ = ed_key("c")
    keys = KeySet.from_jwks({"keys": [jwk_a, jwk_b]})
    assert verify_jwt(pyjwt.encode(claims(), a, algorithm="EdDSA"), keys).payload["sub"] == "u"
    token = pyjwt.encode(claims(), stranger, algorithm="EdDSA")
    e = expect("ERR_JWKS_MULTIPLE_MATCHING_KEYS", verify_jwt, token, keys)
    assert isinstance(e, authjwt.JWKSMultipleMatchingKeys)


def test_err_jwks_invalid() -> None:
    e = expect("ERR_JWKS_INVALID", KeySet.from_jwks, {"keys": 5})
    assert isinstance(e, authjwt.JWKSInvalid)
    expect("ERR_JWKS_INVALID", KeySet.from_jwks, "{not json")
    expect("ERR_JWKS_INVALID", KeySet.from_jwks, {"keys": ["not a key"]})


def test_keys_sharing_a_kid_are_both_tried_and_private_members_are_never_used() -> None:
    first, jwk = ed_key("dup")
    second, twin = ed_key("dup")
    keys = KeySet.from_jwks({"keys": [jwk, twin]})
    assert len(keys) == 2
    for priv in (first, second):
        assert verify_jwt(sign_ed(priv, claims(), kid="dup"), keys).header["kid"] == "dup"
    priv_jwk = dict(jwk, d=b64(b"\x01" * 32), kid="private")
    events: list = []
    leaked = KeySet.from_jwks({"keys": [priv_jwk]}, on_event=events.append)
    assert len(leaked) == 0
    assert [(e["type"], e["reason"]) for e in events] == [("jwks.key_skipped", "private_key_published")]
    expect("ERR_JWKS_NO_MATCHING_KEY", verify_jwt, sign_ed(first, claims(), kid="private"), leaked)


def test_err_jwt_expired(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims(exp=now() - 10))
    e = expect("ERR_JWT_EXPIRED", verify_jwt, token, ed[1])
    assert isinstance(e, authjwt.JWTExpired) and e.claim == "exp"
    # Leeway and an injected `now` move the boundary.
    assert verify_jwt(token, ed[1], leeway=60).payload["sub"] == "u"
    later = sign_ed(ed[0], claims())
    expect("ERR_JWT_EXPIRED", verify_jwt, later, ed[1], now=dt.datetime.now(UTC) + dt.timedelta(hours=1))


@pytest.mark.parametrize(
    "payload, options, claim, reason",
    [
        (claims(aud="web"), {"audience": "api"}, "aud", "check_failed"),
        (claims(iss="https://evil.example.com"), {"issuer": "https://auth.example.com"}, "iss", "check_failed"),
        (claims(exp=None), {}, "exp", "missing"),
        (claims(exp="soon"), {}, "exp", "invalid"),
        (claims(nbf=now() + 3600), {}, "nbf", "check_failed"),
        (claims(), {"required_claims": ["email"]}, "email", "missing"),
        (claims(), {"subject": "other"}, "sub", "check_failed"),
    ],
)
def test_err_claim_validation_failed(
    ed: Tuple[Any, KeySet], payload: Dict[str, Any], options: Dict[str, Any], claim: str, reason: str
) -> None:
    token = sign_ed(ed[0], payload)
    e = expect("ERR_JWT_CLAIM_VALIDATION_FAILED", verify_jwt, token, ed[1], **options)
    assert isinstance(e, authjwt.JWTClaimValidationFailed)
    assert (e.claim, e.reason) == (claim, reason)


def test_max_token_age_exceeded_is_jwt_expired_as_in_jose(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims(iat=now() - 7200))
    assert verify_jwt(token, ed[1]).payload["sub"] == "u"
    e = expect("ERR_JWT_EXPIRED", verify_jwt, token, ed[1], max_token_age=3600)
    assert isinstance(e, authjwt.JWTExpired)
    assert (e.claim, e.reason) == ("iat", "check_failed"), "jose reports claim iat for maxTokenAge"
    assert verify_jwt(token, ed[1], max_token_age="3h").payload["sub"] == "u"


def test_exp_can_be_made_optional(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims(exp=None))
    assert verify_jwt(token, ed[1], require_exp=False).payload["sub"] == "u"


def test_typ_mismatch_is_claim_failure(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims(), typ="JWT")
    e = expect("ERR_JWT_CLAIM_VALIDATION_FAILED", verify_jwt, token, ed[1], typ="at+jwt")
    assert e.claim == "typ"


def test_short_rsa_keys_are_skipped_and_match_no_token() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    jwk = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(small.public_key()))
    jwk.update(kid="small", alg="RS256")
    events: list = []
    keys = KeySet.from_jwks({"keys": [jwk]}, on_event=events.append)
    assert len(keys) == 0
    assert [(e["index"], e["kid"], e["reason"]) for e in events] == [(0, "small", "weak_key")]
    expect("ERR_JWKS_NO_MATCHING_KEY", verify_jwt, sign_ed(ed_key()[0], claims(), kid="small"), keys)


def test_err_weak_key_for_short_rsa_row() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    priv = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(small))
    pub = {k: priv[k] for k in ("kty", "n", "e")}
    row = authjwt.JwkRow(
        id="weak", public_key=json.dumps(pub), private_key=json.dumps(priv),
        created_at=dt.datetime.now(UTC), alg="RS256",
    )
    issuer = make_issuer("RS256", store=authjwt.MemoryStore([row]), secret=None,
                         disable_private_key_encryption=True)
    # The store handed back an unusable row: a store failure that says why.
    e = expect("ERR_STORE", issuer.sign, {})
    assert "2048" in str(e)


@pytest.mark.parametrize(
    "code, cls",
    [
        ("ERR_JWS_INVALID", authjwt.JWSInvalid),
        ("ERR_JWT_INVALID", authjwt.JWTInvalid),
        ("ERR_JOSE_ALG_NOT_ALLOWED", authjwt.AlgNotAllowed),
        ("ERR_JOSE_NOT_SUPPORTED", authjwt.NotSupported),
        ("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", authjwt.JWSSignatureVerificationFailed),
        ("ERR_JWKS_NO_MATCHING_KEY", authjwt.JWKSNoMatchingKey),
        ("ERR_JWKS_MULTIPLE_MATCHING_KEYS", authjwt.JWKSMultipleMatchingKeys),
        ("ERR_JWKS_INVALID", authjwt.JWKSInvalid),
        ("ERR_JWKS_TIMEOUT", authjwt.JWKSTimeout),
        ("ERR_JWT_EXPIRED", authjwt.JWTExpired),
        ("ERR_JWT_CLAIM_VALIDATION_FAILED", authjwt.JWTClaimValidationFailed),
        ("ERR_KEY_DECRYPTION_FAILED", authjwt.KeyDecryptionFailed),
        ("ERR_WEAK_KEY", authjwt.WeakKey),
        ("ERR_STORE", authjwt.StoreError),
        ("ERR_INVALID_CONFIG", authjwt.InvalidConfig),
    ],
)
def test_every_code_has_its_class_under_auth_jwt_error(code: str, cls: type) -> None:
    assert issubclass(cls, authjwt.AuthJwtError) and cls.code == code  # type: ignore[attr-defined]


def test_err_invalid_config_for_unknown_algorithm(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims())
    expect("ERR_INVALID_CONFIG", verify_jwt, token, ed[1], algorithms=["HS256"])


def test_unknown_verify_option_is_type_error(ed: Tuple[Any, KeySet]) -> None:
    with pytest.raises(TypeError):
        verify_jwt(sign_ed(ed[0], claims()), ed[1], audiences="api")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        verify_jwt(sign_ed(ed[0], claims()), {"keys": []})  # type: ignore[arg-type]


def test_error_messages_never_contain_token_or_claim_values(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims(aud="very-secret-audience-value"))
    with pytest.raises(authjwt.AuthJwtError) as info:
        verify_jwt(token, ed[1], audience="api")
    assert "very-secret-audience-value" not in str(info.value)
    assert token not in str(info.value)


def test_decode_jwt_and_header_do_not_verify(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims(exp=now() - 100))
    assert authjwt.decode_jwt(token)["sub"] == "u"
    assert authjwt.decode_header(token) == {"alg": "EdDSA", "kid": "ed-1", "typ": "JWT"}
    assert authjwt.decode_protected_header(token)["kid"] == "ed-1"
    with pytest.raises(authjwt.JWSInvalid):
        authjwt.decode_jwt("garbage")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc.def.ghi", "abc.def.ghi"),
        ("BEARER  abc.def-_.g", "abc.def-_.g"),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("Bearer a b", None),
        ("Bearer a-_.~+/b==", "a-_.~+/b=="),
        ("Bearer =abc", None),
        ("Bearer a=b", None),
        ("", None),
        (None, None),
    ],
)
def test_extract_bearer_token(value: Any, expected: Any) -> None:
    assert authjwt.extract_bearer_token(value) == expected


def test_verify_releases_no_state_between_calls(ed: Tuple[Any, KeySet]) -> None:
    token = sign_ed(ed[0], claims())
    for _ in range(2000):
        assert verify_jwt(token, ed[1]).payload["sub"] == "u"
