"""authjwt's exceptions: one class per error code of the core, all under :class:`AuthJwtError`.

Every exception has ``.code``, the same string in every authjwt host (Node, Python, Kotlin,
Swift), named like ``jose``'s codes. Claim failures also carry ``.claim`` and ``.reason``
(``"missing"``, ``"invalid"`` or ``"check_failed"``). A failing store callback raises
:class:`StoreError` whose ``__cause__`` is the store's own exception, unchanged.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "AuthJwtError",
    "JWSInvalid",
    "JWTInvalid",
    "AlgNotAllowed",
    "JOSEAlgNotAllowed",
    "NotSupported",
    "JOSENotSupported",
    "JWSSignatureVerificationFailed",
    "JWKSNoMatchingKey",
    "JWKSMultipleMatchingKeys",
    "JWKSInvalid",
    "JWKSTimeout",
    "JWKSUnavailable",
    "JWTExpired",
    "JWTClaimValidationFailed",
    "KeyDecryptionFailed",
    "WeakKey",
    "StoreError",
    "InvalidConfig",
]


class AuthJwtError(Exception):
    """Base class of every authjwt failure; ``code`` is the stable error code."""

    code: str = "ERR_AUTHJWT"

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        claim: Optional[str] = None,
        reason: Optional[str] = None,
        kid: Optional[str] = None,
        operation: Optional[str] = None,
        timed_out: bool = False,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        #: The claim a claim failure is about (``"exp"``, ``"aud"``, ...), else None.
        self.claim: Optional[str] = claim
        #: Why a claim failed: ``"missing"``, ``"invalid"`` or ``"check_failed"``, else None.
        self.reason: Optional[str] = reason
        #: The key id, for :class:`KeyDecryptionFailed`.
        self.kid: Optional[str] = kid
        #: The store operation that failed (``"get_jwks"``, ``"create_jwk"``, ...), for StoreError.
        self.operation: Optional[str] = operation
        #: Whether a store call exceeded ``store_timeout``.
        self.timed_out: bool = timed_out


class JWSInvalid(AuthJwtError):
    """The token is not a well-formed compact JWS (segments, base64url, JSON, size, header)."""

    code = "ERR_JWS_INVALID"


class JWTInvalid(AuthJwtError):
    """The JWS is well formed but its payload is not a JWT claims set."""

    code = "ERR_JWT_INVALID"


class AlgNotAllowed(AuthJwtError):
    """The token's ``alg`` is not allowed (``none`` and HS* never are)."""

    code = "ERR_JOSE_ALG_NOT_ALLOWED"


class NotSupported(AuthJwtError):
    """The token or key asks for something unsupported (``crit``, ``b64``, ...)."""

    code = "ERR_JOSE_NOT_SUPPORTED"


class JWSSignatureVerificationFailed(AuthJwtError):
    """The signature does not verify with the selected key."""

    code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"


class JWKSNoMatchingKey(AuthJwtError):
    """No key of the key set fits the token's header."""

    code = "ERR_JWKS_NO_MATCHING_KEY"


class JWKSMultipleMatchingKeys(AuthJwtError):
    """Several keys fit the token and none is preferred."""

    code = "ERR_JWKS_MULTIPLE_MATCHING_KEYS"


class JWKSInvalid(AuthJwtError):
    """A JWKS document (or a key in it) is malformed or unsafe."""

    code = "ERR_JWKS_INVALID"


class JWKSTimeout(AuthJwtError):
    """Fetching a remote JWKS took longer than its timeout."""

    code = "ERR_JWKS_TIMEOUT"


class JWKSUnavailable(AuthJwtError):
    """A remote JWKS could not be fetched: connection refused or an error status (an outage of the
    key server, not a bad token; answer 503)."""

    code = "ERR_JWKS_UNAVAILABLE"


class JWTClaimValidationFailed(AuthJwtError):
    """A claim is missing, of the wrong JSON type, or fails its check (see ``claim``/``reason``)."""

    code = "ERR_JWT_CLAIM_VALIDATION_FAILED"


class JWTExpired(AuthJwtError):
    """The ``exp`` claim is in the past (beyond the leeway); ``claim == "exp"``."""

    code = "ERR_JWT_EXPIRED"


class KeyDecryptionFailed(AuthJwtError):
    """No configured secret opens the sealed private key of the stored key ``kid``."""

    code = "ERR_KEY_DECRYPTION_FAILED"


class WeakKey(AuthJwtError):
    """A key is too weak or malformed to use."""

    code = "ERR_WEAK_KEY"


class StoreError(AuthJwtError):
    """A store callback (or ``define_payload``/``get_subject``) failed or timed out; the
    callback's own exception is ``__cause__``."""

    code = "ERR_STORE"


class InvalidConfig(AuthJwtError):
    """The configuration cannot work (raised when it is built, not at the first token)."""

    code = "ERR_INVALID_CONFIG"


#: jose's class names, for code ported from jose.
JOSEAlgNotAllowed = AlgNotAllowed
JOSENotSupported = NotSupported
