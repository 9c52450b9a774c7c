//! Helpers for clients that hold a token they did not verify themselves (an app showing who is
//! signed in, deciding when to refresh): reading it WITHOUT verification, and whether it expired.
//! Never use these for access decisions: a server verifies with [`crate::verify_jwt`] or
//! [`crate::RemoteKeySet`].

use std::time::SystemTime;

use authjwt_core::clock::{Clock, SystemClock};
use authjwt_core::jws::{decode_unverified, decode_unverified_header};
use authjwt_core::verify::{validate_claims, VerifyOptions as CoreVerifyOptions};
use authjwt_core::Error as CoreError;
use serde_json::{Map, Value};

use crate::error::AuthJwtError;
use crate::store::time_to_s;

/// A token's header and claims as JSON text, read WITHOUT verifying its signature or claims.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UnverifiedJwt {
    /// The claims set (a JSON object), not verified.
    pub payload_json: String,
    /// The protected header (a JSON object), not verified.
    pub header_json: String,
}

/// The header and claims of a compact JWT WITHOUT verifying it (jose's `decodeJwt`). A token that
/// is not a well-formed JWT is `ERR_JWS_INVALID` / `ERR_JWT_INVALID`.
#[uniffi::export]
pub fn decode_jwt_unverified(token: String) -> Result<UnverifiedJwt, AuthJwtError> {
    let (header, payload) = decode_unverified(&token)?;
    Ok(UnverifiedJwt {
        payload_json: Value::Object(payload).to_string(),
        header_json: Value::Object(header).to_string(),
    })
}

/// The protected header of a compact JWS WITHOUT verifying it (to read `kid` or `alg`).
#[uniffi::export]
pub fn decode_protected_header_unverified(token: String) -> Result<String, AuthJwtError> {
    Ok(Value::Object(decode_unverified_header(&token)?).to_string())
}

/// Whether the token's `exp` has passed, by the same rule verification applies
/// (`exp <= now - leeway`), WITHOUT verifying the token. A token without `exp` is not expired; a
/// malformed token or `exp` is an error; a negative leeway is `ERR_INVALID_CONFIG`.
#[uniffi::export(default(leeway_seconds = 0, current_date = None))]
pub fn is_expired(
    token: String,
    leeway_seconds: i64,
    current_date: Option<SystemTime>,
) -> Result<bool, AuthJwtError> {
    let (_, payload) = decode_unverified(&token)?;
    // Only `exp` is judged: the core's claim rules on a claims set holding `exp` alone.
    let mut only_exp = Map::new();
    if let Some(exp) = payload.get("exp") {
        only_exp.insert("exp".to_owned(), exp.clone());
    }
    let options = CoreVerifyOptions {
        require_exp: false,
        clock_tolerance: leeway_seconds,
        ..CoreVerifyOptions::default()
    };
    let now = current_date.map_or_else(|| SystemClock.now_s(), time_to_s);
    match validate_claims(&only_exp, &Map::new(), &options, now) {
        Ok(()) => Ok(false),
        Err(CoreError::JwtExpired { .. }) => Ok(true),
        Err(e) => Err(e.into()),
    }
}
