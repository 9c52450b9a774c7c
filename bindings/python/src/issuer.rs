//! `Issuer` (sync store, blocking calls with the GIL released) and `AsyncIssuer` (async store,
//! awaitable methods whose work runs on the tokio runtime, off the event loop).

use std::sync::Arc;

use authjwt_core::issuer::{
    ExternalSignerConfig, Issuer, IssuerOptions, OptionCase, SessionHooks, SignOverrides,
};
use authjwt_core::store::KeyStore;
use authjwt_core::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::clock::PyManualClock;
use crate::convert;
use crate::errors::{detached, to_py_err};
use crate::host::{LoopLocals, PyClock, PyEvents, PyHooks, PyKeyStore, PySigner};
use crate::options;
use crate::rows::{PyJwkRow, PyMemoryStore};
use crate::runtime::{self, block_on, PerProcess};
use crate::verify::PyVerifiedJwt;

/// The core issuer of this process. A forked child rebuilds it from the same store and options
/// on first use, with its own single-flight and refresh state (the parent's may be held by a
/// thread that does not exist in the child); keys are read from the store again.
pub struct ProcessIssuer {
    store: Arc<dyn KeyStore>,
    options: IssuerOptions,
    remote_url: Option<String>,
    current: PerProcess<Issuer>,
}

impl ProcessIssuer {
    fn new(store: Arc<dyn KeyStore>, options: IssuerOptions) -> Result<Self, Error> {
        let issuer = Issuer::new(store.clone(), options.clone())?;
        Ok(ProcessIssuer {
            store,
            options,
            remote_url: issuer.remote_url().map(str::to_owned),
            current: PerProcess::new(issuer)?,
        })
    }

    /// This process's issuer.
    fn get(&self) -> Result<&Issuer, Error> {
        self.current
            .get_or_try_init(|| Issuer::new(self.store.clone(), self.options.clone()))
    }
}

/// The constructor's keyword arguments (Better Auth's options in snake_case); any other name is
/// a `TypeError`, as for a regular Python signature.
const ISSUER_OPTIONS: [&str; 21] = [
    "store",
    "secret",
    "key_pair_config",
    "key_pair_configs",
    "issuer",
    "audience",
    "expiration_time",
    "rotation_interval",
    "rotation_lead",
    "grace_period",
    "key_cache_ttl",
    "disable_private_key_encryption",
    "allow_weak_secret",
    "private_key_format",
    "store_timeout",
    "define_payload",
    "get_subject",
    "on_event",
    "clock",
    "external_signer",
    "remote_url",
];

