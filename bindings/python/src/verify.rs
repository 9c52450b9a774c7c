//! Verification: `KeySet`, `verify_jwt`, `RemoteKeySet` (sync) and `AsyncRemoteKeySet`, plus the
//! unverified `decode_jwt` / `decode_header` and `extract_bearer_token`.

use std::sync::Arc;
use std::time::Duration;

use authjwt_core::events::{Emitter, EventSink};
use authjwt_core::jwks::KeySet;
use authjwt_core::jws;
use authjwt_core::remote::{RemoteJwks, RemoteJwksOptions, RequestHeaders, SharedCache};
use authjwt_core::verify::{verify_jwt, VerifiedJwt};
use authjwt_core::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyMapping, PyString, PyType};

use crate::convert;
use crate::errors::{detached, to_py_err};
use crate::events_sink;
use crate::host::LoopLocals;
use crate::options;
use crate::runtime::{self, block_on, PerProcess};
use crate::shared_cache::PyJwksCache;

/// The `cache=` argument as the core's shared cache (None stays None).
fn shared_cache(
    cache: Option<&Bound<'_, PyAny>>,
    locals: &Arc<LoopLocals>,
) -> PyResult<Option<SharedCache>> {
    match cache {
        Some(c) if !c.is_none() => Ok(Some(SharedCache(Arc::new(PyJwksCache::new(
            c,
            locals.clone(),
        )?)))),
        _ => Ok(None),
    }
}

/// A verified token: `payload` (the claims) and `header` (the protected header), both dicts.
#[pyclass(name = "VerifiedJwt", module = "authjwt", frozen)]
pub struct PyVerifiedJwt {
    /// The claims.
    #[pyo3(get)]
    payload: Py<PyDict>,
    /// The protected header.
    #[pyo3(get)]
    header: Py<PyDict>,
}

impl PyVerifiedJwt {
    /// Converts the core's result.
    pub fn new(py: Python<'_>, v: VerifiedJwt) -> PyResult<Self> {
        Ok(PyVerifiedJwt {
            payload: convert::map_to_py(py, &v.payload)?.unbind(),
            header: convert::map_to_py(py, &v.protected_header)?.unbind(),
        })
    }
}

#[pymethods]
impl PyVerifiedJwt {
    /// jose's name for `header`.
    #[getter]
    fn protected_header(&self, py: Python<'_>) -> Py<PyDict> {
        self.header.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // Claim values stay out of the repr (logs); the header has none.
        Ok(format!(
            "VerifiedJwt(header={}, payload=<{} claims>)",
            self.header.bind(py).repr()?,
            self.payload.bind(py).len()
        ))
    }
}

/// A validated local key set (a JWKS document), parsed once.
#[pyclass(name = "KeySet", module = "authjwt", frozen)]
pub struct PyKeySet {
    inner: KeySet,
}

#[pymethods]
impl PyKeySet {
    /// Parses a JWKS (`{"keys": [...]}`) given as a dict or JSON text, keeping the keys it can use;
    /// each skipped key is reported to `on_event` (`jwks.key_skipped`). A document of another shape
    /// raises `JWKSInvalid`.
    #[staticmethod]
    #[pyo3(signature = (jwks, *, on_event=None))]
    fn from_jwks(
        py: Python<'_>,
        jwks: &Bound<'_, PyAny>,
        on_event: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let json = match jwks.cast::<PyString>() {
            Ok(s) => s.to_cow()?.into_owned(),
            Err(_) if jwks.is_instance_of::<PyDict>() => convert::to_json_text(jwks)?,
            Err(_) => return Err(PyTypeError::new_err("jwks must be a dict or JSON str")),
        };
        let keys = detached(py, move || KeySet::from_json(&json))?;
        // Reported with the GIL held, on this thread: the callback runs before from_jwks returns.
        keys.report_skipped(&Emitter::new(events_sink(on_event)));
        Ok(PyKeySet { inner: keys })
    }

