//! Host callbacks bridged once: the Python key store (sync or `async def`), Better Auth's
//! `define_payload`/`get_subject` hooks, the event callback and an injected clock.
//!
//! A callback's exception is kept whole inside the core's `StoreError` so that `errors.rs` can
//! hand the very same object back as the `__cause__`.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use authjwt_core::clock::Clock;
use authjwt_core::events::{Event, EventSink};
use authjwt_core::issuer::{ExternalSigner, SessionHooks, SignRequest};
use authjwt_core::store::{JwkRow, JwkUpdate, KeyStore};
use authjwt_core::StoreError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3_async_runtimes::TaskLocals;
use serde_json::{Map, Value};

use crate::convert;
use crate::rows::{row_from_py, PyJwkRow};
use crate::runtime::{self, PerProcess};

/// The asyncio loop (and context) of the latest `AsyncIssuer` call, for callbacks that run on a
/// tokio task the call did not scope (e.g. a shared single-flight key creation). Per process: a
/// forked child never sees the parent's loop.
pub struct LoopLocals {
    latest: PerProcess<Mutex<Option<TaskLocals>>>,
    allow_async: bool,
}

impl LoopLocals {
    /// For the sync `Issuer`: an awaitable from a callback is an error (awaiting it on a loop the
    /// caller is blocking would deadlock).
    pub fn sync() -> Arc<Self> {
        Arc::new(LoopLocals {
            latest: PerProcess::empty(),
            allow_async: false,
        })
    }

    /// For `AsyncIssuer`: awaitables are awaited on the caller's loop.
    pub fn asynchronous() -> Arc<Self> {
        Arc::new(LoopLocals {
            latest: PerProcess::empty(),
            allow_async: true,
        })
    }

    /// Remembers the calling task's loop; called on the event loop thread by each async method.
    pub fn remember(&self, py: Python<'_>) -> PyResult<()> {
        let locals = runtime::current_locals(py)?;
        *self
            .latest()
            .map_err(crate::errors::to_py_err)?
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(locals);
        Ok(())
    }

    fn latest(&self) -> Result<&Mutex<Option<TaskLocals>>, authjwt_core::Error> {
        self.latest.get_or_try_init(|| Ok(Mutex::new(None)))
    }

    fn current(&self, py: Python<'_>) -> Option<TaskLocals> {
        if !self.allow_async {
            return None;
        }
        runtime::current_locals(py).ok().or_else(|| {
            self.latest()
                .ok()?
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        })
    }
}

enum Pending<F> {
    Ready(Py<PyAny>),
    Awaiting(F),
}

/// Calls `target(*args)` (or `target.method(*args)`) on a blocking-pool thread, so that a sync
/// callback that hangs is still bounded by `store_timeout` (the caller stops waiting; the thread
/// finishes on its own). An awaitable result is awaited on the caller's event loop. Any Python
/// exception becomes a `StoreError` of `operation` with the exception kept as its source.
pub(crate) async fn call_host(
    target: &Py<PyAny>,
    method: Option<&'static str>,
    operation: &'static str,
    args: impl for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyTuple>> + Send + 'static,
    locals: &LoopLocals,
) -> Result<Py<PyAny>, StoreError> {
    // The task-local loop is only visible on this (tokio task) thread: read it before hopping.
    let (target, task_locals) =
        runtime::attach_unless_exiting(|py| (target.clone_ref(py), locals.current(py)))
            .ok_or_else(|| exiting(operation))?;
    let call = tokio::task::spawn_blocking(move || {
        runtime::attach_unless_exiting(|py| -> PyResult<_> {
            let target = target.bind(py);
            let args = args(py)?;
            let result = match method {
                Some(name) => target.call_method1(name, args)?,
                None => target.call1(args)?,
            };
            if !result.hasattr("__await__")? {
                return Ok(Pending::Ready(result.unbind()));
            }
            let Some(locals) = task_locals else {
                if result.hasattr("close")? {
                    // Avoid "coroutine was never awaited" noise; the error below says what to do.
                    let _ = result.call_method0("close");
                }
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "{operation} returned an awaitable: async callbacks need the async class \
                     (AsyncIssuer, AsyncRemoteKeySet; Issuer and RemoteKeySet take sync callables)"
                )));
            };
            Ok(Pending::Awaiting(
                pyo3_async_runtimes::into_future_with_locals(&locals, result)?,
            ))
        })
    });
    let pending = call
        .await
        .map_err(|_| StoreError::new(operation, "the callback's thread panicked"))?
        .ok_or_else(|| exiting(operation))?
        .map_err(|e| StoreError::with_source(operation, e))?;
    match pending {
        Pending::Ready(value) => Ok(value),
        Pending::Awaiting(fut) => fut.await.map_err(|e| StoreError::with_source(operation, e)),
    }
}