/// Builds the core issuer from the constructor's keyword arguments (shared by both classes);
/// returns whether any Python callback (store, hooks, signer) is involved.
fn build_issuer(
    py: Python<'_>,
    locals: &Arc<LoopLocals>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<(ProcessIssuer, bool)> {
    let empty = PyDict::new(py);
    let kw = kwargs.unwrap_or(&empty);
    for key in kw.keys() {
        let key: String = key.extract()?;
        if !ISSUER_OPTIONS.contains(&key.as_str()) {
            return Err(PyTypeError::new_err(format!(
                "unexpected keyword argument {key:?}; options: {}",
                ISSUER_OPTIONS.join(", ")
            )));
        }
    }
    let get =
        |name: &str| -> PyResult<Option<Bound<'_, PyAny>>> { Ok(present(kw.get_item(name)?)) };
    let mut o = IssuerOptions {
        secrets: options::secrets_from(get("secret")?.as_ref())?,
        disable_private_key_encryption: match get("disable_private_key_encryption")? {
            Some(v) => v.extract::<bool>()?,
            None => false,
        },
        allow_weak_secret: match get("allow_weak_secret")? {
            Some(v) => v.extract::<bool>()?,
            None => false,
        },
        issuer: get("issuer")?.map(|v| v.extract::<String>()).transpose()?,
        ..IssuerOptions::default()
    };
    if let Some(v) = get("private_key_format")? {
        o.private_key_format = convert::text(&v, "private_key_format")?
            .parse()
            .map_err(to_py_err)?;
    }
    let remote_url = get("remote_url")?
        .map(|v| v.extract::<String>())
        .transpose()?;
    if let Some(v) = get("key_pair_config")? {
        o.key_pair_config = options::key_pair_config_from(&v)?;
    }
    if let Some(v) = get("key_pair_configs")? {
        o.key_pair_configs = v
            .try_iter()?
            .map(|c| options::key_pair_config_from(&c?))
            .collect::<PyResult<_>>()?;
    }
    if let Some(v) = get("audience")? {
        o.audience = options::audience_from(&v)?;
    }
    if let Some(v) = get("expiration_time")? {
        o.expiration_time = options::expiration_from(&v)?;
    }
    if let Some(v) = get("rotation_interval")? {
        o.rotation_interval = Some(convert::lifecycle_seconds(&v, "rotation_interval")?);
    }
    if let Some(v) = get("rotation_lead")? {
        o.rotation_lead = Some(convert::lifecycle_seconds(&v, "rotation_lead")?);
    }
    if let Some(v) = get("grace_period")? {
        o.grace_period = convert::lifecycle_seconds(&v, "grace_period")?;
    }
    if let Some(v) = get("key_cache_ttl")? {
        o.key_cache_ttl = convert::seconds(&v, "key_cache_ttl")?;
    }
    if let Some(v) = get("store_timeout")? {
        o.store_timeout = options::duration_from(&v, "store_timeout")?;
    }
    let define_payload = get("define_payload")?.map(Bound::unbind);
    let get_subject = get("get_subject")?.map(Bound::unbind);
    let mut host_callbacks = define_payload.is_some() || get_subject.is_some();
    if host_callbacks {
        let hooks: Arc<dyn SessionHooks> = Arc::new(PyHooks {
            define_payload,
            get_subject,
            locals: locals.clone(),
        });
        o.session_hooks = Some(hooks);
    }
    if let Some(v) = get("on_event")? {
        o.events = Some(Arc::new(PyEvents(v.unbind())));
    }
    if let Some(v) = get("external_signer")? {
        o.external_signer = Some(external_signer_from(&v, locals)?);
        host_callbacks = true;
    }
    o.remote_url = remote_url;
    if let Some(v) = get("clock")? {
        o.clock = match v.cast::<PyManualClock>() {
            Ok(manual) => manual.get().inner.clone(),
            Err(_) if v.is_callable() => Arc::new(PyClock(v.unbind())),
            Err(_) => {
                return Err(PyTypeError::new_err(
                    "clock must be a ManualClock or a callable returning seconds or a datetime",
                ))
            }
        };
    }
    let store: Arc<dyn KeyStore> = match get("store")? {
        None => Arc::new(authjwt_core::store::MemoryStore::new()),
        Some(s) => match s.cast::<PyMemoryStore>() {
            Ok(memory) => memory.get().inner.clone(),
            Err(_) => {
                if !s.hasattr("get_jwks")? || !s.hasattr("create_jwk")? {
                    return Err(PyTypeError::new_err(
                        "store must have get_jwks() and create_jwk(row) methods",
                    ));
                }
                host_callbacks = true;
                Arc::new(PyKeyStore::new(s, locals.clone())?)
            }
        },
    };
    let issuer = detached(py, move || ProcessIssuer::new(store, o))?;
    Ok((issuer, host_callbacks))
}

fn present<'py>(o: Option<Bound<'py, PyAny>>) -> Option<Bound<'py, PyAny>> {
    o.filter(|v| !v.is_none())
}

/// `external_signer={"sign": callable, "alg": "ES256", "kid": "kms-key-1" | callable, ...}`: the
/// callables here, every other entry read by the core (`message_type`, `verify_before_return`,
/// `public_key`).
fn external_signer_from(
    v: &Bound<'_, PyAny>,
    locals: &Arc<LoopLocals>,
) -> PyResult<ExternalSignerConfig> {
    let d = v.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(
            "external_signer must be a dict {\"sign\": callable, \"alg\": ..., \"kid\": ...}",
        )
    })?;
    let sign = d
        .get_item("sign")?
        .ok_or_else(|| PyTypeError::new_err("external_signer needs \"sign\""))?;
    if !sign.is_callable() {
        return Err(PyTypeError::new_err(
            "external_signer[\"sign\"] must be callable",
        ));
    }
    let kid = d.get_item("kid")?.filter(|k| k.is_callable());
    let plain = PyDict::new(v.py());
    for (key, value) in d.iter() {
        let name: String = key.extract()?;
        if name != "sign" && !(name == "kid" && kid.is_some()) {
            plain.set_item(key, value)?;
        }
    }
    let options = convert::to_json_map(plain.as_any(), "external_signer")?;
    let dynamic_kid = kid.is_some();
    ExternalSignerConfig::from_host_options(
        Arc::new(PySigner {
            sign: sign.unbind(),
            kid: kid.map(Bound::unbind),
            locals: locals.clone(),
        }),
        &options,
        OptionCase::Snake,
        dynamic_kid,
    )
    .map_err(to_py_err)
}

