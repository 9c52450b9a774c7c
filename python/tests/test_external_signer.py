"""Signing with a host callback (a KMS) and publishing `remote_url`, as Better Auth's `jwt.sign`
with `jwks.remoteUrl`."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

import authjwt
from authjwt import AsyncIssuer, Issuer, KeySet, verify_jwt

KMS_URL = "https://kms.example.com/.well-known/jwks.json"


def kms() -> Tuple[ed25519.Ed25519PrivateKey, KeySet]:
    key = ed25519.Ed25519PrivateKey.generate()
    jwk: Dict[str, Any] = json.loads(pyjwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="kms-1", alg="EdDSA")
    return key, KeySet.from_jwks({"keys": [jwk]})


def test_external_signer_signs_and_jwks_points_to_remote_url() -> None:
    key, keys = kms()
    inputs: List[bytes] = []

    def sign(signing_input: bytes) -> bytes:
        inputs.append(signing_input)
        return key.sign(signing_input)

    issuer = Issuer(
        external_signer={"sign": sign, "alg": "EdDSA", "kid": "kms-1"},
        remote_url=KMS_URL,
        disable_private_key_encryption=True,
        issuer="https://auth.example.com",
    )
    assert issuer.remote_url == KMS_URL
    token = issuer.sign({"sub": "u"})
    assert inputs == [token.rsplit(".", 1)[0].encode()]
    assert verify_jwt(token, keys, issuer="https://auth.example.com").header["kid"] == "kms-1"
    with pytest.raises(authjwt.InvalidConfig) as info:
        issuer.jwks()
    assert KMS_URL in str(info.value)


def test_external_signer_failure_is_store_error_with_cause() -> None:
    def sign(signing_input: bytes) -> bytes:
        raise TimeoutError("kms unavailable")

    issuer = Issuer(
        external_signer={"sign": sign, "alg": "EdDSA", "kid": "kms-1"},
        remote_url=KMS_URL,
        disable_private_key_encryption=True,
    )
    with pytest.raises(authjwt.StoreError) as info:
        issuer.sign({})
    assert isinstance(info.value.__cause__, TimeoutError)


def test_external_signer_without_remote_url_is_invalid_config() -> None:
    with pytest.raises(authjwt.InvalidConfig):
        Issuer(external_signer={"sign": lambda b: b, "alg": "EdDSA", "kid": "k"},
               disable_private_key_encryption=True)
    with pytest.raises(TypeError):
        Issuer(external_signer={"alg": "EdDSA", "kid": "k"}, remote_url=KMS_URL,  # type: ignore[typeddict-item]
               disable_private_key_encryption=True)


@pytest.mark.asyncio
async def test_async_external_signer_is_awaited() -> None:
    key, keys = kms()

    async def sign(signing_input: bytes) -> bytes:
        return key.sign(signing_input)

    issuer = AsyncIssuer(
        external_signer={"sign": sign, "alg": "EdDSA", "kid": "kms-1"},
        remote_url=KMS_URL,
        disable_private_key_encryption=True,
    )
    token = await issuer.sign({"sub": "a"})
    assert verify_jwt(token, keys).payload["sub"] == "a"
