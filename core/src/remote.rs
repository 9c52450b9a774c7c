//! [`RemoteJwks`]: a JWKS fetched over HTTPS and cached, with cooldown and single-flight refresh
//! (jose's `createRemoteJWKSet` semantics, hardened, plus HTTP caching done as a private cache).
//!
//! - **Lifetime.** A fetched set is fresh for the answer's `Cache-Control: max-age` (less its
//!   `Age`; `no-cache`/`no-store` count as 0), bounded to `cache_min_age ..= cache_max_age_limit`;
//!   `cache_max_age` when the answer says nothing.
//! - **Revalidation.** Refetches send `If-None-Match` / `If-Modified-Since` with the last answer's
//!   `ETag` / `Last-Modified`; a `304 Not Modified` keeps the cached keys for a new lifetime.
//! - **Refresh ahead.** Once a set is within [`refresh_lead`] of going stale, the verification that
//!   sees it starts one background fetch and goes on with the cached keys: a busy verifier never
//!   waits for a fetch while it has keys.
//! - **Stale if error.** When a refresh fails (timeout, transport error, error status, invalid
//!   body), the last good set keeps verifying for `stale_if_error` past its lifetime (a
//!   `jwks.stale` event per failed attempt), with retries in the background under exponential
//!   backoff (1 s, 2 s, 4 s, ... capped by the cooldown). After that window verifications fail
//!   with the fetch's error. A set gone stale with no refresh failing (an idle verifier) is
//!   fetched on the request path first; only if that fetch fails does the stale set serve.
//! - **Unknown kids.** A token whose kid is unknown triggers at most one fetch per
//!   `cooldown_duration`; still unknown after it, the token is `ERR_JWKS_NO_MATCHING_KEY`.
//! - **Single flight.** One request is in flight at a time however many callers wait; waiters use
//!   its result.
//! - Connection failures and error statuses are `ERR_JWKS_UNAVAILABLE` (with the status); a fetch
//!   slower than `timeout_duration` is `ERR_JWKS_TIMEOUT`; a wrong document `ERR_JWKS_INVALID`;
//!   bodies over `max_response_size` are refused while being read (never buffered whole);
//!   redirects only to the same scheme, host and port.
//!
//! - **Fleets.** With [`RemoteJwksOptions::shared_cache`], instances share one fetch per refresh
//!   window through the host's storage: each looks at the cache before fetching, validates what it
//!   finds, claims the fetch when the cache can, and saves what it fetched; cache failures never
//!   fail verification (the rules: the `shared_cache` module, [`SharedJwksCache`]).
//!
//! Time (freshness, backoff, cooldown, the stale window) is read from the options' [`Clock`], so
//! tests move it without sleeping; only the fetch timeout (and the bounded wait for another
//! instance's claimed fetch) is wall-clock time.

