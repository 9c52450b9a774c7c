"""Signing with a host callback (a KMS), as Better Auth's `jwt.sign` with `jwks.remoteUrl`.

Every token is checked before `sign()` returns it: the answer's shape per algorithm (DER ECDSA,
what AWS and Google Cloud KMS return, becomes JOSE r || s) and its signature against the signer's
key in the JWKS at `remote_url` (served here on 127.0.0.1) or its `public_key`. The "KMS" is a
`cryptography` key in the test; digest signing uses its prehashed signatures, as a KMS does."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

import authjwt
from authjwt import AsyncIssuer, Issuer, KeySet, verify_jwt

EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_KEY_V2 = ec.generate_private_key(ec.SECP256R1())
OTHER_EC_KEY = ec.generate_private_key(ec.SECP256R1())
P384_KEY = ec.generate_private_key(ec.SECP384R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def public_jwk(key: Any, kid: str, alg: str) -> Dict[str, Any]:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        jwk: Dict[str, Any] = json.loads(pyjwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    elif isinstance(key, rsa.RSAPrivateKey):
        jwk = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    else:
        jwk = json.loads(pyjwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, alg=alg)
    return jwk


JWKS = {
    "keys": [
        public_jwk(EC_KEY, "es/1", "ES256"),
        public_jwk(EC_KEY_V2, "es/2", "ES256"),
        public_jwk(P384_KEY, "es384/1", "ES384"),
        public_jwk(RSA_KEY, "rsa/1", "PS256"),
        public_jwk(ED_KEY, "ed/1", "EdDSA"),
    ]
}


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    body = json.dumps(JWKS).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()


def der(key: ec.EllipticCurvePrivateKey) -> Callable[[bytes], bytes]:
    """What AWS KMS and Google Cloud KMS answer for ECDSA: DER."""
    return lambda message: key.sign(message, ec.ECDSA(hashes.SHA256()))


def kms_issuer(url: str, **signer: Any) -> Issuer:
    return Issuer(
        external_signer=signer,  # type: ignore[arg-type]
        remote_url=url,
        disable_private_key_encryption=True,
        issuer="https://auth.example.com",
    )


def test_der_answers_give_tokens_pyjwt_verifies_through_remote_url(jwks_url: str) -> None:
    issuer = kms_issuer(jwks_url, sign=der(EC_KEY), alg="ES256", kid="es/1")
    client = pyjwt.PyJWKClient(jwks_url)
    for i in range(20):
        token = issuer.sign({"sub": f"u{i}"})
        key = client.get_signing_key_from_jwt(token)
        claims = pyjwt.decode(token, key.key, algorithms=["ES256"], issuer="https://auth.example.com")
        assert claims["sub"] == f"u{i}"
    assert issuer.jwks() == JWKS, "jwks() serves the body at remote_url"


def test_digest_signing_with_prehashed_keys(jwks_url: str) -> None:
    seen: List[bytes] = []

    def sign_ps256(digest: bytes) -> bytes:
        seen.append(digest)
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return RSA_KEY.sign(digest, pss, utils.Prehashed(hashes.SHA256()))

    issuer = kms_issuer(jwks_url, sign=sign_ps256, alg="PS256", kid="rsa/1", message_type="digest")
    token = issuer.sign({"sub": "d"})
    assert seen == [hashlib.sha256(token.rsplit(".", 1)[0].encode()).digest()]
    key = pyjwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
    assert pyjwt.decode(token, key.key, algorithms=["PS256"])["sub"] == "d"

    p384 = kms_issuer(
        jwks_url,
        sign=lambda d: P384_KEY.sign(d, ec.ECDSA(utils.Prehashed(hashes.SHA384()))),
        alg="ES384",
        kid="es384/1",
        message_type="digest",
    )
    token = p384.sign({"sub": "e"})
    key = pyjwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
    assert pyjwt.decode(token, key.key, algorithms=["ES384"])["sub"] == "e"


def test_kid_callable_names_the_key_version(jwks_url: str) -> None:
    current = ["es/1"]
    keys = {"es/1": EC_KEY, "es/2": EC_KEY_V2}
    issuer = kms_issuer(
        jwks_url,
        sign=lambda message, kid: der(keys[kid])(message),
        alg="ES256",
        kid=lambda: current[0],
    )
    assert pyjwt.get_unverified_header(issuer.sign({}))["kid"] == "es/1"
    current[0] = "es/2"
    token = issuer.sign({})
    assert pyjwt.get_unverified_header(token)["kid"] == "es/2"
    assert verify_jwt(token, KeySet.from_jwks(JWKS)).header["kid"] == "es/2"


BAD_ANSWERS: Dict[str, Callable[[bytes], Any]] = {
    "wrong key": der(OTHER_EC_KEY),
    "wrong algorithm (P-384 key)": lambda m: P384_KEY.sign(m, ec.ECDSA(hashes.SHA384())),
    "wrong algorithm (Ed25519 answer)": lambda m: ED_KEY.sign(m),
    "truncated": lambda m: der(EC_KEY)(m)[:-1],
    "empty": lambda m: b"",
    "10 bytes": lambda m: b"\x01" * 10,
    "a str": lambda m: "c2lnbmF0dXJl",
    "None": lambda m: None,
    "DER with a flipped bit": lambda m: (lambda s: s[:-3] + bytes([s[-3] ^ 1]) + s[-2:])(der(EC_KEY)(m)),
}


@pytest.mark.parametrize("what", list(BAD_ANSWERS))
def test_bad_answers_are_refused_before_a_token_leaves_sign(jwks_url: str, what: str) -> None:
    calls: List[bytes] = []

    def sign(message: bytes) -> Any:
        calls.append(message)
        return BAD_ANSWERS[what](message)

    issuer = kms_issuer(jwks_url, sign=sign, alg="ES256", kid="es/1")
    with pytest.raises(authjwt.StoreError):
        issuer.sign({"sub": "x"})
    assert len(calls) == 1


@pytest.mark.asyncio
async def test_async_signer_is_awaited_and_checked(jwks_url: str) -> None:
    async def sign(message: bytes) -> bytes:
        return ED_KEY.sign(message)

    async def wrong(message: bytes) -> bytes:
        return ed25519.Ed25519PrivateKey.generate().sign(message)

    good = AsyncIssuer(external_signer={"sign": sign, "alg": "EdDSA", "kid": "ed/1"},
                       remote_url=jwks_url, disable_private_key_encryption=True)
    token = await good.sign({"sub": "a"})
    assert verify_jwt(token, KeySet.from_jwks(JWKS)).payload["sub"] == "a"
    bad = AsyncIssuer(external_signer={"sign": wrong, "alg": "EdDSA", "kid": "ed/1"},
                      remote_url=jwks_url, disable_private_key_encryption=True)
    with pytest.raises(authjwt.StoreError):
        await bad.sign({})


def test_public_key_and_verification_off_need_no_fetch() -> None:
    dead = "http://127.0.0.1:9/jwks.json"
    issuer = kms_issuer(dead, sign=ED_KEY.sign, alg="EdDSA", kid="ed/1",
                        public_key=public_jwk(ED_KEY, "ed/1", "EdDSA"))
    verify_jwt(issuer.sign({}), KeySet.from_jwks(JWKS))
    unchecked = kms_issuer(dead, sign=der(OTHER_EC_KEY), alg="ES256", kid="es/1", verify_before_return=False)
    with pytest.raises(authjwt.AuthJwtError):
        verify_jwt(unchecked.sign({}), KeySet.from_jwks(JWKS))
    empty = kms_issuer(dead, sign=lambda m: b"", alg="ES256", kid="es/1", verify_before_return=False)
    with pytest.raises(authjwt.StoreError):
        empty.sign({})


def test_signer_failure_is_store_error_with_cause() -> None:
    def sign(signing_input: bytes) -> bytes:
        raise TimeoutError("kms unavailable")

    issuer = kms_issuer("http://127.0.0.1:9/jwks.json", sign=sign, alg="EdDSA", kid="kms-1")
    with pytest.raises(authjwt.StoreError) as info:
        issuer.sign({})
    assert isinstance(info.value.__cause__, TimeoutError)


def test_configurations_that_cannot_work_are_refused() -> None:
    url = "https://kms.example.com/jwks.json"
    with pytest.raises(authjwt.InvalidConfig):
        Issuer(external_signer={"sign": ED_KEY.sign, "alg": "EdDSA", "kid": "k"},
               disable_private_key_encryption=True)
    with pytest.raises(TypeError):
        Issuer(external_signer={"alg": "EdDSA", "kid": "k"}, remote_url=url,  # type: ignore[typeddict-item]
               disable_private_key_encryption=True)
    private = json.loads(pyjwt.algorithms.OKPAlgorithm.to_jwk(ED_KEY))
    for bad in (
        {"message_type": "digest"},
        {"message_type": "hash"},
        {"verifyBeforeReturn": False},
        {"public_key": private},
    ):
        with pytest.raises(authjwt.InvalidConfig) as info:
            kms_issuer(url, sign=ED_KEY.sign, alg="EdDSA", kid="k", **bad)
        assert private["d"] not in str(info.value)
    issuer = kms_issuer(url, sign=ED_KEY.sign, alg="EdDSA", kid="k")
    with pytest.raises(authjwt.InvalidConfig, match="KMS"):
        issuer.rotate()
