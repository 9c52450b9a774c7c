//! The one place where `authjwt_core::Error` becomes a Python exception. The classes live in
//! `authjwt/errors.py`; each carries `.code` (DESIGN.md), and `claim`/`reason`/`kid` when they
//! apply. A store's own exception becomes the `__cause__`.

use authjwt_core::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// The Python class name for an error code.
fn class_name(code: &str) -> &'static str {
    match code {
        "ERR_JWS_INVALID" => "JWSInvalid",
        "ERR_JWT_INVALID" => "JWTInvalid",
        "ERR_JOSE_ALG_NOT_ALLOWED" => "AlgNotAllowed",
        "ERR_JOSE_NOT_SUPPORTED" => "NotSupported",
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" => "JWSSignatureVerificationFailed",
        "ERR_JWKS_NO_MATCHING_KEY" => "JWKSNoMatchingKey",
        "ERR_JWKS_MULTIPLE_MATCHING_KEYS" => "JWKSMultipleMatchingKeys",
        "ERR_JWKS_INVALID" => "JWKSInvalid",
        "ERR_JWKS_TIMEOUT" => "JWKSTimeout",
        "ERR_JWKS_UNAVAILABLE" => "JWKSUnavailable",
        "ERR_JWT_EXPIRED" => "JWTExpired",
        "ERR_JWT_CLAIM_VALIDATION_FAILED" => "JWTClaimValidationFailed",
        "ERR_KEY_DECRYPTION_FAILED" => "KeyDecryptionFailed",
        "ERR_WEAK_KEY" => "WeakKey",
        "ERR_STORE" => "StoreError",
        "ERR_INVALID_CONFIG" => "InvalidConfig",
        _ => "AuthJwtError",
    }
}

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MODULE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("authjwt.errors")?.into_any().unbind())
        })
        .map(|m| m.bind(py))
}

/// Converts a core error to its Python exception.
pub fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|e| e))
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let code = err.code();
    let class = errors_module(py)?.getattr(class_name(code))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", code)?;
    if let Some(claim) = err.claim() {
        kwargs.set_item("claim", claim)?;
    }
    if let Some(reason) = err.reason() {
        kwargs.set_item("reason", reason.as_str())?;
    }
    let mut cause = None;
    match err {
        Error::KeyDecryptionFailed { kid, .. } => kwargs.set_item("kid", kid)?,
        Error::Store(store) => {
            kwargs.set_item("operation", store.operation())?;
            kwargs.set_item("timed_out", store.is_timeout())?;
            cause = store
                .host_error()
                .and_then(|e| e.downcast_ref::<PyErr>())
                .map(|e| e.clone_ref(py));
        }
        _ => {}
    }
    let exc = PyErr::from_value(class.call((err.to_string(),), Some(&kwargs))?);
    if cause.is_some() {
        exc.set_cause(py, cause);
    }
    Ok(exc)
}

/// Runs core work with the GIL released, turning a panic (a bug) into `RuntimeError` rather than
/// letting it unwind into Python.
pub fn detached<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    let outcome = py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    match outcome {
        Ok(result) => result.map_err(to_py_err),
        Err(_) => Err(PyRuntimeError::new_err(
            "authjwt internal error (a bug): please report it",
        )),
    }
}
