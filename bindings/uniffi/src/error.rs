//! The errors hosts see: [`AuthJwtError`] (Kotlin `AuthJwtException`, Swift `AuthJwtError`) for
//! everything authjwt reports, and [`HostCallbackError`] (Kotlin `HostCallbackException`) for a
//! host's callbacks (key store, signer, hooks, cache) to throw. The mapping from the core's
//! `Error` is in one place: [`AuthJwtError::from`].

use authjwt_core::error::Error as CoreError;

/// Every failure authjwt reports, one case per DESIGN.md error code.
///
/// Each case carries `code` (the stable `ERR_*` string, the same in every host) and `detail` (what
/// was wrong and what to do; never a token, claim value or secret). The text field is `detail`, not
/// `message`, because Kotlin exceptions already have a `message` (it reads `code=..., detail=...`).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum AuthJwtError {
    /// `ERR_JWS_INVALID`: not a well-formed compact JWS.
    #[error("{code}: {detail}")]
    JwsInvalid {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JWT_INVALID`: a well-formed JWS whose payload is not a JWT claims set (or a payload
    /// given to `sign` that is not a JSON object).
    #[error("{code}: {detail}")]
    JwtInvalid {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JOSE_ALG_NOT_ALLOWED`: the token's `alg` is not in the allowlist.
    #[error("{code}: {detail}")]
    AlgNotAllowed {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JOSE_NOT_SUPPORTED`: the token or key asks for something authjwt does not do.
    #[error("{code}: {detail}")]
    NotSupported {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`: the signature does not verify.
    #[error("{code}: {detail}")]
    SignatureVerificationFailed {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JWKS_NO_MATCHING_KEY`: no key of the set fits the token.
    #[error("{code}: {detail}")]
    NoMatchingKey {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JWKS_MULTIPLE_MATCHING_KEYS`: several keys fit and none is preferred.
    #[error("{code}: {detail}")]
    MultipleMatchingKeys {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JWKS_INVALID`: a JWKS document or a key in it is malformed or unsafe.
    #[error("{code}: {detail}")]
    JwksInvalid {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JWKS_TIMEOUT`: fetching a remote JWKS took longer than its timeout.
    #[error("{code}: {detail}")]
    JwksTimeout {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_JWKS_UNAVAILABLE`: a remote JWKS could not be fetched (connection refused or an error
    /// status): an outage of the key server, not a bad token.
    #[error("{code}: {detail}")]
    JwksUnavailable {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
        /// The HTTP status the server answered with, when it answered.
        status: Option<u16>,
    },
    /// `ERR_JWT_EXPIRED`: the token's `exp` is in the past, or its `iat` is older than
    /// `maxTokenAge`.
    #[error("{code}: {detail}")]
    JwtExpired {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
        /// The claim that failed, as jose's `claim`: `exp`, or `iat` for `maxTokenAge`.
        claim: String,
    },
    /// `ERR_JWT_CLAIM_VALIDATION_FAILED`: a claim is missing, mistyped or fails its check.
    #[error("{code}: {detail}")]
    ClaimValidationFailed {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
        /// The claim (`iss`, `aud`, `nbf`, ...; `typ` for the header's media type).
        claim: String,
        /// jose's reason: `missing`, `invalid` or `check_failed`.
        reason: String,
    },
    /// `ERR_KEY_DECRYPTION_FAILED`: no configured secret opens a stored private key.
    #[error("{code}: {detail}")]
    KeyDecryptionFailed {
        /// The error code.
        code: String,
        /// What was wrong and what to do.
        detail: String,
        /// The key's id (its row id).
        kid: String,
    },
    /// `ERR_WEAK_KEY`: a key is too weak or malformed to use.
    #[error("{code}: {detail}")]
    WeakKey {
        /// The error code.
        code: String,
        /// What was wrong.
        detail: String,
    },
    /// `ERR_STORE`: the host's key store failed or timed out; `detail` keeps the host's message.
    #[error("{code}: {detail}")]
    Store {
        /// The error code.
        code: String,
        /// What failed, with the host's own message.
        detail: String,
        /// The callback that failed (`get_jwks`, `create_jwk`, `sign`, ...; see
        /// [`HostCallbackError`]).
        operation: String,
        /// Whether the call was abandoned after `storeTimeout`.
        timed_out: bool,
    },
    /// `ERR_INVALID_CONFIG`: options that cannot work (raised when they are given).
    #[error("{code}: {detail}")]
    InvalidConfig {
        /// The error code.
        code: String,
        /// What is wrong and what is supported.
        detail: String,
    },
    /// A failure authjwt does not classify (`ERR_INTERNAL`): a bug, please report it.
    #[error("{code}: {detail}")]
    Internal {
        /// The error code.
        code: String,
        /// What happened.
        detail: String,
    },
}

impl From<CoreError> for AuthJwtError {
    fn from(e: CoreError) -> Self {
        let code = e.code().to_owned();
        let detail = e.to_string();
        match e {
            CoreError::JwsInvalid(_) => AuthJwtError::JwsInvalid { code, detail },
            CoreError::JwtInvalid(_) => AuthJwtError::JwtInvalid { code, detail },
            CoreError::AlgNotAllowed(_) => AuthJwtError::AlgNotAllowed { code, detail },
            CoreError::NotSupported(_) => AuthJwtError::NotSupported { code, detail },
            CoreError::SignatureVerificationFailed => {
                AuthJwtError::SignatureVerificationFailed { code, detail }
            }
            CoreError::NoMatchingKey(_) => AuthJwtError::NoMatchingKey { code, detail },
            CoreError::MultipleMatchingKeys(_) => {
                AuthJwtError::MultipleMatchingKeys { code, detail }
            }
            CoreError::JwksInvalid(_) => AuthJwtError::JwksInvalid { code, detail },
            CoreError::JwksTimeout(_) => AuthJwtError::JwksTimeout { code, detail },
            CoreError::JwksUnavailable { status, .. } => AuthJwtError::JwksUnavailable {
                code,
                detail,
                status,
            },
            CoreError::JwtExpired { claim } => AuthJwtError::JwtExpired {
                code,
                detail,
                claim: claim.to_owned(),
            },
            CoreError::ClaimValidationFailed { claim, reason, .. } => {
                AuthJwtError::ClaimValidationFailed {
                    code,
                    detail,
                    claim,
                    reason: reason.as_str().to_owned(),
                }
            }
            CoreError::KeyDecryptionFailed { kid, .. } => {
                AuthJwtError::KeyDecryptionFailed { code, detail, kid }
            }
            CoreError::WeakKey(_) => AuthJwtError::WeakKey { code, detail },
            CoreError::Store(store) => AuthJwtError::Store {
                code,
                detail,
                operation: store.operation().to_owned(),
                timed_out: store.is_timeout(),
            },
            CoreError::InvalidConfig(_) => AuthJwtError::InvalidConfig { code, detail },
            // The core enum is non-exhaustive: a new variant still reaches the host with its code.
            _ => AuthJwtError::Internal { code, detail },
        }
    }
}

#[uniffi::export]
impl AuthJwtError {
    /// The stable code of any case (`ERR_JWT_EXPIRED`, ...), for a `catch` of the whole type
    /// (Kotlin `e.errorCode()`, Swift `error.errorCode()`).
    pub fn error_code(&self) -> String {
        self.code().to_owned()
    }
}

impl AuthJwtError {
    /// An `ERR_INVALID_CONFIG` raised by the binding while converting host options.
    pub(crate) fn invalid_config(detail: impl Into<String>) -> Self {
        CoreError::InvalidConfig(detail.into()).into()
    }

    /// An `ERR_INTERNAL` (a task that did not finish, a bug).
    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        AuthJwtError::Internal {
            code: "ERR_INTERNAL".to_owned(),
            detail: detail.into(),
        }
    }

    /// The stable code of this error (`ERR_JWT_EXPIRED`, ...).
    pub fn code(&self) -> &str {
        match self {
            AuthJwtError::JwsInvalid { code, .. }
            | AuthJwtError::JwtInvalid { code, .. }
            | AuthJwtError::AlgNotAllowed { code, .. }
            | AuthJwtError::NotSupported { code, .. }
            | AuthJwtError::SignatureVerificationFailed { code, .. }
            | AuthJwtError::NoMatchingKey { code, .. }
            | AuthJwtError::MultipleMatchingKeys { code, .. }
            | AuthJwtError::JwksInvalid { code, .. }
            | AuthJwtError::JwksTimeout { code, .. }
            | AuthJwtError::JwksUnavailable { code, .. }
            | AuthJwtError::JwtExpired { code, .. }
            | AuthJwtError::ClaimValidationFailed { code, .. }
            | AuthJwtError::KeyDecryptionFailed { code, .. }
            | AuthJwtError::WeakKey { code, .. }
            | AuthJwtError::Store { code, .. }
            | AuthJwtError::InvalidConfig { code, .. }
            | AuthJwtError::Internal { code, .. } => code,
        }
    }
}

/// The error a host callback throws (Kotlin `HostCallbackException`, Swift `HostCallbackError`):
/// any method of a host's [`crate::KeyStore`], [`crate::ExternalSigner`],
/// `KeyVersionSigner`, [`crate::SessionHooks`], [`crate::JwksCache`] or
/// [`crate::EventListener`]. It reaches the caller as the core's error for that callback,
/// [`AuthJwtError::Store`] (`ERR_STORE`, as in Node and Python) with `detail` kept and
/// `operation` naming the callback that failed: `get_jwks`, `create_jwk`, `update_jwk`, `sign`
/// and `kid` (an external signer), `define_payload`, `get_subject`, `load`, `save`, `claim`,
/// `release`. Any other exception a callback throws arrives as [`HostCallbackError::Unexpected`]
/// with the exception's text. (An `EventListener`'s errors are ignored: monitoring never fails
/// an operation.)
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum HostCallbackError {
    /// The callback failed (database down, constraint violated, KMS refused, ...).
    #[error("{detail}")]
    Failed {
        /// The host's message, kept in the error the caller gets.
        detail: String,
    },
    /// The host threw something that is not a `HostCallbackError`.
    #[error("{detail}")]
    Unexpected {
        /// The exception's text.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HostCallbackError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HostCallbackError::Unexpected { detail: e.reason }
    }
}

#[cfg(test)]
mod tests {
    use authjwt_core::error::{ClaimReason, StoreError};

    use super::*;

    #[test]
    fn every_core_error_keeps_its_code_and_its_own_case() {
        let cases: Vec<(CoreError, &str)> = vec![
            (CoreError::JwsInvalid("x".into()), "ERR_JWS_INVALID"),
            (CoreError::JwtInvalid("x".into()), "ERR_JWT_INVALID"),
            (
                CoreError::AlgNotAllowed("x".into()),
                "ERR_JOSE_ALG_NOT_ALLOWED",
            ),
            (
                CoreError::NotSupported("x".into()),
                "ERR_JOSE_NOT_SUPPORTED",
            ),
            (
                CoreError::SignatureVerificationFailed,
                "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            ),
            (
                CoreError::NoMatchingKey("x".into()),
                "ERR_JWKS_NO_MATCHING_KEY",
            ),
            (
                CoreError::MultipleMatchingKeys("x".into()),
                "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
            ),
            (CoreError::JwksInvalid("x".into()), "ERR_JWKS_INVALID"),
            (CoreError::JwksTimeout("x".into()), "ERR_JWKS_TIMEOUT"),
            (
                CoreError::JwksUnavailable {
                    message: "x".into(),
                    status: Some(503),
                },
                "ERR_JWKS_UNAVAILABLE",
            ),
            (CoreError::JwtExpired { claim: "exp" }, "ERR_JWT_EXPIRED"),
            (
                CoreError::claim_failed("aud", ClaimReason::CheckFailed, "unexpected"),
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
            ),
            (
                CoreError::KeyDecryptionFailed {
                    kid: "k1".into(),
                    message: "wrong secret".into(),
                },
                "ERR_KEY_DECRYPTION_FAILED",
            ),
            (CoreError::WeakKey("x".into()), "ERR_WEAK_KEY"),
            (
                CoreError::Store(StoreError::new("get_jwks", "down")),
                "ERR_STORE",
            ),
            (CoreError::InvalidConfig("x".into()), "ERR_INVALID_CONFIG"),
        ];
        let mut seen = std::collections::HashSet::new();
        for (core, code) in cases {
            let text = core.to_string();
            let mapped = AuthJwtError::from(core);
            assert_eq!(mapped.code(), code);
            assert_eq!(mapped.error_code(), code);
            assert!(mapped.to_string().contains(&text), "{mapped}");
            seen.insert(std::mem::discriminant(&mapped));
        }
        assert_eq!(seen.len(), 16, "each code has its own case");
    }

    #[test]
    fn claim_kid_and_store_details_cross_as_fields() {
        let claim = AuthJwtError::from(CoreError::claim_failed(
            "nbf",
            ClaimReason::Invalid,
            "not a number",
        ));
        assert!(
            matches!(claim, AuthJwtError::ClaimValidationFailed { ref claim, ref reason, .. }
            if claim == "nbf" && reason == "invalid")
        );
        let kid = AuthJwtError::from(CoreError::KeyDecryptionFailed {
            kid: "abc".into(),
            message: "m".into(),
        });
        assert!(matches!(kid, AuthJwtError::KeyDecryptionFailed { ref kid, .. } if kid == "abc"));
        let too_old = AuthJwtError::from(CoreError::JwtExpired { claim: "iat" });
        assert!(matches!(too_old, AuthJwtError::JwtExpired { ref claim, .. } if claim == "iat"));
        let timeout = AuthJwtError::from(CoreError::Store(StoreError::timeout("create_jwk", 0.5)));
        assert!(
            matches!(timeout, AuthJwtError::Store { ref operation, timed_out: true, .. }
            if operation == "create_jwk")
        );
    }

    #[test]
    fn a_host_store_error_keeps_the_host_message() {
        let host = HostCallbackError::Failed {
            detail: "database is down".into(),
        };
        let mapped = AuthJwtError::from(CoreError::from(StoreError::with_source("get_jwks", host)));
        assert!(matches!(mapped, AuthJwtError::Store { ref detail, .. }
            if detail.contains("database is down")));
    }
}
