//! The core's HTTP helpers for JVM and Swift server integrations (the Ktor provider uses them):
//! the bearer token of an `Authorization` header, the scopes a token lacks, and the RFC 6750
//! answer to a failed authentication, so no integration writes its own status table.

use authjwt_core::http::{self as core_http, AuthFailure, ChallengeParams};
use serde_json::{Map, Value};

use crate::error::AuthJwtError;
use authjwt_core::Error as CoreError;

/// The HTTP answer to a failed authentication (RFC 6750 §3).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthChallenge {
    /// 400, 401, 403, 500 or 503.
    pub status: u16,
    /// `invalid_request`, `invalid_token`, `insufficient_scope`, or `temporarily_unavailable` /
    /// `server_error` for the 5xx answers; `null` when no credentials were sent.
    pub error: Option<String>,
    /// A sentence for the client: what failed, never the token or a claim's value.
    pub error_description: Option<String>,
    /// The `WWW-Authenticate` header value, on 4xx answers.
    pub www_authenticate: Option<String>,
}

/// The token of an `Authorization: Bearer <token>` header value, or `null` when the value is not
/// one Bearer credential.
#[uniffi::export]
pub fn extract_bearer_token(header_value: String) -> Option<String> {
    core_http::extract_bearer_token(&header_value).map(str::to_owned)
}

/// The scopes of `required` that the claims (`scope` string or `scp` array) do not grant.
#[uniffi::export]
pub fn missing_scopes(
    payload_json: String,
    required: Vec<String>,
) -> Result<Vec<String>, AuthJwtError> {
    let claims: Map<String, Value> = serde_json::from_str(&payload_json).map_err(|_| {
        AuthJwtError::from(CoreError::JwtInvalid(
            "the claims are not a JSON object".to_owned(),
        ))
    })?;
    let wanted: Vec<&str> = required.iter().map(String::as_str).collect();
    Ok(core_http::missing_scopes(&claims, &wanted)
        .into_iter()
        .map(str::to_owned)
        .collect())
}

/// The answer for a failure: `missing_token`, `invalid_request`, `insufficient_scope`, or the
/// error code a verification failed with (`ERR_JWT_EXPIRED`, ...). `claim` is the claim a claim
/// failure names; `scope` the required scopes, sent with `insufficient_scope`. Another failure
/// kind is `ERR_INVALID_CONFIG`.
#[uniffi::export(default(realm = None, scope = None, resource_metadata = None, claim = None))]
pub fn auth_challenge(
    failure: String,
    realm: Option<String>,
    scope: Option<String>,
    resource_metadata: Option<String>,
    claim: Option<String>,
) -> Result<AuthChallenge, AuthJwtError> {
    let failure = AuthFailure::parse(&failure).ok_or_else(|| {
        AuthJwtError::from(CoreError::InvalidConfig(format!(
            "unknown authentication failure kind {failure:?}"
        )))
    })?;
    let params = ChallengeParams {
        realm: realm.as_deref(),
        scope: scope.as_deref(),
        resource_metadata: resource_metadata.as_deref(),
        claim: claim.as_deref(),
    };
    let c = core_http::challenge(failure, &params);
    Ok(AuthChallenge {
        status: c.status,
        error: c.error.map(str::to_owned),
        error_description: c.error_description,
        www_authenticate: c.www_authenticate,
    })
}

/// The `ETag` to serve a JWKS body (`issuer.jwks()`) under: the core's strong tag over its bytes,
/// the same on every instance serving the same keys.
#[uniffi::export]
pub fn jwks_etag(body: String) -> String {
    core_http::jwks_etag(&body)
}

/// Whether a request's `If-None-Match` value names `etag` (RFC 9110 weak comparison, or `*`):
/// then answer `304 Not Modified` without a body.
#[uniffi::export]
pub fn if_none_match(header_value: String, etag: String) -> bool {
    core_http::if_none_match(&header_value, &etag)
}