use std::net::IpAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use reqwest::header::{HeaderMap, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::events::{Emitter, Event, EventSink};
use crate::jwks::KeySet;
use crate::verify::{verify_jwt, VerifiedJwt, VerifyOptions};

mod cache_control;
mod discovery;
mod shared_cache;
pub use discovery::discover_jwks_uri;
use shared_cache::Purpose;
pub use shared_cache::{SharedCache, SharedJwksCache, SharedJwksEntry, CLAIM_POLL, INVALID_ENTRY};

/// First retry delay after a failed fetch; doubled per failure, capped by the cooldown.
const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Redirects followed (all to the same origin) before giving up.
const MAX_REDIRECTS: usize = 5;
/// The longest a refresh ahead starts before the set goes stale.
const MAX_REFRESH_LEAD: Duration = Duration::from_secs(60);

/// Options of a remote key set (jose's names in the hosts, plus the caching bounds).
#[derive(Debug, Clone)]
pub struct RemoteJwksOptions {
    /// How long a fetched set is fresh when the answer has no `Cache-Control: max-age`
    /// (default 10 minutes).
    pub cache_max_age: Duration,
    /// The least lifetime a server's `max-age` (or `no-cache`) can give a set (default 1 minute):
    /// a server answering `max-age=0` is not fetched on every verification.
    pub cache_min_age: Duration,
    /// The longest lifetime a server's `max-age` can give a set (default 1 hour): a key the
    /// server removes stops verifying within this time whatever its caching headers say.
    pub cache_max_age_limit: Duration,
    /// How long past its lifetime the last good set keeps verifying while refreshes fail
    /// (default 1 day; zero turns stale-if-error off).
    pub stale_if_error: Duration,
    /// Least time between two fetches caused by unknown kids (default 30 s).
    pub cooldown_duration: Duration,
    /// Bound on one fetch (default 5 s).
    pub timeout_duration: Duration,
    /// Largest accepted response body, bytes.
    pub max_response_size: usize,
    /// Headers sent with every request (an API key, a tenant id); values never shown.
    pub headers: RequestHeaders,
    /// Accept plain `http` to any host, not only loopback (default false). For in-cluster names
    /// only: without TLS anyone on the path can swap the keys.
    pub allow_http: bool,
    /// The time source of freshness, backoff and cooldown (default the system clock).
    pub clock: Arc<dyn Clock>,
    /// A cache shared with the other instances of a fleet, so they make one fetch per refresh
    /// window (default none; see [`SharedJwksCache`] for the rules).
    pub shared_cache: Option<SharedCache>,
}

impl Default for RemoteJwksOptions {
    fn default() -> Self {
        RemoteJwksOptions {
            cache_max_age: Duration::from_secs(600),
            cache_min_age: Duration::from_secs(60),
            cache_max_age_limit: Duration::from_secs(3600),
            stale_if_error: Duration::from_secs(86_400),
            cooldown_duration: Duration::from_secs(30),
            timeout_duration: Duration::from_secs(5),
            max_response_size: 512 * 1024,
            headers: RequestHeaders::default(),
            allow_http: false,
            clock: Arc::new(SystemClock),
            shared_cache: None,
        }
    }
}

/// Extra request headers of a remote key set, as `(name, value)` pairs. `Debug` shows the names
/// only: values are often credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestHeaders(Vec<(String, String)>);

impl RequestHeaders {
    /// Headers from `(name, value)` pairs (checked when the key set is built).
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        RequestHeaders(pairs.into_iter().collect())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs as a header map, each value marked sensitive (kept out of reqwest's logs).
    fn to_header_map(&self) -> Result<HeaderMap> {
        /// Headers authjwt sets itself (or HTTP owns).
        const RESERVED: [&str; 7] = [
            "host",
            "if-none-match",
            "if-modified-since",
            "content-length",
            "transfer-encoding",
            "connection",
            "accept",
        ];
        let mut map = HeaderMap::new();
        for (name, value) in &self.0 {
            let header =
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    Error::InvalidConfig(format!(
                        "request header name {name:?} is not a valid name"
                    ))
                })?;
            if RESERVED.contains(&header.as_str()) {
                return Err(Error::InvalidConfig(format!(
                    "request header {header} is set by authjwt; it cannot be given"
                )));
            }
            // The value's text stays out of the message: it may be a credential.
            let mut value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidConfig(format!("the value of request header {header} is not valid"))
            })?;
            value.set_sensitive(true);
            map.append(header, value);
        }
        Ok(map)
    }
}

impl std::fmt::Debug for RequestHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl RemoteJwksOptions {
    fn check(&self) -> Result<()> {
        if self.timeout_duration.is_zero() || self.max_response_size == 0 {
            return Err(Error::InvalidConfig(
                "timeoutDuration and the response size cap must be more than zero".into(),
            ));
        }
        if self.cache_min_age > self.cache_max_age_limit {
            return Err(Error::InvalidConfig(
                "cacheMinAge must not be more than cacheMaxAgeLimit".into(),
            ));
        }
        Ok(())
    }

    /// The lifetime a set gets from an answer whose headers give `server` (if anything).
    fn lifetime(&self, server: Option<Duration>) -> Duration {
        server.map_or(self.cache_max_age, |d| {
            d.clamp(self.cache_min_age, self.cache_max_age_limit)
        })
    }
}

/// How long before a set of `lifetime` goes stale its refresh starts: a fifth of the lifetime, at
/// most [`MAX_REFRESH_LEAD`] (far more than a fetch's default timeout).
pub fn refresh_lead(lifetime: Duration) -> Duration {
    (lifetime / 5).min(MAX_REFRESH_LEAD)
}

/// A remote JWKS. Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct RemoteJwks {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("url", &self.inner.url_text)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