    /// The key ids in the set.
    #[getter]
    fn kids(&self) -> Vec<String> {
        self.inner.kids().map(str::to_owned).collect()
    }

    /// The algorithms of the keys (the default allowlist of `verify_jwt`).
    #[getter]
    fn algorithms(&self) -> Vec<&'static str> {
        self.inner
            .algorithms()
            .into_iter()
            .map(|a| a.name())
            .collect()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("KeySet(kids={:?})", self.kids())
    }
}

/// Verifies a compact JWT against a `KeySet` (or a sync `RemoteKeySet`) under the strict policy.
#[pyfunction]
#[pyo3(name = "verify_jwt", signature = (token, key_set, **options))]
pub fn py_verify_jwt(
    py: Python<'_>,
    token: &Bound<'_, PyString>,
    key_set: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyVerifiedJwt> {
    let opts = options::verify_options_from(options)?;
    let token = token.to_cow()?;
    let verified = if let Ok(keys) = key_set.cast::<PyKeySet>() {
        let keys = &keys.get().inner;
        detached(py, || verify_jwt(&token, keys, &opts))?
    } else if let Ok(remote) = key_set.cast::<PyRemoteKeySet>() {
        let remote = &remote.get().inner;
        detached(py, || block_on(remote.get()?.verify(&token, &opts)))?
    } else if key_set.is_instance_of::<PyAsyncRemoteKeySet>() {
        return Err(PyTypeError::new_err(
            "AsyncRemoteKeySet is awaited: use `await key_set.verify(token, ...)`",
        ));
    } else {
        return Err(PyTypeError::new_err(
            "key_set must be a KeySet or a RemoteKeySet",
        ));
    };
    PyVerifiedJwt::new(py, verified)
}

/// The fetch keywords of a remote key set: durations (seconds or a `timedelta`), `headers` (a
/// mapping of names to strings) and `allow_http`; None = the default.
#[derive(Clone, Copy, Default)]
struct RemoteArgs<'a, 'py> {
    cache_max_age: Option<&'a Bound<'py, PyAny>>,
    cache_min_age: Option<&'a Bound<'py, PyAny>>,
    cache_max_age_limit: Option<&'a Bound<'py, PyAny>>,
    stale_if_error: Option<&'a Bound<'py, PyAny>>,
    cooldown: Option<&'a Bound<'py, PyAny>>,
    timeout: Option<&'a Bound<'py, PyAny>>,
    headers: Option<&'a Bound<'py, PyAny>>,
    allow_http: Option<&'a Bound<'py, PyAny>>,
}

impl RemoteArgs<'_, '_> {
    fn options(&self) -> PyResult<RemoteJwksOptions> {
        let seconds = |v: Option<&Bound<'_, PyAny>>, what: &str, default: Duration| match v {
            Some(v) if !v.is_none() => options::duration_from(v, what),
            _ => Ok(default),
        };
        let d = RemoteJwksOptions::default();
        Ok(RemoteJwksOptions {
            cache_max_age: seconds(self.cache_max_age, "cache_max_age", d.cache_max_age)?,
            cache_min_age: seconds(self.cache_min_age, "cache_min_age", d.cache_min_age)?,
            cache_max_age_limit: seconds(
                self.cache_max_age_limit,
                "cache_max_age_limit",
                d.cache_max_age_limit,
            )?,
            stale_if_error: seconds(self.stale_if_error, "stale_if_error", d.stale_if_error)?,
            cooldown_duration: seconds(self.cooldown, "cooldown", d.cooldown_duration)?,
            timeout_duration: seconds(self.timeout, "timeout", d.timeout_duration)?,
            headers: match self.headers {
                Some(h) if !h.is_none() => request_headers(h)?,
                _ => d.headers.clone(),
            },
            allow_http: match self.allow_http {
                Some(b) if !b.is_none() => b
                    .cast::<PyBool>()
                    .map_err(|_| PyTypeError::new_err("allow_http must be a bool"))?
                    .is_true(),
                _ => d.allow_http,
            },
            ..d
        })
    }
}

