//! The verification policy, in its fixed order: parse, header, key, signature, claims. The first
//! failure is the error. Defaults are strict; every relaxation is an option.

use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::error::Result;
use crate::jwks::KeySet;

/// What a token must satisfy beyond its signature. Times are seconds.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Allowed algorithms; `None` = the algorithms of the keys in the set.
    pub algorithms: Option<Vec<Algorithm>>,
    /// Accepted issuers (exact string equality); empty = not checked.
    pub issuer: Vec<String>,
    /// Accepted audiences; the token's `aud` (string or array) must contain one. Empty = not checked.
    pub audience: Vec<String>,
    /// Expected `sub`.
    pub subject: Option<String>,
    /// Expected `typ` header, compared as a media type (`JWT` equals `application/jwt`).
    pub typ: Option<String>,
    /// Leeway for `exp`, `nbf` and `iat` checks.
    pub clock_tolerance: i64,
    /// Oldest accepted `iat`, as an age; requires `iat`.
    pub max_token_age: Option<i64>,
    /// Claims that must be present.
    pub required_claims: Vec<String>,
    /// Require `exp` (default true).
    pub require_exp: bool,
    /// "Now" for the checks; `None` = the system clock.
    pub current_date: Option<i64>,
    /// Largest accepted token, bytes.
    pub max_token_size: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            algorithms: None,
            issuer: Vec::new(),
            audience: Vec::new(),
            subject: None,
            typ: None,
            clock_tolerance: 0,
            max_token_age: None,
            required_claims: Vec::new(),
            require_exp: true,
            current_date: None,
            max_token_size: crate::jws::DEFAULT_MAX_TOKEN_SIZE,
        }
    }
}

/// A verified token.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJwt {
    /// The claims.
    pub payload: Map<String, Value>,
    /// The protected header.
    pub protected_header: Map<String, Value>,
}

/// Verifies a compact JWT against a key set under the policy.
pub fn verify_jwt(token: &str, keys: &KeySet, options: &VerifyOptions) -> Result<VerifiedJwt> {
    todo!("{} {keys:?} {options:?}", token.len())
}