struct Inner {
    url: reqwest::Url,
    url_text: String,
    client: reqwest::Client,
    options: RemoteJwksOptions,
    state: RwLock<State>,
    /// Held for the duration of a fetch: the single flight (owned by a background refresh).
    fetching: Arc<tokio::sync::Mutex<()>>,
    events: Emitter,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    /// The body `keys` was parsed from (an issuer with an external signer serves it as `jwks()`).
    document: Option<Arc<str>>,
    /// `ETag` and `Last-Modified` of the answer `keys` came from, for conditional requests.
    etag: Option<String>,
    last_modified: Option<String>,
    /// Clock time (ms) of the last answer that confirmed `keys` (200 or 304).
    confirmed_at: i64,
    /// How long after `confirmed_at` the keys are fresh.
    lifetime: Duration,
    attempted_at: Option<i64>,
    /// Failed fetches since the last good one.
    failures: u32,
    last_error: Option<LastError>,
}

/// Where a cached set stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No keys yet.
    Cold,
    Fresh,
    /// Fresh, but within the refresh lead of going stale.
    RefreshAhead,
    /// Past its lifetime, within the stale-if-error window.
    Stale,
    /// Past the stale-if-error window too: not to be used.
    Expired,
}

impl State {
    fn phase(&self, now: i64, stale_if_error: Duration) -> Phase {
        if self.keys.is_none() {
            return Phase::Cold;
        }
        // A clock set back counts as no time passed.
        let age = elapsed(self.confirmed_at, now);
        if age < self.lifetime.saturating_sub(refresh_lead(self.lifetime)) {
            Phase::Fresh
        } else if age < self.lifetime {
            Phase::RefreshAhead
        } else if age < self.lifetime.saturating_add(stale_if_error) {
            Phase::Stale
        } else {
            Phase::Expired
        }
    }
}

/// The last failed fetch, kept to answer verifications during the cooldown with the same error.
#[derive(Clone)]
struct LastError {
    kind: FailureKind,
    /// The error's own message, without the variant's prefix (so re-raising does not repeat it).
    message: String,
}

#[derive(Clone, Copy)]
enum FailureKind {
    Timeout,
    Unavailable(Option<u16>),
    Invalid,
}

impl LastError {
    fn of(e: &Error) -> LastError {
        let (kind, message) = match e {
            Error::JwksTimeout(m) => (FailureKind::Timeout, m.clone()),
            Error::JwksUnavailable { message, status } => {
                (FailureKind::Unavailable(*status), message.clone())
            }
            Error::JwksInvalid(m) => (FailureKind::Invalid, m.clone()),
            other => (FailureKind::Invalid, other.to_string()),
        };
        LastError { kind, message }
    }

    fn to_error(&self) -> Error {
        let message = self.message.clone();
        match self.kind {
            FailureKind::Timeout => Error::JwksTimeout(message),
            FailureKind::Unavailable(status) => Error::JwksUnavailable { message, status },
            FailureKind::Invalid => Error::JwksInvalid(message),
        }
    }
}

/// What one successful request came to.
enum Answer {
    /// A new document (200).
    Changed {
        keys: KeySet,
        document: Arc<str>,
        etag: Option<String>,
        last_modified: Option<String>,
        lifetime: Duration,
    },
    /// `304 Not Modified`: the cached document stands, for a new lifetime.
    NotModified { lifetime: Duration },
}

impl RemoteJwks {
    /// A key set at `url` (https, or http on a loopback host: 127.0.0.0/8, ::1, localhost).
    pub fn new(url: &str, options: RemoteJwksOptions) -> Result<RemoteJwks> {
        Self::new_with_events(url, options, None)
    }

    /// [`RemoteJwks::new`] reporting `jwks.fetched`, `jwks.not_modified`, `jwks.fetch_failed`,
    /// `jwks.stale`, `token.verified` and `token.rejected` to `events` (and always to `tracing`).
    pub fn new_with_events(
        url: &str,
        options: RemoteJwksOptions,
        events: Option<Arc<dyn EventSink>>,
    ) -> Result<RemoteJwks> {
        let parsed = check_fetch_url(url, "JWKS URL", options.allow_http)?;
        options.check()?;
        let client = http_client(&parsed, &options)?;
        Ok(RemoteJwks {
            inner: Arc::new(Inner {
                url_text: crate::config::redact_url(parsed.as_str()),
                url: parsed,
                client,
                options,
                state: RwLock::new(State::default()),
                fetching: Arc::new(tokio::sync::Mutex::new(())),
                events: Emitter::new(events),
            }),
        })
    }

