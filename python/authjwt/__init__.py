"""authjwt: the JWT engine of an auth server, in Rust, for Python.

Issue tokens with keys kept in your own storage (Better Auth's ``jwks`` table), publish a JWKS,
rotate keys with a grace period, and verify tokens strictly from a local or remote key set.

>>> from authjwt import Issuer, KeySet, verify_jwt
>>> issuer = Issuer(secret="a long random secret of 32+ characters", issuer="https://auth.example.com", audience="api")
>>> token = issuer.sign({"sub": "user-1"})
>>> verify_jwt(token, KeySet.from_jwks(issuer.jwks()), audience="api").payload["sub"]
'user-1'
"""

from __future__ import annotations

from ._async import AsyncIssuer, AsyncRemoteKeySet
from ._native import (
    Issuer,
    JwkRow,
    JwksCacheEntry,
    KeySet,
    ManualClock,
    MemoryStore,
    Challenge,
    RemoteKeySet,
    VerifiedJwt,
    __version__,
    auth_challenge,
    decode_header,
    decode_jwt,
    extract_bearer_token,
    if_none_match,
    jwks_etag,
    missing_scopes,
    verify_jwt,
)
from ._types import (
    AsyncJwksCache,
    AsyncKeyStore,
    AsyncUpdatableKeyStore,
    EventCallback,
    ExternalSigner,
    JsonDict,
    JwksCache,
    JwkUpdate,
    KeyStore,
    UpdatableKeyStore,
)
from .errors import (
    AlgNotAllowed,
    AuthJwtError,
    InvalidConfig,
    JOSEAlgNotAllowed,
    JOSENotSupported,
    JWKSInvalid,
    JWKSMultipleMatchingKeys,
    JWKSNoMatchingKey,
    JWKSTimeout,
    JWKSUnavailable,
    JWSInvalid,
    JWSSignatureVerificationFailed,
    JWTClaimValidationFailed,
    JWTExpired,
    JWTInvalid,
    KeyDecryptionFailed,
    NotSupported,
    StoreError,
    WeakKey,
)

#: Alias of :func:`decode_header`, jose's name.
decode_protected_header = decode_header

__all__ = [
    "AlgNotAllowed",
    "AsyncIssuer",
    "AsyncJwksCache",
    "AsyncKeyStore",
    "AsyncUpdatableKeyStore",
    "AsyncRemoteKeySet",
    "AuthJwtError",
    "Challenge",
    "EventCallback",
    "ExternalSigner",
    "InvalidConfig",
    "Issuer",
    "JOSEAlgNotAllowed",
    "JOSENotSupported",
    "JWKSInvalid",
    "JWKSMultipleMatchingKeys",
    "JWKSNoMatchingKey",
    "JWKSTimeout",
    "JWKSUnavailable",
    "JWSInvalid",
    "JWSSignatureVerificationFailed",
    "JWTClaimValidationFailed",
    "JWTExpired",
    "JWTInvalid",
    "JsonDict",
    "JwkRow",
    "JwkUpdate",
    "JwksCache",
    "JwksCacheEntry",
    "KeyDecryptionFailed",
    "KeySet",
    "KeyStore",
    "ManualClock",
    "MemoryStore",
    "NotSupported",
    "RemoteKeySet",
    "StoreError",
    "UpdatableKeyStore",
    "VerifiedJwt",
    "WeakKey",
    "__version__",
    "auth_challenge",
    "decode_header",
    "decode_jwt",
    "decode_protected_header",
    "extract_bearer_token",
    "if_none_match",
    "jwks_etag",
    "missing_scopes",
    "verify_jwt",
]