fn exiting(operation: &'static str) -> StoreError {
    StoreError::new(operation, "not called: the Python interpreter is exiting")
}

/// A Python object with `get_jwks()` and `create_jwk(row)`, and optionally
/// `update_jwk(id, update)`; sync or `async def`.
pub struct PyKeyStore {
    store: Py<PyAny>,
    locals: Arc<LoopLocals>,
    /// Whether the object has `update_jwk`, read once when wrapped (as Node reads `updateJwk`).
    has_update: bool,
}

impl PyKeyStore {
    /// Wraps `store`; async results are awaited on the loop recorded in `locals`.
    pub fn new(store: Bound<'_, PyAny>, locals: Arc<LoopLocals>) -> PyResult<Self> {
        let has_update = store.hasattr("update_jwk")?;
        Ok(PyKeyStore {
            store: store.unbind(),
            locals,
            has_update,
        })
    }
}

fn convert_failure(operation: &'static str) -> impl Fn(PyErr) -> StoreError {
    move |e| StoreError::with_source(operation, e)
}

/// Converts a callback's result under the GIL (runs on a runtime thread).
fn with_python<T>(
    operation: &'static str,
    f: impl for<'py> FnOnce(Python<'py>) -> PyResult<T>,
) -> Result<T, StoreError> {
    runtime::attach_unless_exiting(f)
        .ok_or_else(|| exiting(operation))?
        .map_err(convert_failure(operation))
}

#[async_trait]
impl KeyStore for PyKeyStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
        let out = call_host(
            &self.store,
            Some("get_jwks"),
            "get_jwks",
            |py| Ok(PyTuple::empty(py)),
            &self.locals,
        )
        .await?;
        with_python("get_jwks", |py| -> PyResult<Vec<JwkRow>> {
            let out = out.bind(py);
            if !out.is_instance_of::<PyList>() && !out.is_instance_of::<PyTuple>() {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "get_jwks() must return a list of JwkRow",
                ));
            }
            out.try_iter()?.map(|item| row_from_py(&item?)).collect()
        })
    }

    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, StoreError> {
        let out = call_host(
            &self.store,
            Some("create_jwk"),
            "create_jwk",
            move |py| PyTuple::new(py, [Bound::new(py, PyJwkRow::from(row))?]),
            &self.locals,
        )
        .await?;
        with_python("create_jwk", |py| row_from_py(out.bind(py)))
    }

    fn can_update(&self) -> bool {
        self.has_update
    }

    /// `update_jwk(id, {"expires_at": datetime})`: the datetime aware and in UTC, as in rows.
    async fn update_jwk(&self, id: &str, update: JwkUpdate) -> Result<(), StoreError> {
        if !self.has_update {
            return Err(StoreError::new("update_jwk", "the store has no update_jwk"));
        }
        let id = id.to_owned();
        call_host(
            &self.store,
            Some("update_jwk"),
            "update_jwk",
            move |py| {
                let change = PyDict::new(py);
                change.set_item(
                    "expires_at",
                    convert::ms_to_datetime(py, update.expires_at)?,
                )?;
                PyTuple::new(py, [PyString::new(py, &id).into_any(), change.into_any()])
            },
            &self.locals,
        )
        .await
        .map(|_| ())
    }
}

/// `define_payload(user, session)` and `get_subject(user, session)` callables (sync or async).
pub struct PyHooks {
    /// Returns a dict (the payload) or None (the default: the user object).
    pub define_payload: Option<Py<PyAny>>,
    /// Returns the subject string or None (the default: `user["id"]`).
    pub get_subject: Option<Py<PyAny>>,
    /// The loop async hooks are awaited on.
    pub locals: Arc<LoopLocals>,
}

fn user_session_args<'py>(
    py: Python<'py>,
    user: &Value,
    session: &Value,
) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(
        py,
        [
            convert::value_to_py(py, user)?,
            convert::value_to_py(py, session)?,
        ],
    )
}