    /// Verifies a token with the cached keys, refetching once (within the cooldown) for an unknown kid.
    pub async fn verify(&self, token: &str, options: &VerifyOptions) -> Result<VerifiedJwt> {
        let result = self.verify_inner(token, options).await;
        let events = &self.inner.events;
        match &result {
            Ok(v) => events.emit_token_event(|| Event::TokenVerified {
                kid: v
                    .protected_header
                    .get("kid")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                alg: v
                    .protected_header
                    .get("alg")
                    .and_then(serde_json::Value::as_str)
                    .and_then(crate::alg::Algorithm::from_name)
                    .map_or("unknown", crate::alg::Algorithm::name),
            }),
            Err(e) => {
                let code = e.code();
                events.emit_token_event(|| Event::TokenRejected { code });
            }
        }
        result
    }

    /// The current key set: the cached one while usable (refreshed ahead in the background),
    /// else fetched (single-flight, with backoff after failures). Bindings use it to verify
    /// synchronously between refreshes.
    pub async fn key_set(&self) -> Result<Arc<KeySet>> {
        self.inner.current_keys().await
    }

    /// Fetches the set now, whatever its age (jose's `reload()`, conditional on the cached
    /// `ETag`); concurrent calls share a fetch.
    pub async fn reload(&self) -> Result<Arc<KeySet>> {
        let _flight = self.inner.fetching.lock().await;
        self.inner.refresh(Purpose::Reload).await
    }

    /// The current key set when it has a key `kid`; otherwise a newer one if the cooldown allows a
    /// fetch (as [`RemoteJwks::verify`] does for an unknown kid), else the current one.
    pub async fn key_set_for_kid(&self, kid: &str) -> Result<Arc<KeySet>> {
        let keys = self.inner.current_keys().await?;
        if keys.contains_kid(kid) {
            return Ok(keys);
        }
        Ok(self.inner.keys_for_unknown_kid(&keys).await.unwrap_or(keys))
    }

    /// The JWKS body as fetched (current as [`RemoteJwks::key_set`] is), for serving it unchanged.
    pub async fn document(&self) -> Result<Arc<str>> {
        self.inner.current_keys().await?;
        let cached = self.inner.state().document.clone();
        cached
            .ok_or_else(|| Error::JwksInvalid(format!("no JWKS from {} yet", self.inner.url_text)))
    }

    /// The JWKS URL.
    pub fn url(&self) -> &str {
        &self.inner.url_text
    }

    async fn verify_inner(&self, token: &str, options: &VerifyOptions) -> Result<VerifiedJwt> {
        let keys = self.inner.current_keys().await?;
        match verify_jwt(token, &keys, options) {
            Err(Error::NoMatchingKey(why)) => match self.inner.keys_for_unknown_kid(&keys).await {
                Some(newer) => verify_jwt(token, &newer, options),
                None => Err(Error::NoMatchingKey(why)),
            },
            other => other,
        }
    }
}

impl Inner {
    fn state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> i64 {
        self.options.clock.now_ms()
    }

    /// The phase of the cached set now, the keys, and whether the last fetch failed.
    fn snapshot(&self) -> (Phase, Option<Arc<KeySet>>, bool) {
        let s = self.state();
        let phase = s.phase(self.now(), self.options.stale_if_error);
        (phase, s.keys.clone(), s.failures > 0)
    }

    /// Within the backoff after a failure: the error to answer instead of fetching.
    fn backing_off(&self) -> Option<Error> {
        let s = self.state();
        let (Some(at), Some(err)) = (s.attempted_at, &s.last_error) else {
            return None;
        };
        if s.failures == 0 {
            return None;
        }
        let shift = s.failures.saturating_sub(1).min(16);
        let delay = BACKOFF_BASE
            .saturating_mul(1 << shift)
            .min(self.options.cooldown_duration);
        (elapsed(at, self.now()) < delay).then(|| err.to_error())
    }

