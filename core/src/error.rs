//! The one error type of authjwt. Every variant has a stable string [`Error::code`], the same in every
//! host; the names follow `jose` where `jose` has one.
//!
//! Messages say what was wrong and what to do. They never contain secret material, tokens or claim
//! values.

use std::fmt;

/// Result with authjwt's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure authjwt reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token is not a well-formed compact JWS (segments, base64url, JSON, size, header rules).
    #[error("invalid compact JWS: {0}")]
    JwsInvalid(String),
    /// The JWS is well formed but its payload is not a JWT claims set (not a JSON object, ...).
    #[error("invalid JWT: {0}")]
    JwtInvalid(String),
    /// The token's `alg` is not in the allowlist (or is `none` / HMAC, which are never allowed).
    #[error("algorithm not allowed: {0}")]
    AlgNotAllowed(String),
    /// A feature the token or key asks for is not supported (`crit`, `b64`, unknown algorithm...).
    #[error("not supported: {0}")]
    NotSupported(String),
    /// The signature does not verify with the selected key.
    #[error("signature verification failed")]
    SignatureVerificationFailed,
    /// No key of the key set fits the token's header.
    #[error("no key in the key set matches the token: {0}")]
    NoMatchingKey(String),
    /// Several keys of the key set fit the token and none is preferred.
    #[error("several keys in the key set match the token: {0}")]
    MultipleMatchingKeys(String),
    /// A JWKS document (or a key in it) is malformed or unsafe.
    #[error("invalid JWKS: {0}")]
    JwksInvalid(String),
    /// Fetching a remote JWKS took longer than its timeout.
    #[error("timed out fetching the JWKS: {0}")]
    JwksTimeout(String),
    /// A remote JWKS could not be fetched: the connection failed or the server answered with an
    /// error status. An outage of the key server, not a bad token: services answer 503, not 401.
    #[error("the JWKS is unavailable: {message}")]
    JwksUnavailable {
        /// What failed, without URL credentials.
        message: String,
        /// The HTTP status the server answered with, when it answered.
        status: Option<u16>,
    },
    /// The token is too old: `exp` is in the past (beyond the clock tolerance), or `iat` is older
    /// than `maxTokenAge` (jose reports that one as claim `iat`).
    #[error("\"{claim}\" claim timestamp check failed: {}", expired_detail(claim))]
    JwtExpired {
        /// The claim that failed: `exp`, or `iat` for `maxTokenAge`.
        claim: &'static str,
    },
    /// A claim is missing, of the wrong JSON type, or fails its check.
    #[error("\"{claim}\" claim {reason}: {message}")]
    ClaimValidationFailed {
        /// The claim's name (`iss`, `aud`, `nbf`, ...; `typ` for the header's media type).
        claim: String,
        /// Why it failed.
        reason: ClaimReason,
        /// What was expected, without the claim's value.
        message: String,
    },
    /// No configured secret opens the sealed private key of a stored key.
    #[error("cannot open the private key of kid {kid}: {message}")]
    KeyDecryptionFailed {
        /// The key's id (its row id in the store).
        kid: String,
        /// What was tried and what to do.
        message: String,
    },
    /// A key is too weak or malformed to use (short RSA modulus, point off the curve, small order).
    #[error("weak or invalid key: {0}")]
    WeakKey(String),
    /// A storage callback failed, timed out, or returned something unusable.
    #[error("key store failed: {0}")]
    Store(#[source] StoreError),
    /// The configuration cannot work; raised when it is built, not at the first token.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}

impl Error {
    /// The stable code of this error, identical in every host (`ERR_JWT_EXPIRED`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Error::JwsInvalid(_) => "ERR_JWS_INVALID",
            Error::JwtInvalid(_) => "ERR_JWT_INVALID",
            Error::AlgNotAllowed(_) => "ERR_JOSE_ALG_NOT_ALLOWED",
            Error::NotSupported(_) => "ERR_JOSE_NOT_SUPPORTED",
            Error::SignatureVerificationFailed => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            Error::NoMatchingKey(_) => "ERR_JWKS_NO_MATCHING_KEY",
            Error::MultipleMatchingKeys(_) => "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
            Error::JwksInvalid(_) => "ERR_JWKS_INVALID",
            Error::JwksTimeout(_) => "ERR_JWKS_TIMEOUT",
            Error::JwksUnavailable { .. } => "ERR_JWKS_UNAVAILABLE",
            Error::JwtExpired { .. } => "ERR_JWT_EXPIRED",
            Error::ClaimValidationFailed { .. } => "ERR_JWT_CLAIM_VALIDATION_FAILED",
            Error::KeyDecryptionFailed { .. } => "ERR_KEY_DECRYPTION_FAILED",
            Error::WeakKey(_) => "ERR_WEAK_KEY",
            Error::Store(_) => "ERR_STORE",
            Error::InvalidConfig(_) => "ERR_INVALID_CONFIG",
        }
    }

    /// The claim a claim failure is about (`exp` or `iat` for [`Error::JwtExpired`]), as jose's
    /// `claim`.
    pub fn claim(&self) -> Option<&str> {
        match self {
            Error::JwtExpired { claim } => Some(claim),
            Error::ClaimValidationFailed { claim, .. } => Some(claim),
            _ => None,
        }
    }

    /// Why a claim failed (`check_failed` for [`Error::JwtExpired`]), as jose's `reason`.
    pub fn reason(&self) -> Option<ClaimReason> {
        match self {
            Error::JwtExpired { .. } => Some(ClaimReason::CheckFailed),
            Error::ClaimValidationFailed { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    /// Shorthand for a claim failure.
    pub fn claim_failed(claim: &str, reason: ClaimReason, message: impl Into<String>) -> Self {
        Error::ClaimValidationFailed {
            claim: claim.to_owned(),
            reason,
            message: message.into(),
        }
    }
}

/// The end of [`Error::JwtExpired`]'s message, by claim.
fn expired_detail(claim: &str) -> &'static str {
    if claim == "iat" {
        "the token is older than maxTokenAge"
    } else {
        "the token has expired"
    }
}

/// Why a claim failed validation; the strings are jose's `reason` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimReason {
    /// The claim is required and absent.
    Missing,
    /// The claim is present with the wrong JSON type or an unusable value.
    Invalid,
    /// The claim is well typed but its check failed (wrong issuer, not yet valid, ...).
    CheckFailed,
}

