//! The core's RFC 6750 answer to a failed authentication and its scope check, for the framework
//! integrations in `npm/lib/` (which hold no status or header rule of their own).

use authjwt_core::http::{self as core_http, AuthFailure, ChallengeParams};
use authjwt_core::Error;
use napi_derive::napi;
use serde_json::{Map, Value};

// Exports spell `napi::Result`: napi-derive throws only for that spelling, and returns an alias's
// error to JS as a value.
use crate::error::to_js;

/// The HTTP answer to a failed authentication.
#[napi(object)]
pub struct AuthChallenge {
    /// 400, 401, 403, 500 or 503.
    pub status: u32,
    /// `invalid_request`, `invalid_token`, `insufficient_scope`, `temporarily_unavailable` or
    /// `server_error`; absent when no credentials were sent.
    pub error: Option<String>,
    /// What failed, never the token or a claim's value.
    pub error_description: Option<String>,
    /// The `WWW-Authenticate` value, on 4xx answers.
    pub www_authenticate: Option<String>,
}

/// What the challenge carries besides the failure.
#[napi(object)]
pub struct AuthChallengeOptions {
    pub realm: Option<String>,
    /// The required scopes, space-separated, sent with `insufficient_scope`.
    pub scope: Option<String>,
    /// RFC 9728 `resource_metadata` URL.
    pub resource_metadata: Option<String>,
    /// The claim a claim failure names (`err.claim`).
    pub claim: Option<String>,
}

/// The answer for `kind`: an error code, or `missing_token`, `invalid_request`,
/// `insufficient_scope`.
#[napi(catch_unwind)]
pub fn auth_challenge(
    kind: String,
    options: Option<AuthChallengeOptions>,
) -> napi::Result<AuthChallenge> {
    let failure = AuthFailure::parse(&kind).ok_or_else(|| {
        to_js(Error::InvalidConfig(format!(
            "unknown authentication failure kind {kind:?}: an error code, \"missing_token\", \"invalid_request\" or \"insufficient_scope\""
        )))
    })?;
    let options = options.unwrap_or(AuthChallengeOptions {
        realm: None,
        scope: None,
        resource_metadata: None,
        claim: None,
    });
    let params = ChallengeParams {
        realm: options.realm.as_deref(),
        scope: options.scope.as_deref(),
        resource_metadata: options.resource_metadata.as_deref(),
        claim: options.claim.as_deref(),
    };
    let c = core_http::challenge(failure, &params);
    Ok(AuthChallenge {
        status: u32::from(c.status),
        error: c.error.map(str::to_owned),
        error_description: c.error_description,
        www_authenticate: c.www_authenticate,
    })
}

/// The scopes of `required` that the claims (JSON text: `scope` string or `scp` array) lack.
#[napi(catch_unwind)]
pub fn missing_scopes(payload_json: String, required: Vec<String>) -> napi::Result<Vec<String>> {
    let claims: Map<String, Value> = serde_json::from_str(&payload_json).map_err(|_| {
        to_js(Error::JwtInvalid(
            "the claims are not a JSON object".to_owned(),
        ))
    })?;
    let wanted: Vec<&str> = required.iter().map(String::as_str).collect();
    Ok(core_http::missing_scopes(&claims, &wanted)
        .into_iter()
        .map(str::to_owned)
        .collect())
}

/// The `ETag` to serve a JWKS body (JSON text) under: the core's strong tag over its bytes.
#[napi]
pub fn jwks_etag(body: String) -> String {
    core_http::jwks_etag(&body)
}

/// Whether a request's `If-None-Match` value matches `etag` (RFC 9110 weak comparison, `*`).
#[napi]
pub fn if_none_match(header_value: String, etag: String) -> bool {
    core_http::if_none_match(&header_value, &etag)
}