    /// The keys to verify with now. Waits for a fetch only when there are no usable keys: none
    /// yet, past the stale window, or gone stale with no refresh known to be failing.
    async fn current_keys(self: &Arc<Self>) -> Result<Arc<KeySet>> {
        let (phase, keys, failing) = self.snapshot();
        match (phase, keys) {
            (Phase::Fresh, Some(k)) => return Ok(k),
            (Phase::RefreshAhead, Some(k)) => {
                self.refresh_in_background();
                return Ok(k);
            }
            // A refresh is failing, or one is under way: the last good set serves meanwhile.
            (Phase::Stale, Some(k)) if failing || self.fetching.try_lock().is_err() => {
                self.refresh_in_background();
                return Ok(k);
            }
            _ => {}
        }
        let _flight = self.fetching.lock().await;
        // Whoever held the flight before us may have fetched (or failed) already.
        let (phase, keys, failing) = self.snapshot();
        match (phase, keys) {
            (Phase::Fresh | Phase::RefreshAhead, Some(k)) => return Ok(k),
            (Phase::Stale, Some(k)) if failing => return Ok(k),
            _ => {}
        }
        if let Some(err) = self.backing_off() {
            return Err(err);
        }
        match self.refresh(Purpose::Waiting).await {
            Ok(k) => Ok(k),
            Err(e) => match self.snapshot() {
                (Phase::Stale, Some(k), _) => Ok(k),
                _ => Err(e),
            },
        }
    }

    /// Starts one fetch in the background unless one is under way, the backoff forbids it, or no
    /// runtime runs here (the next verification on the request path fetches then).
    fn refresh_in_background(self: &Arc<Self>) {
        if self.backing_off().is_some() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let Ok(flight) = Arc::clone(&self.fetching).try_lock_owned() else {
            return;
        };
        let inner = Arc::clone(self);
        runtime.spawn(async move {
            let _flight = flight;
            // A fetch that finished since the caller looked has done the work.
            if inner.snapshot().0 != Phase::Fresh {
                let _ = inner.refresh(Purpose::Background).await;
            }
        });
    }

    /// A newer set for a token whose kid `seen` does not have, if one can be had now: another
    /// caller's fetch, or our own when the cooldown and backoff allow.
    async fn keys_for_unknown_kid(&self, seen: &Arc<KeySet>) -> Option<Arc<KeySet>> {
        let _flight = self.fetching.lock().await;
        {
            let s = self.state();
            if let Some(k) = &s.keys {
                if !Arc::ptr_eq(k, seen) {
                    return Some(k.clone());
                }
            }
            if s.attempted_at
                .is_some_and(|at| elapsed(at, self.now()) < self.options.cooldown_duration)
            {
                return None;
            }
        }
        if self.backing_off().is_some() {
            return None;
        }
        // A failed refresh keeps the cached keys in service; this token stays unmatched.
        let fetched = self.refresh(Purpose::UnknownKid).await.ok()?;
        (!Arc::ptr_eq(&fetched, seen)).then_some(fetched)
    }

    /// One fetch; the caller holds the flight lock.
    async fn fetch_and_store(&self) -> Result<Arc<KeySet>> {
        let validators = {
            let s = self.state();
            if s.keys.is_some() {
                (s.etag.clone(), s.last_modified.clone())
            } else {
                (None, None)
            }
        };
        let result = self.fetch(validators).await;
        let mut s = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let now = self.now();
        s.attempted_at = Some(now);
        let result = match (result, s.keys.clone()) {
            (Ok(Answer::NotModified { lifetime }), Some(keys)) => {
                s.confirmed_at = now;
                s.lifetime = lifetime;
                Ok((keys, false, false))
            }
            (Ok(Answer::NotModified { .. }), None) => Err(Error::JwksUnavailable {
                message: format!("{} answered 304 to an unconditional request", self.url_text),
                status: Some(304),
            }),
            (
                Ok(Answer::Changed {
                    keys,
                    document,
                    etag,
                    last_modified,
                    lifetime,
                }),
                _,
            ) => {
                let keys = Arc::new(keys);
                // Skipped keys are reported once per document, not again on every refetch of it.
                let new_document = s.document.as_deref() != Some(&*document);
                s.keys = Some(keys.clone());
                s.document = Some(document);
                s.etag = etag;
                s.last_modified = last_modified;
                s.confirmed_at = now;
                s.lifetime = lifetime;
                Ok((keys, true, new_document))
            }
            (Err(e), _) => Err(e),
        };
        match result {
            Ok((keys, fetched, new_document)) => {
                s.failures = 0;
                s.last_error = None;
                drop(s);
                let url = self.url_text.clone();
                self.events.emit(if fetched {
                    Event::JwksFetched {
                        url,
                        keys: keys.len(),
                    }
                } else {
                    Event::JwksNotModified { url }
                });
                if new_document {
                    keys.report_skipped(&self.events);
                }
                Ok(keys)
            }
            Err(e) => {
                s.failures = s.failures.saturating_add(1);
                s.last_error = Some(LastError::of(&e));
                let stale = s.phase(now, self.options.stale_if_error) == Phase::Stale;
                drop(s);
                let (url, code) = (self.url_text.clone(), e.code());
                self.events.emit(Event::JwksFetchFailed {
                    url: url.clone(),
                    code,
                });
                if stale {
                    self.events.emit(Event::JwksStale { url, code });
                }
                Err(e)
            }
        }
    }

