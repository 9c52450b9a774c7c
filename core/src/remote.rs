//! [`RemoteJwks`]: a JWKS fetched over HTTPS and cached, with cooldown and single-flight refresh
//! (jose's `createRemoteJWKSet` semantics, hardened).
//!
//! - The set is fresh for `cache_max_age`; an older set is fetched again before use.
//! - A token whose kid is unknown triggers at most one fetch per `cooldown_duration`.
//! - One request is in flight at a time however many callers wait; waiters use its result.
//! - A failed fetch leaves the cached keys in service until they are older than `cache_max_age`,
//!   and the next attempt waits an exponential backoff (1 s, 2 s, 4 s, ... capped by the
//!   cooldown) instead of fetching on every request.
//! - Network failures and non-200 answers are `ERR_JWKS_INVALID`; a fetch slower than
//!   `timeout_duration` is `ERR_JWKS_TIMEOUT`; bodies over `max_response_size` are refused while
//!   being read (never buffered whole); redirects only to the same scheme, host and port.

use std::net::IpAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::events::{Emitter, Event, EventSink};
use crate::jwks::KeySet;
use crate::verify::{verify_jwt, VerifiedJwt, VerifyOptions};

mod discovery;
pub use discovery::discover_jwks_uri;

/// First retry delay after a failed fetch; doubled per failure, capped by the cooldown.
const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Redirects followed (all to the same origin) before giving up.
const MAX_REDIRECTS: usize = 5;

/// Options of a remote key set (jose's names in the hosts).
#[derive(Debug, Clone)]
pub struct RemoteJwksOptions {
    /// How long a fetched set is fresh (default 10 minutes).
    pub cache_max_age: Duration,
    /// Least time between two fetches caused by unknown kids (default 30 s).
    pub cooldown_duration: Duration,
    /// Bound on one fetch (default 5 s).
    pub timeout_duration: Duration,
    /// Largest accepted response body, bytes.
    pub max_response_size: usize,
}

impl Default for RemoteJwksOptions {
    fn default() -> Self {
        RemoteJwksOptions {
            cache_max_age: Duration::from_secs(600),
            cooldown_duration: Duration::from_secs(30),
            timeout_duration: Duration::from_secs(5),
            max_response_size: 512 * 1024,
        }
    }
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
    /// Held for the duration of a fetch: the single flight.
    fetching: tokio::sync::Mutex<()>,
    events: Emitter,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    /// The body `keys` was parsed from (an issuer with an external signer serves it as `jwks()`).
    document: Option<Arc<str>>,
    fetched_at: Option<Instant>,
    attempted_at: Option<Instant>,
    failures: u32,
    last_error: Option<LastError>,
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

impl RemoteJwks {
    /// A key set at `url` (https, or http on a loopback host: 127.0.0.0/8, ::1, localhost).
    pub fn new(url: &str, options: RemoteJwksOptions) -> Result<RemoteJwks> {
        Self::new_with_events(url, options, None)
    }