impl ClaimReason {
    /// `missing`, `invalid` or `check_failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimReason::Missing => "missing",
            ClaimReason::Invalid => "invalid",
            ClaimReason::CheckFailed => "check_failed",
        }
    }
}

impl fmt::Display for ClaimReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A storage callback's failure. The host's own error is kept as the [`std::error::Error::source`]
/// so a binding can hand the original object back to the host as the cause.
#[derive(Debug)]
pub struct StoreError {
    operation: &'static str,
    message: String,
    timed_out: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StoreError {
    /// A failure of `operation` (`get_jwks` or `create_jwk`) described by `message`.
    pub fn new(operation: &'static str, message: impl Into<String>) -> Self {
        StoreError {
            operation,
            message: message.into(),
            timed_out: false,
            source: None,
        }
    }

    /// A failure of `operation` caused by the host's own error.
    pub fn with_source(
        operation: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        let source = source.into();
        StoreError {
            operation,
            message: source.to_string(),
            timed_out: false,
            source: Some(source),
        }
    }

    /// `operation` did not answer within `seconds`.
    pub fn timeout(operation: &'static str, seconds: f64) -> Self {
        StoreError {
            operation,
            message: format!("no answer within {seconds}s (storeTimeout)"),
            timed_out: true,
            source: None,
        }
    }

    /// The storage operation that failed: `get_jwks` or `create_jwk`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// Whether the operation was abandoned because it exceeded the store timeout.
    pub fn is_timeout(&self) -> bool {
        self.timed_out
    }

    /// The host's own error, if the failure came from one.
    pub fn host_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {}", self.operation, self.message)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Store(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings() {
        let expired = Error::JwtExpired { claim: "exp" };
        assert_eq!(expired.code(), "ERR_JWT_EXPIRED");
        assert_eq!(expired.claim(), Some("exp"));
        let too_old = Error::JwtExpired { claim: "iat" };
        assert_eq!(too_old.claim(), Some("iat"));
        assert_eq!(
            too_old.to_string(),
            "\"iat\" claim timestamp check failed: the token is older than maxTokenAge"
        );
        let e = Error::claim_failed("aud", ClaimReason::CheckFailed, "unexpected audience");
        assert_eq!(e.code(), "ERR_JWT_CLAIM_VALIDATION_FAILED");
        assert_eq!(e.reason().map(ClaimReason::as_str), Some("check_failed"));
        assert_eq!(
            Error::from(StoreError::new("get_jwks", "down")).code(),
            "ERR_STORE"
        );
    }

    #[test]
    fn store_error_keeps_host_error_as_source() {
        let host = std::io::Error::other("database is down");
        let e = StoreError::with_source("create_jwk", host);
        assert!(e.host_error().is_some());
        assert_eq!(e.to_string(), "create_jwk failed: database is down");
        assert!(std::error::Error::source(&e).is_some());
    }
}