/// A payload argument as JSON text (it must be a dict).
fn payload_json(payload: &Bound<'_, PyAny>) -> PyResult<String> {
    if !payload.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err("payload must be a dict"));
    }
    convert::to_json_text(payload)
}

/// Signs on the cached key while it is fresh (no await, no store), else through the full path:
/// the core's caching policy, without entering the runtime on the hot path.
fn sign_blocking(issuer: &Issuer, json: &str, overrides: &SignOverrides) -> Result<String, Error> {
    match issuer.sign_json_if_no_await(json, overrides)? {
        Some(token) => Ok(token),
        None => block_on(issuer.sign_json(json, overrides)),
    }
}

/// Issues, publishes and verifies tokens with a synchronous key store (Django, Flask, scripts).
#[pyclass(name = "Issuer", module = "authjwt", frozen)]
pub struct PyIssuer {
    inner: ProcessIssuer,
}

#[pymethods]
impl PyIssuer {
    /// Keyword arguments only: `store`, `secret`, `key_pair_config`, `key_pair_configs`, `issuer`,
    /// `audience`, `expiration_time`, `rotation_interval`, `grace_period`, `key_cache_ttl`,
    /// `disable_private_key_encryption`, `private_key_format`, `store_timeout`, `define_payload`,
    /// `get_subject`, `on_event`, `clock`, `external_signer`, `remote_url` (see the stubs).
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let (inner, _) = build_issuer(py, &LoopLocals::sync(), options)?;
        Ok(PyIssuer { inner })
    }

    /// Signs `payload` plus `iat`, `iss`, `aud`, `exp` (and `sub`); returns the compact JWT.
    #[pyo3(signature = (payload, *, expiration_time=None, issuer=None, audience=None, subject=None,
        typ=None, signing_key_id=None, signing_algorithm=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        py: Python<'_>,
        payload: &Bound<'_, PyAny>,
        expiration_time: Option<&Bound<'_, PyAny>>,
        issuer: Option<String>,
        audience: Option<&Bound<'_, PyAny>>,
        subject: Option<String>,
        typ: Option<String>,
        signing_key_id: Option<String>,
        signing_algorithm: Option<String>,
    ) -> PyResult<String> {
        let json = payload_json(payload)?;
        let ov = options::overrides_from(
            expiration_time,
            issuer,
            audience,
            subject,
            typ,
            signing_key_id,
            signing_algorithm,
        )?;
        let issuer = &self.inner;
        detached(py, || sign_blocking(issuer.get()?, &json, &ov))
    }

    /// Better Auth's `/token`: the user object (or `define_payload(user, session)`) as payload,
    /// `sub` = `user["id"]` (or `get_subject(user, session)`).
    #[pyo3(signature = (user, session, *, expiration_time=None, issuer=None, audience=None,
        subject=None, typ=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign_session(
        &self,
        py: Python<'_>,
        user: &Bound<'_, PyAny>,
        session: &Bound<'_, PyAny>,
        expiration_time: Option<&Bound<'_, PyAny>>,
        issuer: Option<String>,
        audience: Option<&Bound<'_, PyAny>>,
        subject: Option<String>,
        typ: Option<String>,
    ) -> PyResult<String> {
        let user = convert::to_json_value(user)?;
        let session = convert::to_json_value(session)?;
        let ov =
            options::overrides_from(expiration_time, issuer, audience, subject, typ, None, None)?;
        let issuer = &self.inner;
        detached(py, || {
            block_on(issuer.get()?.sign_session(&user, &session, &ov))
        })
    }

    /// The published JWKS (`{"keys": [...]}`, Better Auth's `/jwks` body); creates the first key
    /// when the store is empty.
    fn jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let issuer = &self.inner;
        let doc = detached(py, || block_on(issuer.get()?.jwks()))?;
        convert::value_to_py(py, &doc)
    }

    /// Creates a new signing key and returns its row: it signs now in every process, or, with
    /// `staged=True`, it is published now and signs after `rotation_lead`. The keys it replaces
    /// are retired at the switch through the store's update callback when it has one.
    #[pyo3(signature = (*, staged = false))]
    fn rotate(&self, py: Python<'_>, staged: bool) -> PyResult<PyJwkRow> {
        let issuer = &self.inner;
        detached(py, || {
            let issuer = issuer.get()?;
            block_on(async {
                if staged {
                    issuer.rotate_staged().await
                } else {
                    issuer.rotate().await
                }
            })
        })
        .map(PyJwkRow::from)
    }

    /// Revokes the stored key `kid`: out of the JWKS at once, never signs again (needs a store
    /// that can update rows, else `ERR_INVALID_CONFIG`).
    fn revoke(&self, py: Python<'_>, kid: &str) -> PyResult<()> {
        let issuer = &self.inner;
        detached(py, || block_on(issuer.get()?.revoke(kid)))
    }

    /// Stores the next key of scheduled rotation now if due; its row, or `None`.
    fn prepare_next_key(&self, py: Python<'_>) -> PyResult<Option<PyJwkRow>> {
        let issuer = &self.inner;
        detached(py, || block_on(issuer.get()?.prepare_next_key())).map(|r| r.map(PyJwkRow::from))
    }

    /// The `Cache-Control` to serve `jwks()` under: max-age at most half of `rotation_lead`.
    fn jwks_cache_control(&self) -> PyResult<String> {
        Ok(self.inner.get().map_err(to_py_err)?.jwks_cache_control())
    }

    /// Verifies a token against this issuer's stored keys (its issuer/audience as defaults).
    #[pyo3(signature = (token, **options))]
    fn verify(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyString>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyVerifiedJwt> {
        let opts = options::verify_options_from(options)?;
        let token = token.to_cow()?;
        let issuer = &self.inner;
        let verified = detached(py, || block_on(issuer.get()?.verify(&token, &opts)))?;
        PyVerifiedJwt::new(py, verified)
    }

    /// The JWKS URL published instead of local keys (with an external signer), if configured.
    #[getter]
    fn remote_url(&self) -> Option<&str> {
        self.inner.remote_url.as_deref()
    }

    fn __repr__(&self) -> PyResult<String> {
        Ok(format!("{:?}", self.inner.get().map_err(to_py_err)?))
    }
}