    async fn fetch(&self, validators: (Option<String>, Option<String>)) -> Result<Answer> {
        let limit = self.options.timeout_duration;
        match tokio::time::timeout(limit, self.fetch_unbounded(validators)).await {
            Ok(result) => result,
            Err(_) => Err(Error::JwksTimeout(format!(
                "no complete answer from {} within {} ms",
                self.url_text,
                limit.as_millis()
            ))),
        }
    }

    async fn fetch_unbounded(
        &self,
        (etag, last_modified): (Option<String>, Option<String>),
    ) -> Result<Answer> {
        let max = self.options.max_response_size;
        let mut request = self
            .client
            .get(self.url.clone())
            .header("accept", "application/json, application/jwk-set+json");
        if let Some(tag) = etag {
            request = request.header(IF_NONE_MATCH, tag);
        }
        if let Some(date) = last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().await.map_err(|e| self.http_error(&e))?;
        let status = response.status();
        let lifetime = self
            .options
            .lifetime(cache_control::server_lifetime(response.headers()));
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Answer::NotModified { lifetime });
        }
        if status != reqwest::StatusCode::OK {
            // Any other answer is the key server failing, not the document being wrong.
            return Err(Error::JwksUnavailable {
                message: format!("expected 200 OK from {}, got {status}", self.url_text),
                status: Some(status.as_u16()),
            });
        }
        let (etag, last_modified) = (
            header_text(response.headers(), &ETAG),
            header_text(response.headers(), &LAST_MODIFIED),
        );
        let too_big = || {
            Error::JwksInvalid(format!(
                "the JWKS from {} is larger than the {max}-byte cap",
                self.url_text
            ))
        };
        if response
            .content_length()
            .is_some_and(|n| n > u64::try_from(max).unwrap_or(u64::MAX))
        {
            return Err(too_big());
        }
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.http_error(&e))? {
            if body.len().saturating_add(chunk.len()) > max {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        let text = std::str::from_utf8(&body)
            .map_err(|_| Error::JwksInvalid("the JWKS body is not UTF-8".into()))?;
        Ok(Answer::Changed {
            keys: KeySet::from_json(text)?,
            document: Arc::from(text),
            etag,
            last_modified,
            lifetime,
        })
    }

    fn http_error(&self, e: &reqwest::Error) -> Error {
        transport_error(&self.url_text, e)
    }
}

/// A header's value, if it is visible ASCII (validators are echoed back verbatim).
fn header_text(headers: &HeaderMap, name: &reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Milliseconds from `then` to `now` as a duration (zero if the clock went back).
fn elapsed(then: i64, now: i64) -> Duration {
    Duration::from_millis(u64::try_from(now.saturating_sub(then)).unwrap_or(0))
}

/// A transport failure fetching `url` (already redacted) as a typed error.
fn transport_error(url: &str, e: &reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::JwksTimeout(format!("fetching {url} timed out"))
    } else if e.is_redirect() {
        Error::JwksInvalid(format!(
            "{url} redirected to another origin (or too often); refused"
        ))
    } else if e.is_connect() {
        Error::JwksUnavailable {
            message: format!("cannot connect to {url}"),
            status: None,
        }
    } else {
        // reqwest's own text names the URL with its credentials: describe it ourselves.
        Error::JwksUnavailable {
            message: format!("fetching {url} failed ({})", transport_failure(e)),
            status: e.status().map(|s| s.as_u16()),
        }
    }
}

