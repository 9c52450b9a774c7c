"""Interop with real PyPI packages: PyJWT (with cryptography) and joserfc."""

from __future__ import annotations

import json
import time
from typing import Any, Dict

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet as JoseKeySet

import authjwt
from authjwt import KeySet, verify_jwt

from conftest import JwksServer, make_issuer

# Every algorithm authjwt signs that PyJWT verifies (PyJWT names Ed25519 keys "EdDSA").
PYJWT_ALGS = ["EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]


@pytest.mark.parametrize("alg", PYJWT_ALGS)
def test_pyjwt_verifies_authjwt_tokens_through_pyjwkclient(alg: str, jwks_server: JwksServer) -> None:
    issuer = make_issuer(alg)
    token = issuer.sign({"sub": "user-1", "email": "a@example.com"})
    jwks_server.document = issuer.jwks()
    client = pyjwt.PyJWKClient(jwks_server.url, cache_keys=True)
    key = client.get_signing_key_from_jwt(token)
    claims = pyjwt.decode(
        token,
        key.key,
        algorithms=[alg],
        audience="api",
        issuer="https://auth.example.com",
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    assert claims["sub"] == "user-1" and claims["email"] == "a@example.com"
    assert jwks_server.requests >= 1


def pyjwt_key(alg: str) -> Any:
    if alg == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate(), pyjwt.algorithms.OKPAlgorithm
    if alg.startswith("ES"):
        curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
        return ec.generate_private_key(curve), pyjwt.algorithms.ECAlgorithm
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), pyjwt.algorithms.RSAAlgorithm


@pytest.mark.parametrize("alg", PYJWT_ALGS)
def test_authjwt_verifies_pyjwt_tokens(alg: str) -> None:
    priv, family = pyjwt_key(alg)
    jwk: Dict[str, Any] = json.loads(family.to_jwk(priv.public_key()))
    jwk.update(kid="pyjwt-1", alg=alg)
    now = int(time.time())
    token = pyjwt.encode(
        {"sub": "u", "iss": "https://py.example.com", "aud": "api", "iat": now, "exp": now + 60},
        priv,
        algorithm=alg,
        headers={"kid": "pyjwt-1"},
    )
    keys = KeySet.from_jwks({"keys": [jwk]})
    v = verify_jwt(token, keys, issuer="https://py.example.com", audience="api", algorithms=[alg])
    assert v.payload["sub"] == "u" and v.header["alg"] == alg


@pytest.mark.parametrize("alg", ["Ed25519", "ES256", "ES384", "ES512", "RS256", "PS256"])
def test_joserfc_verifies_authjwt_tokens(alg: str) -> None:
    issuer = make_issuer(alg)
    token = issuer.sign({"sub": "user-2"})
    key_set = JoseKeySet.import_key_set(issuer.jwks())  # type: ignore[arg-type]
    decoded = jose_jwt.decode(token, key_set, algorithms=[alg])
    assert decoded.header["alg"] == alg
    assert decoded.claims["sub"] == "user-2"
    registry = jose_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": "https://auth.example.com"},
        aud={"essential": True, "value": "api"},
    )
    registry.validate(decoded.claims)


def test_authjwt_verifies_joserfc_tokens() -> None:
    from joserfc.jwk import OKPKey

    key = OKPKey.generate_key("Ed25519", parameters={"kid": "jose-1"})
    now = int(time.time())
    token = jose_jwt.encode(
        {"alg": "Ed25519", "kid": "jose-1"}, {"sub": "j", "exp": now + 60, "iat": now}, key,
        algorithms=["Ed25519"],
    )
    public = key.as_dict(private=False)
    v = verify_jwt(token, KeySet.from_jwks({"keys": [public]}), algorithms=["Ed25519"])
    assert v.payload["sub"] == "j"
