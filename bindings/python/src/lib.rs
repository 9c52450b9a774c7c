//! authjwt's Python binding (`authjwt._native`): converts Python values to core types, calls
//! `authjwt-core`, and converts results and errors back. No JWT logic lives here: option values
//! follow `authjwt_core::config`, decoding and bearer parsing are the core's too.

use std::sync::Arc;

use authjwt_core::events::EventSink;
use pyo3::prelude::*;

mod clock;
mod convert;
mod discovery;
mod errors;
mod host;
mod http;
mod issuer;
mod options;
mod rows;
mod runtime;
mod shared_cache;
mod verify;

/// An optional `on_event` callable as the core's event sink.
fn events_sink(on_event: Option<Bound<'_, PyAny>>) -> Option<Arc<dyn EventSink>> {
    on_event
        .filter(|v| !v.is_none())
        .map(|v| Arc::new(host::PyEvents(v.unbind())) as Arc<dyn EventSink>)
}

/// The `authjwt._native` extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<issuer::PyIssuer>()?;
    m.add_class::<issuer::PyAsyncIssuer>()?;
    m.add_class::<rows::PyJwkRow>()?;
    m.add_class::<rows::PyMemoryStore>()?;
    m.add_class::<clock::PyManualClock>()?;
    m.add_class::<verify::PyKeySet>()?;
    m.add_class::<verify::PyVerifiedJwt>()?;
    m.add_class::<verify::PyRemoteKeySet>()?;
    m.add_class::<verify::PyAsyncRemoteKeySet>()?;
    m.add_class::<shared_cache::PyJwksCacheEntry>()?;
    m.add_function(wrap_pyfunction!(verify::py_verify_jwt, m)?)?;
    m.add_function(wrap_pyfunction!(verify::decode_jwt, m)?)?;
    m.add_function(wrap_pyfunction!(verify::decode_header, m)?)?;
    m.add_function(wrap_pyfunction!(verify::extract_bearer_token, m)?)?;
    m.add_class::<http::PyChallenge>()?;
    m.add_function(wrap_pyfunction!(http::auth_challenge, m)?)?;
    m.add_function(wrap_pyfunction!(http::missing_scopes, m)?)?;
    m.add_function(wrap_pyfunction!(http::jwks_etag, m)?)?;
    m.add_function(wrap_pyfunction!(http::if_none_match, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    runtime::install(m)?;
    Ok(())
}