/// The HTTP client of fetches from `origin`: rustls, same-origin redirects, the options' headers,
/// and the proxy of `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` unless `NO_PROXY` names the host
/// (read from the environment when the key set is built).
fn http_client(origin: &reqwest::Url, options: &RemoteJwksOptions) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .tls_backend_rustls()
        .redirect(same_origin_redirects(origin))
        .user_agent(concat!("authjwt/", env!("CARGO_PKG_VERSION")))
        .default_headers(options.headers.to_header_map()?)
        .build()
        .map_err(|e| Error::InvalidConfig(format!("cannot build the HTTP client: {e}")))
}

/// `url` parsed, if it is https (or http on a loopback host, or anywhere with `allow_http`);
/// `what` names it in errors.
fn check_fetch_url(url: &str, what: &str, allow_http: bool) -> Result<reqwest::Url> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| Error::InvalidConfig(format!("the {what} is not a valid absolute URL")))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if allow_http || is_loopback(&parsed) => Ok(parsed),
        "http" => Err(Error::InvalidConfig(format!(
            "the {what} must use https (http is accepted only for loopback hosts, or with \
             allowHttp for in-cluster names)"
        ))),
        other => Err(Error::InvalidConfig(format!(
            "the {what} scheme {other:?} is not supported; use https"
        ))),
    }
}

/// What went wrong in the transport, in words that never include the URL.
fn transport_failure(e: &reqwest::Error) -> &'static str {
    if e.is_body() || e.is_decode() {
        "the response body could not be read"
    } else if e.is_request() {
        "the request could not be sent"
    } else {
        "connection error"
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Follows redirects only to the same scheme, host and port, at most [`MAX_REDIRECTS`] times.
fn same_origin_redirects(origin: &reqwest::Url) -> reqwest::redirect::Policy {
    let scheme = origin.scheme().to_owned();
    let host = origin.host_str().map(str::to_ascii_lowercase);
    let port = origin.port_or_known_default();
    reqwest::redirect::Policy::custom(move |attempt| {
        let next = attempt.url();
        let same = next.scheme() == scheme
            && next.host_str().map(str::to_ascii_lowercase) == host
            && next.port_or_known_default() == port;
        if !same {
            attempt.error("redirect to another origin refused")
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(url: &str) -> Option<&'static str> {
        RemoteJwks::new(url, RemoteJwksOptions::default())
            .err()
            .map(|e| e.code())
    }

    #[test]
    fn https_is_required_except_on_loopback() {
        assert_eq!(code("https://auth.example.com/jwks"), None);
        assert_eq!(code("http://127.0.0.1:8080/jwks"), None);
        assert_eq!(code("http://127.1.2.3/jwks"), None);
        assert_eq!(code("http://[::1]:9/jwks"), None);
        assert_eq!(code("http://LocalHost/jwks"), None);
        assert_eq!(
            code("http://auth.example.com/jwks"),
            Some("ERR_INVALID_CONFIG")
        );
        assert_eq!(code("http://10.0.0.1/jwks"), Some("ERR_INVALID_CONFIG"));
        assert_eq!(
            code("http://localhost.evil.com/jwks"),
            Some("ERR_INVALID_CONFIG")
        );
        assert_eq!(code("ftp://127.0.0.1/jwks"), Some("ERR_INVALID_CONFIG"));
        assert_eq!(code("not a url"), Some("ERR_INVALID_CONFIG"));
    }

    #[test]
    fn server_lifetime_is_bounded_and_the_default_fills_in() {
        let o = RemoteJwksOptions::default();
        let s = Duration::from_secs;
        assert_eq!(o.lifetime(None), s(600));
        assert_eq!(o.lifetime(Some(s(0))), s(60));
        assert_eq!(o.lifetime(Some(s(300))), s(300));
        assert_eq!(o.lifetime(Some(s(86_400))), s(3600));
        assert_eq!(refresh_lead(s(100)), s(20));
        assert_eq!(refresh_lead(s(3600)), s(60));
    }

    #[test]
    fn zero_timeout_is_refused() {
        let options = RemoteJwksOptions {
            timeout_duration: Duration::ZERO,
            ..RemoteJwksOptions::default()
        };
        let err = RemoteJwks::new("https://a.example/jwks", options)
            .err()
            .map(|e| e.code());
        assert_eq!(err, Some("ERR_INVALID_CONFIG"));
    }
}
