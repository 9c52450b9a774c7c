//! The `cache=` object of `RemoteKeySet` / `AsyncRemoteKeySet`: the host's storage behind the
//! core's [`SharedJwksCache`] (every rule of when to load, claim, save and validate is the core's).
//!
//! The object has `load()` (a `JwksCacheEntry`, its JSON text, or None), `save(entry)` and,
//! optionally, `claim(ttl)` (seconds; True when this instance may fetch) and `release()`. For the
//! sync class they are plain methods; for the async class they may be `async def` (awaited on the
//! loop of the latest call) or plain. Anything a method raises, or an answer of the wrong type,
//! becomes a `StoreError` that the core reports as `jwks.cache_failed` before fetching itself;
//! text that is not an entry is reported as `jwks.cache_rejected`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authjwt_core::remote::{SharedJwksCache, SharedJwksEntry, INVALID_ENTRY};
use authjwt_core::StoreError;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::host::{call_host, LoopLocals};
use crate::runtime;

/// One fetched JWKS as a shared cache keeps it. Store `to_json()` (the one form every host
/// reads, so Node and Python instances can share a key) and give it back from `load()`.
#[pyclass(name = "JwksCacheEntry", module = "authjwt", frozen)]
pub struct PyJwksCacheEntry {
    inner: SharedJwksEntry,
}

#[pymethods]
impl PyJwksCacheEntry {
    /// The entry of `to_json()`'s text; `JWKSInvalid` for anything else.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        entry_from_text(text)
            .map(|inner| PyJwksCacheEntry { inner })
            .map_err(crate::errors::to_py_err)
    }

    /// `{"url", "body", "etag", "lastModified", "fetchedAt", "lifetime"}` as JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json().to_string()
    }

    /// The key set's URL (credentials and query values shown as `***`).
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }

    /// The JWKS document as the server sent it.
    #[getter]
    fn body(&self) -> &str {
        &self.inner.body
    }

    #[getter]
    fn etag(&self) -> Option<&str> {
        self.inner.etag.as_deref()
    }

    #[getter]
    fn last_modified(&self) -> Option<&str> {
        self.inner.last_modified.as_deref()
    }

    /// Epoch milliseconds of the answer (200 or 304) that confirmed the body.
    #[getter]
    fn fetched_at(&self) -> i64 {
        self.inner.fetched_at_ms
    }

    /// Milliseconds after `fetched_at` the set is fresh.
    #[getter]
    fn lifetime(&self) -> u64 {
        self.inner.lifetime_ms
    }

    fn __repr__(&self) -> String {
        format!(
            "JwksCacheEntry(url={:?}, etag={:?}, fetched_at={}, lifetime={})",
            self.inner.url, self.inner.etag, self.inner.fetched_at_ms, self.inner.lifetime_ms
        )
    }
}

fn entry_from_text(text: &str) -> authjwt_core::Result<SharedJwksEntry> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| {
        authjwt_core::Error::JwksInvalid("shared cache entry: not JSON text".into())
    })?;
    SharedJwksEntry::from_json(&value)
}

/// The host's cache object as the core's trait.
pub struct PyJwksCache {
    cache: Py<PyAny>,
    locals: Arc<LoopLocals>,
    claims: bool,
    releases: bool,
}

impl PyJwksCache {
    /// Checks that `cache` has `load` and `save` (and notes whether it has `claim`/`release`).
    pub fn new(cache: &Bound<'_, PyAny>, locals: Arc<LoopLocals>) -> PyResult<Self> {
        for needed in ["load", "save"] {
            if !cache.hasattr(needed)? {
                return Err(PyTypeError::new_err(format!(
                    "cache must have load() and save(entry) methods (no {needed})"
                )));
            }
        }
        Ok(PyJwksCache {
            cache: cache.clone().unbind(),
            locals,
            claims: cache.hasattr("claim")?,
            releases: cache.hasattr("release")?,
        })
    }
}

fn failed(operation: &'static str, e: PyErr) -> StoreError {
    StoreError::with_source(operation, e)
}

#[async_trait]
impl SharedJwksCache for PyJwksCache {
    async fn load(&self) -> Result<Option<SharedJwksEntry>, StoreError> {
        let out = call_host(
            &self.cache,
            Some("load"),
            "load",
            |py| Ok(PyTuple::empty(py)),
            &self.locals,
        )
        .await?;
        let found = runtime::attach_unless_exiting(|py| -> PyResult<Option<Result<_, String>>> {
            let out = out.bind(py);
            if out.is_none() {
                return Ok(None);
            }
            if let Ok(entry) = out.cast::<PyJwksCacheEntry>() {
                return Ok(Some(Ok(entry.get().inner.clone())));
            }
            if let Ok(text) = out.cast::<PyString>() {
                return Ok(Some(
                    entry_from_text(&text.to_cow()?).map_err(|e| e.to_string()),
                ));
            }
            Err(PyTypeError::new_err(
                "load() must return a JwksCacheEntry, its JSON text, or None",
            ))
        })
        .ok_or_else(|| StoreError::new("load", "not called: the Python interpreter is exiting"))?
        .map_err(|e| failed("load", e))?;
        match found {
            None => Ok(None),
            Some(Ok(entry)) => Ok(Some(entry)),
            // Not an entry at all: the core reports it as rejected, not as a failed cache.
            Some(Err(why)) => Err(StoreError::new(INVALID_ENTRY, why)),
        }
    }

    async fn save(&self, entry: &SharedJwksEntry) -> Result<(), StoreError> {
        let entry = entry.clone();
        call_host(
            &self.cache,
            Some("save"),
            "save",
            move |py| PyTuple::new(py, [Bound::new(py, PyJwksCacheEntry { inner: entry })?]),
            &self.locals,
        )
        .await
        .map(drop)
    }

    fn supports_claim(&self) -> bool {
        self.claims
    }

    async fn try_claim(&self, ttl: Duration) -> Result<bool, StoreError> {
        let seconds = ttl.as_secs_f64();
        let out = call_host(
            &self.cache,
            Some("claim"),
            "claim",
            move |py| PyTuple::new(py, [seconds]),
            &self.locals,
        )
        .await?;
        runtime::attach_unless_exiting(|py| out.bind(py).is_truthy())
            .ok_or_else(|| {
                StoreError::new("claim", "not called: the Python interpreter is exiting")
            })?
            .map_err(|e| failed("claim", e))
    }

    async fn release(&self) -> Result<(), StoreError> {
        if !self.releases {
            return Ok(());
        }
        call_host(
            &self.cache,
            Some("release"),
            "release",
            |py| Ok(PyTuple::empty(py)),
            &self.locals,
        )
        .await
        .map(drop)
    }
}
