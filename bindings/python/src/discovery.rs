//! Discovery for `RemoteKeySet.discover` / `AsyncRemoteKeySet.discover`: the `jwks_uri` an
//! issuer's OIDC / RFC 8414 metadata names (the core checks the metadata's `issuer`). The key set
//! is then built from that URL like any other, so a forked child rebuilds it without discovering
//! again.

use authjwt_core::remote::{discover_jwks_uri, RemoteJwksOptions};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use crate::errors::{detached, to_py_err};
use crate::runtime::{self, block_on};

/// The discovered `jwks_uri`, fetched with the GIL released (sync API).
pub fn jwks_uri_blocking(
    py: Python<'_>,
    issuer_url: &str,
    options: &RemoteJwksOptions,
) -> PyResult<String> {
    detached(py, || block_on(discover_jwks_uri(issuer_url, options)))
}

/// An awaitable that discovers the `jwks_uri` and then calls `cls(jwks_uri, **kwargs)`
/// (the async key set's constructor, so a Python subclass gets an instance of itself).
pub fn construct_discovered<'py>(
    py: Python<'py>,
    cls: &Bound<'py, PyType>,
    issuer_url: String,
    options: RemoteJwksOptions,
    kwargs: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let cls = cls.clone().unbind();
    let kwargs = kwargs.unbind();
    runtime::future_into_py(py, async move {
        let jwks_uri = discover_jwks_uri(&issuer_url, &options)
            .await
            .map_err(to_py_err)?;
        runtime::attach_py(|py| {
            cls.bind(py)
                .call((jwks_uri,), Some(kwargs.bind(py)))
                .map(Bound::unbind)
        })
    })
}