/// Issues, publishes and verifies tokens with an `async def` key store (FastAPI, Starlette).
/// Every method returns an awaitable; store coroutines run on the caller's event loop, and the
/// cryptography runs on authjwt's worker threads.
#[pyclass(name = "AsyncIssuer", module = "authjwt", frozen, subclass)]
pub struct PyAsyncIssuer {
    inner: ProcessIssuer,
    locals: Arc<LoopLocals>,
    host_callbacks: bool,
}

impl PyAsyncIssuer {
    /// This process's issuer, after remembering the caller's loop for host callbacks.
    fn enter(&self, py: Python<'_>) -> PyResult<Issuer> {
        if self.host_callbacks {
            self.locals.remember(py)?;
        }
        self.inner.get().cloned().map_err(to_py_err)
    }
}

#[pymethods]
impl PyAsyncIssuer {
    /// The keyword arguments of `Issuer`; `store`, hooks and `external_signer` may be `async def`.
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let locals = LoopLocals::asynchronous();
        let (inner, host_callbacks) = build_issuer(py, &locals, options)?;
        Ok(PyAsyncIssuer {
            inner,
            locals,
            host_callbacks,
        })
    }

    /// Awaitable [`PyIssuer::sign`].
    #[pyo3(signature = (payload, *, expiration_time=None, issuer=None, audience=None, subject=None,
        typ=None, signing_key_id=None, signing_algorithm=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        payload: &Bound<'py, PyAny>,
        expiration_time: Option<&Bound<'py, PyAny>>,
        issuer: Option<String>,
        audience: Option<&Bound<'py, PyAny>>,
        subject: Option<String>,
        typ: Option<String>,
        signing_key_id: Option<String>,
        signing_algorithm: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let json = payload_json(payload)?;
        let ov = options::overrides_from(
            expiration_time,
            issuer,
            audience,
            subject,
            typ,
            signing_key_id,
            signing_algorithm,
        )?;
        let issuer = self.enter(py)?;
        // A fresh cached key signs here (GIL released) into a done awaitable: a worker-thread
        // round trip costs more than the signature. Otherwise the store is read on the runtime.
        if let Some(token) = detached(py, || issuer.sign_json_if_no_await(&json, &ov))? {
            return runtime::ready(py, token);
        }
        runtime::future_into_py(py, async move {
            issuer.sign_json(&json, &ov).await.map_err(to_py_err)
        })
    }

    /// Awaitable [`PyIssuer::sign_session`].
    #[pyo3(signature = (user, session, *, expiration_time=None, issuer=None, audience=None,
        subject=None, typ=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign_session<'py>(
        &self,
        py: Python<'py>,
        user: &Bound<'py, PyAny>,
        session: &Bound<'py, PyAny>,
        expiration_time: Option<&Bound<'py, PyAny>>,
        issuer: Option<String>,
        audience: Option<&Bound<'py, PyAny>>,
        subject: Option<String>,
        typ: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let user = convert::to_json_value(user)?;
        let session = convert::to_json_value(session)?;
        let ov =
            options::overrides_from(expiration_time, issuer, audience, subject, typ, None, None)?;
        let issuer = self.enter(py)?;
        runtime::future_into_py(py, async move {
            issuer
                .sign_session(&user, &session, &ov)
                .await
                .map_err(to_py_err)
        })
    }

    /// Awaitable [`PyIssuer::jwks`].
    fn jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let issuer = self.enter(py)?;
        runtime::future_into_py(py, async move {
            let doc = issuer.jwks().await.map_err(to_py_err)?;
            runtime::attach_py(|py| convert::value_to_py(py, &doc).map(Bound::unbind))
        })
    }

    /// Awaitable [`PyIssuer::rotate`].
    #[pyo3(signature = (*, staged = false))]
    fn rotate<'py>(&self, py: Python<'py>, staged: bool) -> PyResult<Bound<'py, PyAny>> {
        let issuer = self.enter(py)?;
        runtime::future_into_py(py, async move {
            let row = if staged {
                issuer.rotate_staged().await
            } else {
                issuer.rotate().await
            };
            row.map(PyJwkRow::from).map_err(to_py_err)
        })
    }

    /// Awaitable [`PyIssuer::revoke`].
    fn revoke<'py>(&self, py: Python<'py>, kid: String) -> PyResult<Bound<'py, PyAny>> {
        let issuer = self.enter(py)?;
        runtime::future_into_py(
            py,
            async move { issuer.revoke(&kid).await.map_err(to_py_err) },
        )
    }

    /// [`PyIssuer::jwks_cache_control`].
    fn jwks_cache_control(&self) -> PyResult<String> {
        Ok(self.inner.get().map_err(to_py_err)?.jwks_cache_control())
    }

    /// Awaitable [`PyIssuer::prepare_next_key`].
    fn prepare_next_key<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let issuer = self.enter(py)?;
        runtime::future_into_py(py, async move {
            issuer
                .prepare_next_key()
                .await
                .map(|r| r.map(PyJwkRow::from))
                .map_err(to_py_err)
        })
    }

    /// Awaitable [`PyIssuer::verify`].
    #[pyo3(signature = (token, **options))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyString>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = options::verify_options_from(options)?;
        let token = token.to_cow()?.into_owned();
        let issuer = self.enter(py)?;
        runtime::now_or_on_runtime(
            py,
            async move { issuer.verify(&token, &opts).await },
            |py, verified| Ok(Py::new(py, PyVerifiedJwt::new(py, verified)?)?.into_any()),
        )
    }

    /// The JWKS URL published instead of local keys (with an external signer), if configured.
    #[getter]
    fn remote_url(&self) -> Option<&str> {
        self.inner.remote_url.as_deref()
    }

    fn __repr__(&self) -> PyResult<String> {
        Ok(format!("Async{:?}", self.inner.get().map_err(to_py_err)?))
    }
}