#[async_trait]
impl SessionHooks for PyHooks {
    async fn define_payload(
        &self,
        user: &Value,
        session: &Value,
    ) -> Result<Option<Map<String, Value>>, StoreError> {
        let Some(hook) = &self.define_payload else {
            return Ok(None);
        };
        let (user, session) = (user.clone(), session.clone());
        let out = call_host(
            hook,
            None,
            "define_payload",
            move |py| user_session_args(py, &user, &session),
            &self.locals,
        )
        .await?;
        with_python("define_payload", |py| {
            let out = out.bind(py);
            if out.is_none() {
                return Ok(None);
            }
            convert::to_json_map(out, "define_payload's result").map(Some)
        })
    }

    async fn get_subject(
        &self,
        user: &Value,
        session: &Value,
    ) -> Result<Option<String>, StoreError> {
        let Some(hook) = &self.get_subject else {
            return Ok(None);
        };
        let (user, session) = (user.clone(), session.clone());
        let out = call_host(
            hook,
            None,
            "get_subject",
            move |py| user_session_args(py, &user, &session),
            &self.locals,
        )
        .await?;
        with_python("get_subject", |py| out.bind(py).extract::<Option<String>>())
    }
}

/// A KMS-style signer: `sign(message: bytes) -> bytes` (sync, or async under `AsyncIssuer`), as
/// Better Auth's `jwt.sign` with `jwks.remoteUrl`. With a `kid` callable, `kid()` names the key
/// version of each token and `sign(message, kid)` gets it.
pub struct PySigner {
    /// The callable.
    pub sign: Py<PyAny>,
    /// `external_signer["kid"]` when it is a callable.
    pub kid: Option<Py<PyAny>>,
    /// The loop async signers are awaited on.
    pub locals: Arc<LoopLocals>,
}

#[async_trait]
impl ExternalSigner for PySigner {
    async fn sign(&self, request: SignRequest) -> Result<Vec<u8>, StoreError> {
        let with_kid = self.kid.is_some();
        let out = call_host(
            &self.sign,
            None,
            "sign",
            move |py| {
                let message = PyBytes::new(py, &request.message).into_any();
                if with_kid {
                    PyTuple::new(py, [message, PyString::new(py, &request.kid).into_any()])
                } else {
                    PyTuple::new(py, [message])
                }
            },
            &self.locals,
        )
        .await?;
        with_python("sign", |py| {
            let out = out.bind(py);
            // bytes-like only: a str would otherwise become its characters' bytes.
            if out.is_instance_of::<PyString>() {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "external_signer[\"sign\"] must return bytes, not str",
                ));
            }
            out.extract::<Vec<u8>>()
        })
    }

    async fn current_kid(&self) -> Result<Option<String>, StoreError> {
        let Some(kid) = &self.kid else {
            return Ok(None);
        };
        let out = call_host(kid, None, "kid", |py| Ok(PyTuple::empty(py)), &self.locals).await?;
        with_python("kid", |py| out.bind(py).extract::<String>()).map(Some)
    }
}

/// Forwards events to a Python callable as dicts (`{"type": "key.created", "kid": ..., ...}`).
/// A callback that raises is reported through `sys.unraisablehook`, never into the operation.
pub struct PyEvents(pub Py<PyAny>);

impl EventSink for PyEvents {
    fn on_event(&self, event: &Event) {
        runtime::attach_unless_exiting(|py| {
            let sent = convert::value_to_py(py, &event.to_json())
                .and_then(|dict| self.0.bind(py).call1((dict,)));
            if let Err(e) = sent {
                e.write_unraisable(py, Some(self.0.bind(py)));
            }
        });
    }
}

/// A clock that asks a Python callable for the time (seconds since the epoch as a number, or an
/// aware datetime). Meant for tests; [`crate::clock::PyManualClock`] avoids the GIL round trip.
pub struct PyClock(pub Py<PyAny>);

impl std::fmt::Debug for PyClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PyClock")
    }
}

impl Clock for PyClock {
    fn now_ms(&self) -> i64 {
        runtime::attach_unless_exiting(|py| {
            let now = self.0.bind(py).call0().and_then(|now| {
                if convert::is_datetime(&now)? {
                    return convert::datetime_to_ms(&now, "clock()");
                }
                let secs: f64 = now.extract()?;
                Ok((secs * 1000.0).floor() as i64)
            });
            // A broken test clock must not take the process down; fall back to real time.
            now.map_err(|e| e.write_unraisable(py, None)).ok()
        })
        .flatten()
        .unwrap_or_else(|| authjwt_core::clock::SystemClock.now_ms())
    }
}
