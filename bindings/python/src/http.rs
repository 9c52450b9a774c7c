//! The core's RFC 6750 answer to a failed authentication and its scope check, for the framework
//! integrations in `authjwt/` (which hold no status or header rule of their own).

use authjwt_core::http::{self as core_http, AuthFailure, ChallengeParams};
use authjwt_core::Error;
use pyo3::prelude::*;

use crate::convert;
use crate::errors::to_py_err;

/// The HTTP answer to a failed authentication (RFC 6750 §3).
#[pyclass(name = "Challenge", module = "authjwt", frozen, get_all)]
pub struct PyChallenge {
    /// 400, 401, 403, 500 or 503.
    status: u16,
    /// `invalid_request`, `invalid_token`, `insufficient_scope`, `temporarily_unavailable` or
    /// `server_error`; None when no credentials were sent.
    error: Option<&'static str>,
    /// What failed, never the token or a claim's value.
    error_description: Option<String>,
    /// The `WWW-Authenticate` value, on 4xx answers.
    www_authenticate: Option<String>,
}

#[pymethods]
impl PyChallenge {
    fn __repr__(&self) -> String {
        format!(
            "Challenge(status={}, error={:?}, error_description={:?})",
            self.status, self.error, self.error_description
        )
    }
}

/// The answer for `kind`: an error code (`"ERR_JWT_EXPIRED"`, ...), or `"missing_token"`,
/// `"invalid_request"`, `"insufficient_scope"`.
#[pyfunction]
#[pyo3(signature = (kind, *, realm=None, scope=None, resource_metadata=None, claim=None))]
pub fn auth_challenge(
    kind: &str,
    realm: Option<&str>,
    scope: Option<&str>,
    resource_metadata: Option<&str>,
    claim: Option<&str>,
) -> PyResult<PyChallenge> {
    let failure = AuthFailure::parse(kind).ok_or_else(|| {
        to_py_err(Error::InvalidConfig(format!(
            "unknown authentication failure kind {kind:?}: an error code, \"missing_token\", \"invalid_request\" or \"insufficient_scope\""
        )))
    })?;
    let params = ChallengeParams {
        realm,
        scope,
        resource_metadata,
        claim,
    };
    let c = core_http::challenge(failure, &params);
    Ok(PyChallenge {
        status: c.status,
        error: c.error,
        error_description: c.error_description,
        www_authenticate: c.www_authenticate,
    })
}

/// The scopes of `required_scopes` that `payload` (a `scope` string or an `scp` list) lacks.
#[pyfunction]
pub fn missing_scopes(
    payload: &Bound<'_, PyAny>,
    required_scopes: Vec<String>,
) -> PyResult<Vec<String>> {
    let claims = convert::to_json_map(payload, "payload")?;
    let wanted: Vec<&str> = required_scopes.iter().map(String::as_str).collect();
    Ok(core_http::missing_scopes(&claims, &wanted)
        .into_iter()
        .map(str::to_owned)
        .collect())
}

/// The `ETag` to serve a JWKS body (the JSON text of `issuer.jwks()`) under: the core's strong
/// tag over its bytes, the same on every instance serving the same keys.
#[pyfunction]
pub fn jwks_etag(body: &str) -> String {
    core_http::jwks_etag(body)
}

/// Whether a request's `If-None-Match` value names `etag` (RFC 9110 weak comparison, or `*`):
/// then answer 304 without a body. None (no header) never matches.
#[pyfunction]
#[pyo3(signature = (header_value, etag))]
pub fn if_none_match(header_value: Option<&str>, etag: &str) -> bool {
    header_value.is_some_and(|h| core_http::if_none_match(h, etag))
}