/// `headers` as name/value pairs: a mapping of str to str (the core checks the names and values).
fn request_headers(headers: &Bound<'_, PyAny>) -> PyResult<RequestHeaders> {
    let mapping = headers
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err("headers must be a mapping of str to str"))?;
    let mut pairs = Vec::new();
    for item in mapping.items()?.iter() {
        let (name, value): (String, String) = item
            .extract()
            .map_err(|_| PyTypeError::new_err("headers must be a mapping of str to str"))?;
        pairs.push((name, value));
    }
    Ok(RequestHeaders::new(pairs))
}

/// The remote key set of this process. A forked child builds its own on first use, with its own
/// HTTP client (the parent's pooled connections are the parent's sockets, served by the parent's
/// threads) and its own single-flight state; it fetches the set again.
pub struct ProcessRemote {
    /// The URL as given (each process builds its client from it).
    given_url: String,
    /// `RemoteJwks::url()` of the first build (the URL as shown).
    shown_url: String,
    options: RemoteJwksOptions,
    events: Option<Arc<dyn EventSink>>,
    current: PerProcess<RemoteJwks>,
}

impl ProcessRemote {
    fn build(
        url: &str,
        options: RemoteJwksOptions,
        events: Option<Arc<dyn EventSink>>,
    ) -> Result<RemoteJwks, Error> {
        let _ctx = runtime::handle()?.enter();
        RemoteJwks::new_with_events(url, options, events)
    }

    fn url(&self) -> &str {
        &self.shown_url
    }

    /// This process's remote key set.
    fn get(&self) -> Result<&RemoteJwks, Error> {
        self.current.get_or_try_init(|| {
            Self::build(&self.given_url, self.options.clone(), self.events.clone())
        })
    }
}

fn new_remote(
    url: &str,
    args: RemoteArgs<'_, '_>,
    on_event: Option<Bound<'_, PyAny>>,
    cache: Option<SharedCache>,
) -> PyResult<ProcessRemote> {
    let mut options = args.options()?;
    options.shared_cache = cache;
    let events = events_sink(on_event);
    let remote = ProcessRemote::build(url, options.clone(), events.clone()).map_err(to_py_err)?;
    Ok(ProcessRemote {
        given_url: url.to_owned(),
        shown_url: remote.url().to_owned(),
        options,
        events,
        current: PerProcess::new(remote).map_err(to_py_err)?,
    })
}

/// A JWKS fetched from `url` and cached (sync API): fresh for the server's `Cache-Control`
/// max-age bounded by `cache_min_age`/`cache_max_age_limit` (`cache_max_age` seconds when it sends
/// none), refreshed ahead in the background, kept verifying for `stale_if_error` past that while
/// refreshes fail; refetched at most once per `cooldown` seconds for unknown kids, each fetch
/// bounded by `timeout` seconds.
#[pyclass(name = "RemoteKeySet", module = "authjwt", frozen)]
pub struct PyRemoteKeySet {
    inner: ProcessRemote,
}