    /// [`RemoteJwks::new`] reporting `jwks.fetched`, `jwks.fetch_failed`, `token.verified` and
    /// `token.rejected` to `events` (and always to `tracing`).
    pub fn new_with_events(
        url: &str,
        options: RemoteJwksOptions,
        events: Option<Arc<dyn EventSink>>,
    ) -> Result<RemoteJwks> {
        let parsed = check_fetch_url(url, "JWKS URL")?;
        if options.timeout_duration.is_zero() || options.max_response_size == 0 {
            return Err(Error::InvalidConfig(
                "timeoutDuration and the response size cap must be more than zero".into(),
            ));
        }
        let client = reqwest::Client::builder()
            .tls_backend_rustls()
            .redirect(same_origin_redirects(&parsed))
            .user_agent(concat!("authjwt/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::InvalidConfig(format!("cannot build the HTTP client: {e}")))?;
        Ok(RemoteJwks {
            inner: Arc::new(Inner {
                url_text: crate::config::redact_url(parsed.as_str()),
                url: parsed,
                client,
                options,
                state: RwLock::new(State::default()),
                fetching: tokio::sync::Mutex::new(()),
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

    /// The current key set: the cached one while fresh, else fetched (single-flight, with backoff
    /// after failures). Bindings use it to verify synchronously between refreshes.
    pub async fn key_set(&self) -> Result<Arc<KeySet>> {
        self.inner.fresh_keys().await
    }

    /// Fetches the set now, whatever its age (jose's `reload()`); concurrent calls share a fetch.
    pub async fn reload(&self) -> Result<Arc<KeySet>> {
        let _flight = self.inner.fetching.lock().await;
        self.inner.fetch_and_store().await
    }

    /// The current key set when it has a key `kid`; otherwise a newer one if the cooldown allows a
    /// fetch (as [`RemoteJwks::verify`] does for an unknown kid), else the current one.
    pub async fn key_set_for_kid(&self, kid: &str) -> Result<Arc<KeySet>> {
        let keys = self.inner.fresh_keys().await?;
        if keys.contains_kid(kid) {
            return Ok(keys);
        }
        Ok(self.inner.keys_for_unknown_kid(&keys).await.unwrap_or(keys))
    }

    /// The JWKS body as fetched (fresh as [`RemoteJwks::key_set`] is), for serving it unchanged.
    pub async fn document(&self) -> Result<Arc<str>> {
        self.inner.fresh_keys().await?;
        let cached = self.inner.state().document.clone();
        cached
            .ok_or_else(|| Error::JwksInvalid(format!("no JWKS from {} yet", self.inner.url_text)))
    }

    /// The JWKS URL.
    pub fn url(&self) -> &str {
        &self.inner.url_text
    }

    async fn verify_inner(&self, token: &str, options: &VerifyOptions) -> Result<VerifiedJwt> {
        let keys = self.inner.fresh_keys().await?;
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

    fn fresh_cached(&self) -> Option<Arc<KeySet>> {
        let s = self.state();
        match (&s.keys, s.fetched_at) {
            (Some(k), Some(at)) if at.elapsed() < self.options.cache_max_age => Some(k.clone()),
            _ => None,
        }
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
        (at.elapsed() < delay).then(|| err.to_error())
    }

    async fn fresh_keys(&self) -> Result<Arc<KeySet>> {
        if let Some(k) = self.fresh_cached() {
            return Ok(k);
        }
        let _flight = self.fetching.lock().await;
        // Whoever held the flight before us may have fetched (or failed) already.
        if let Some(k) = self.fresh_cached() {
            return Ok(k);
        }
        if let Some(err) = self.backing_off() {
            return Err(err);
        }
        self.fetch_and_store().await
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
                .is_some_and(|at| at.elapsed() < self.options.cooldown_duration)
            {
                return None;
            }
        }
        if self.backing_off().is_some() {
            return None;
        }
        // A failed refresh keeps the cached keys in service; this token stays unmatched.
        self.fetch_and_store().await.ok()
    }

    /// One fetch; the caller holds the flight lock.
    async fn fetch_and_store(&self) -> Result<Arc<KeySet>> {
        let result = self.fetch().await;
        let mut s = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        s.attempted_at = Some(now);
        match result {
            Ok((keys, document)) => {
                let keys = Arc::new(keys);
                s.keys = Some(keys.clone());
                s.document = Some(document);
                s.fetched_at = Some(now);
                s.failures = 0;
                s.last_error = None;
                drop(s);
                self.events.emit(Event::JwksFetched {
                    url: self.url_text.clone(),
                    keys: keys.len(),
                });
                Ok(keys)
            }
            Err(e) => {
                s.failures = s.failures.saturating_add(1);
                s.last_error = Some(LastError::of(&e));
                drop(s);
                self.events.emit(Event::JwksFetchFailed {
                    url: self.url_text.clone(),
                    code: e.code(),
                });
                Err(e)
            }
        }
    }

    async fn fetch(&self) -> Result<(KeySet, Arc<str>)> {
        let limit = self.options.timeout_duration;
        match tokio::time::timeout(limit, self.fetch_unbounded()).await {
            Ok(result) => result,
            Err(_) => Err(Error::JwksTimeout(format!(
                "no complete answer from {} within {} ms",
                self.url_text,
                limit.as_millis()
            ))),
        }
    }

    async fn fetch_unbounded(&self) -> Result<(KeySet, Arc<str>)> {
        let max = self.options.max_response_size;
        let mut response = self
            .client
            .get(self.url.clone())
            .header("accept", "application/json, application/jwk-set+json")
            .send()
            .await
            .map_err(|e| self.http_error(&e))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            // Any answer but 200 is the key server failing, not the document being wrong.
            return Err(Error::JwksUnavailable {
                message: format!("expected 200 OK from {}, got {status}", self.url_text),
                status: Some(status.as_u16()),
            });
        }
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
        Ok((KeySet::from_json(text)?, Arc::from(text)))
    }

    fn http_error(&self, e: &reqwest::Error) -> Error {
        transport_error(&self.url_text, e)
    }
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

/// `url` parsed, if it is https (or http on a loopback host); `what` names it in errors.
fn check_fetch_url(url: &str, what: &str) -> Result<reqwest::Url> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| Error::InvalidConfig(format!("the {what} is not a valid absolute URL")))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(Error::InvalidConfig(format!(
            "the {what} must use https (http is accepted only for loopback hosts)"
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