#[pymethods]
impl PyRemoteKeySet {
    #[new]
    #[pyo3(signature = (
        url, *, cache_max_age=None, cache_min_age=None, cache_max_age_limit=None,
        stale_if_error=None, cooldown=None, timeout=None, headers=None, allow_http=None,
        on_event=None, cache=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        url: &str,
        cache_max_age: Option<&Bound<'_, PyAny>>,
        cache_min_age: Option<&Bound<'_, PyAny>>,
        cache_max_age_limit: Option<&Bound<'_, PyAny>>,
        stale_if_error: Option<&Bound<'_, PyAny>>,
        cooldown: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        allow_http: Option<&Bound<'_, PyAny>>,
        on_event: Option<Bound<'_, PyAny>>,
        cache: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let args = RemoteArgs {
            cache_max_age,
            cache_min_age,
            cache_max_age_limit,
            stale_if_error,
            cooldown,
            timeout,
            headers,
            allow_http,
        };
        let cache = shared_cache(cache, &LoopLocals::sync())?;
        new_remote(url, args, on_event, cache).map(|inner| Self { inner })
    }

    /// The key set named by `issuer_url`'s OIDC / RFC 8414 metadata (whose `issuer` must be
    /// `issuer_url` exactly); the other arguments as the constructor's.
    #[classmethod]
    #[pyo3(signature = (
        issuer_url, *, cache_max_age=None, cache_min_age=None, cache_max_age_limit=None,
        stale_if_error=None, cooldown=None, timeout=None, headers=None, allow_http=None,
        on_event=None, cache=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn discover(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        issuer_url: &str,
        cache_max_age: Option<&Bound<'_, PyAny>>,
        cache_min_age: Option<&Bound<'_, PyAny>>,
        cache_max_age_limit: Option<&Bound<'_, PyAny>>,
        stale_if_error: Option<&Bound<'_, PyAny>>,
        cooldown: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        allow_http: Option<&Bound<'_, PyAny>>,
        on_event: Option<Bound<'_, PyAny>>,
        cache: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let args = RemoteArgs {
            cache_max_age,
            cache_min_age,
            cache_max_age_limit,
            stale_if_error,
            cooldown,
            timeout,
            headers,
            allow_http,
        };
        let options = args.options()?;
        let jwks_uri = crate::discovery::jwks_uri_blocking(py, issuer_url, &options)?;
        let cache = shared_cache(cache, &LoopLocals::sync())?;
        new_remote(&jwks_uri, args, on_event, cache).map(|inner| Self { inner })
    }

    /// Verifies `token` with the cached keys (fetching as needed); same options as `verify_jwt`.
    #[pyo3(signature = (token, **options))]
    fn verify(
        &self,
        py: Python<'_>,
        token: &Bound<'_, PyString>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyVerifiedJwt> {
        let opts = options::verify_options_from(options)?;
        let token = token.to_cow()?;
        let remote = &self.inner;
        let verified = detached(py, || block_on(remote.get()?.verify(&token, &opts)))?;
        PyVerifiedJwt::new(py, verified)
    }

    /// Fetches the set now (cache refresh), returning the number of keys.
    fn reload(&self, py: Python<'_>) -> PyResult<usize> {
        let remote = &self.inner;
        detached(py, || {
            let remote = remote.get()?;
            block_on(async { Ok(remote.reload().await?.len()) })
        })
    }

    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }
}

/// [`PyRemoteKeySet`] for asyncio: `await key_set.verify(token, ...)`; fetches never block the
/// event loop.
#[pyclass(name = "AsyncRemoteKeySet", module = "authjwt", frozen, subclass)]
pub struct PyAsyncRemoteKeySet {
    inner: ProcessRemote,
    /// The loop an `async def` cache method is awaited on (the latest call's).
    locals: Arc<LoopLocals>,
}

#[pymethods]
impl PyAsyncRemoteKeySet {
    #[new]
    #[pyo3(signature = (
        url, *, cache_max_age=None, cache_min_age=None, cache_max_age_limit=None,
        stale_if_error=None, cooldown=None, timeout=None, headers=None, allow_http=None,
        on_event=None, cache=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        url: &str,
        cache_max_age: Option<&Bound<'_, PyAny>>,
        cache_min_age: Option<&Bound<'_, PyAny>>,
        cache_max_age_limit: Option<&Bound<'_, PyAny>>,
        stale_if_error: Option<&Bound<'_, PyAny>>,
        cooldown: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        headers: Option<&Bound<'_, PyAny>>,
        allow_http: Option<&Bound<'_, PyAny>>,
        on_event: Option<Bound<'_, PyAny>>,
        cache: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let args = RemoteArgs {
            cache_max_age,
            cache_min_age,
            cache_max_age_limit,
            stale_if_error,
            cooldown,
            timeout,
            headers,
            allow_http,
        };
        let locals = LoopLocals::asynchronous();
        let cache = shared_cache(cache, &locals)?;
        new_remote(url, args, on_event, cache).map(|inner| Self { inner, locals })
    }

    /// Awaitable [`PyRemoteKeySet::discover`]: resolves to an instance of `cls`.
    #[classmethod]
    #[pyo3(signature = (issuer_url, **options))]
    fn discover<'py>(
        cls: &Bound<'py, PyType>,
        py: Python<'py>,
        issuer_url: String,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = options.map_or_else(|| PyDict::new(py), |o| o.clone());
        let get = |name: &str| kwargs.get_item(name);
        let cache_max_age = get("cache_max_age")?;
        let cache_min_age = get("cache_min_age")?;
        let cache_max_age_limit = get("cache_max_age_limit")?;
        let stale_if_error = get("stale_if_error")?;
        let cooldown = get("cooldown")?;
        let timeout = get("timeout")?;
        let headers = get("headers")?;
        let allow_http = get("allow_http")?;
        let fetch = RemoteArgs {
            cache_max_age: cache_max_age.as_ref(),
            cache_min_age: cache_min_age.as_ref(),
            cache_max_age_limit: cache_max_age_limit.as_ref(),
            stale_if_error: stale_if_error.as_ref(),
            cooldown: cooldown.as_ref(),
            timeout: timeout.as_ref(),
            headers: headers.as_ref(),
            allow_http: allow_http.as_ref(),
        }
        .options()?;
        crate::discovery::construct_discovered(py, cls, issuer_url, fetch, kwargs)
    }

    /// Awaitable verification; same options as `verify_jwt`.
    #[pyo3(signature = (token, **options))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyString>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let opts = options::verify_options_from(options)?;
        let token = token.to_cow()?.into_owned();
        let remote = self.inner.get().map_err(to_py_err)?.clone();
        self.locals.remember(py)?;
        // Fresh cached keys verify in the first poll, into a done awaitable; a fetch or a cache
        // callback continues on the runtime.
        runtime::now_or_on_runtime(
            py,
            async move { remote.verify(&token, &opts).await },
            |py, verified| Ok(Py::new(py, PyVerifiedJwt::new(py, verified)?)?.into_any()),
        )
    }

    /// Awaitable fetch of the set now, returning the number of keys.
    fn reload<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let remote = self.inner.get().map_err(to_py_err)?.clone();
        self.locals.remember(py)?;
        runtime::future_into_py(py, async move {
            Ok(remote.reload().await.map_err(to_py_err)?.len())
        })
    }

    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }
}

/// The claims of a token WITHOUT verifying its signature or claims: never trust the result for
/// access decisions; use `verify_jwt`.
#[pyfunction]
pub fn decode_jwt<'py>(py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyDict>> {
    let (_, payload) = jws::decode_unverified(token).map_err(to_py_err)?;
    convert::map_to_py(py, &payload)
}

/// The protected header of a token WITHOUT verifying it (e.g. to read `kid`).
#[pyfunction]
pub fn decode_header<'py>(py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyDict>> {
    convert::map_to_py(
        py,
        &jws::decode_unverified_header(token).map_err(to_py_err)?,
    )
}

/// The token of an `Authorization: Bearer <token>` header value (the core's RFC 6750 §2.1 rule,
/// scheme case-insensitive), or None when the header is absent or not a Bearer credential.
#[pyfunction]
#[pyo3(signature = (authorization))]
pub fn extract_bearer_token(authorization: Option<&str>) -> Option<String> {
    authjwt_core::http::extract_bearer_token(authorization?).map(str::to_owned)
}
