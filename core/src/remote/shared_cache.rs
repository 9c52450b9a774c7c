//! A cache shared by many [`RemoteJwks`](super::RemoteJwks) instances (workers, processes,
//! serverless instances) so a fleet makes one fetch per refresh window instead of one per
//! instance.
//!
//! The host provides the storage ([`SharedJwksCache`]: `load`, `save`, and optionally an atomic
//! `try_claim`/`release`, e.g. Redis `SET key value NX PX ttl`); the core owns every rule:
//!
//! - **Look before fetching.** Whenever a key set would fetch (cold, refresh ahead, stale, an
//!   unknown kid after the cooldown) it first loads the entry. An entry for this URL that is newer
//!   than what the instance holds and not past its stale window is adopted: its body is parsed
//!   and validated again with [`KeySet::from_json`] (the cache is storage, not a trusted source:
//!   whatever it returns is checked like a fetched body), and its `fetched_at`/`lifetime` give
//!   the set's age, so every instance sees the set go stale at the same moment. If the adopted set
//!   is fresh, no fetch is made. For an unknown kid, a set confirmed within `cooldown_duration` (by
//!   anyone in the fleet) counts as the refetch: the cooldown is shared too.
//! - **Claim, then fetch.** Otherwise the instance claims the fetch (when the cache supports it),
//!   looks at the cache once more (a claimer may have saved between the look and the claim),
//!   fetches, saves the new entry (a `200` and a `304` both refresh `fetched_at`), and releases
//!   the claim. A claim lives `timeout_duration + 1 s`, so a claimer that dies frees it by itself.
//! - **Losing the claim.** An instance whose claim fails keeps serving the keys it has (a
//!   background refresh never holds a verification up) and looks at the cache every
//!   [`CLAIM_POLL`], claiming again each time, for at most the claim's lifetime; then it fetches
//!   itself. A caller with no usable keys (cold, or past the stale window) waits the same bounded
//!   time for the claimer's entry. No instance waits on another one forever.
//! - **Cache failures never fail verification.** A `load`, `save`, `try_claim` or `release` that
//!   errors (or takes longer than `timeout_duration`) is reported as `jwks.cache_failed` (operation only: the host's message may carry
//!   connection strings) and the key set fetches for itself. An entry that does not validate, or
//!   belongs to another URL, is reported as `jwks.cache_rejected` (reason `invalid_body`,
//!   `other_url`, or `invalid_entry` for a value that is no entry at all) and ignored. An adopted entry is
//!   reported as `jwks.cache_loaded`.
//! - **What the cache holds decides the keys.** Whoever can write the cache entry chooses which
//!   keys verify, exactly as whoever can answer the JWKS URL does: protect it as such (a private
//!   Redis, not one shared with untrusted tenants). Validation refuses malformed sets and private
//!   keys, not a well-formed set of the wrong keys.
//! - The entry's `url` is the key set's URL in its display form (credentials and query values
//!   replaced by `***`): key sets whose URLs differ only there must use different cache keys.
//!
//! Waiting for a claimer is measured in wall-clock time (like the fetch timeout); ages come from
//! the options' clock.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::{elapsed, Inner, Phase};
use crate::error::{Error, Result, StoreError};
use crate::events::Event;
use crate::jwks::KeySet;

/// How often an instance that lost the claim looks at the cache again.
pub const CLAIM_POLL: Duration = Duration::from_millis(100);
/// How much longer than the fetch timeout a claim lives.
const CLAIM_MARGIN: Duration = Duration::from_secs(1);
/// The operation of the [`StoreError`] a binding's `load` answers when the host's value is not
/// an entry at all (not [`SharedJwksEntry::from_json`]'s form): reported as a rejected entry
/// (`jwks.cache_rejected`, reason `invalid_entry`) rather than a failed cache.
pub const INVALID_ENTRY: &str = "invalid_entry";

/// One fetched JWKS as a shared cache keeps it. Hosts store it as they like; [`Self::to_json`] /
/// [`Self::from_json`] give one JSON form for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedJwksEntry {
    /// The key set's URL, display form (see the module doc).
    pub url: String,
    /// The JWKS document as the server sent it.
    pub body: String,
    /// The answer's `ETag`, for conditional refetches.
    pub etag: Option<String>,
    /// The answer's `Last-Modified`.
    pub last_modified: Option<String>,
    /// Clock time (epoch ms) of the answer (200 or 304) that confirmed `body`.
    pub fetched_at_ms: i64,
    /// How long after `fetched_at_ms` the set is fresh (ms), from the answer's caching headers
    /// within the fetching instance's bounds.
    pub lifetime_ms: u64,
}

impl SharedJwksEntry {
    /// `{"url", "body", "etag", "lastModified", "fetchedAt", "lifetime"}` (times in ms; absent
    /// validators are `null`).
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("url".into(), Value::from(self.url.as_str()));
        o.insert("body".into(), Value::from(self.body.as_str()));
        o.insert(
            "etag".into(),
            self.etag.as_deref().map_or(Value::Null, Value::from),
        );
        o.insert(
            "lastModified".into(),
            self.last_modified
                .as_deref()
                .map_or(Value::Null, Value::from),
        );
        o.insert("fetchedAt".into(), Value::from(self.fetched_at_ms));
        o.insert("lifetime".into(), Value::from(self.lifetime_ms));
        Value::Object(o)
    }

    /// The entry of [`Self::to_json`]'s form; anything else is `ERR_JWKS_INVALID` (a host's
    /// binding reports it as a rejected entry, never as a failed verification).
    pub fn from_json(value: &Value) -> Result<SharedJwksEntry> {
        let bad = |what: &str| Error::JwksInvalid(format!("shared cache entry: {what}"));
        let o = value.as_object().ok_or_else(|| bad("not an object"))?;
        let text = |name: &str| -> Result<String> {
            o.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("{name} must be a string")))
        };
        let optional = |name: &str| -> Result<Option<String>> {
            match o.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(&format!("{name} must be a string or null"))),
            }
        };
        // Hosts whose numbers are doubles (JS) hand integers as floats: accept whole ones.
        let whole = |name: &str| -> Option<f64> {
            o.get(name)
                .and_then(Value::as_f64)
                .filter(|n| n.is_finite() && n.fract() == 0.0 && *n >= 0.0 && *n < 9.0e15)
        };
        Ok(SharedJwksEntry {
            url: text("url")?,
            body: text("body")?,
            etag: optional("etag")?,
            last_modified: optional("lastModified")?,
            fetched_at_ms: whole("fetchedAt")
                .map(|n| n as i64)
                .ok_or_else(|| bad("fetchedAt must be epoch milliseconds"))?,
            lifetime_ms: whole("lifetime")
                .map(|n| n as u64)
                .ok_or_else(|| bad("lifetime must be milliseconds"))?,
        })
    }
}

/// Storage shared by the instances of a fleet for one JWKS URL (one cache key per URL). Every
/// method may fail; the key set reports the failure and fetches for itself.
#[async_trait]
pub trait SharedJwksCache: Send + Sync {
    /// The stored entry, if any.
    async fn load(&self) -> std::result::Result<Option<SharedJwksEntry>, StoreError>;

    /// Stores `entry`, replacing any other.
    async fn save(&self, entry: &SharedJwksEntry) -> std::result::Result<(), StoreError>;

    /// Whether [`Self::try_claim`] is implemented (default false: every instance whose set needs
    /// refreshing and finds nothing newer in the cache fetches).
    fn supports_claim(&self) -> bool {
        false
    }

    /// Atomically takes the right to fetch for `ttl` unless another instance holds it (true when
    /// taken). The claim must end by itself after `ttl`.
    async fn try_claim(&self, ttl: Duration) -> std::result::Result<bool, StoreError> {
        let _ = ttl;
        Ok(true)
    }

    /// Gives the claim back before its `ttl` (after the entry is saved, or the fetch failed).
    async fn release(&self) -> std::result::Result<(), StoreError> {
        Ok(())
    }
}

/// The options' handle on a shared cache (`Debug` shows only that there is one).
#[derive(Clone)]
pub struct SharedCache(pub Arc<dyn SharedJwksCache>);

impl std::fmt::Debug for SharedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedCache")
    }
}

/// Why a key set wants keys, which decides when a cache entry is enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// A verification without usable keys waits (cold, stale with no refresh failing, expired).
    Waiting,
    /// A refresh ahead (or a stale set's retry) in the background.
    Background,
    /// A token's kid is not in the set and the cooldown allows a refetch.
    UnknownKid,
    /// `reload()`: fetch now whatever the cache holds (and save the result).
    Reload,
}

/// What a look at the cache came to.
enum Look {
    /// The set held now (adopted or already held) is good enough for the purpose.
    Enough(Arc<KeySet>),
    /// Nothing newer was adopted: the caller goes on (claim, fetch).
    NotEnough,
}

impl Inner {
    /// The refresh every fetch path goes through: straight to the server without a shared cache,
    /// otherwise by the rules of the module doc. The caller holds the flight lock.
    pub(super) async fn refresh(&self, purpose: Purpose) -> Result<Arc<KeySet>> {
        let Some(SharedCache(cache)) = self.options.shared_cache.clone() else {
            return self.fetch_and_store().await;
        };
        let cache = &*cache;
        if purpose == Purpose::Reload {
            return self.fetch_and_save(cache, false).await;
        }
        if let Look::Enough(keys) = self.look(cache, purpose, false).await {
            return Ok(keys);
        }
        if !cache.supports_claim() {
            return self.fetch_and_save(cache, false).await;
        }
        let ttl = self.claim_ttl();
        match self.bounded(cache.try_claim(ttl)).await {
            Ok(true) => self.fetch_claimed(cache, purpose).await,
            Ok(false) => self.await_claimer(cache, purpose, ttl).await,
            Err(_) => {
                self.report_cache_failure("claim");
                self.fetch_and_save(cache, false).await
            }
        }
    }

    /// How long a claim lives: the longest a live claimer's fetch can take, and a margin.
    fn claim_ttl(&self) -> Duration {
        self.options.timeout_duration.saturating_add(CLAIM_MARGIN)
    }

    /// With the claim held: look once more (a claimer may have saved between our look and our
    /// claim), else fetch and save; the claim is released either way.
    async fn fetch_claimed(
        &self,
        cache: &dyn SharedJwksCache,
        purpose: Purpose,
    ) -> Result<Arc<KeySet>> {
        if let Look::Enough(keys) = self.look(cache, purpose, false).await {
            self.release(cache).await;
            return Ok(keys);
        }
        self.fetch_and_save(cache, true).await
    }

    /// Another instance holds the claim: look at the cache every [`CLAIM_POLL`] (claiming again
    /// each time, in case the claimer failed and released) for at most `ttl`, then fetch.
    async fn await_claimer(
        &self,
        cache: &dyn SharedJwksCache,
        purpose: Purpose,
        ttl: Duration,
    ) -> Result<Arc<KeySet>> {
        let deadline = tokio::time::Instant::now() + ttl;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(CLAIM_POLL).await;
            // The claimer's entry is what we waited for: anything newer will do.
            if let Look::Enough(keys) = self.look(cache, purpose, true).await {
                return Ok(keys);
            }
            match self.bounded(cache.try_claim(ttl)).await {
                Ok(true) => return self.fetch_claimed(cache, purpose).await,
                Ok(false) => {}
                Err(_) => {
                    self.report_cache_failure("claim");
                    break;
                }
            }
        }
        // The claimer neither saved nor let go in time (it died, or is failing): fetch ourselves.
        self.fetch_and_save(cache, false).await
    }

    /// Fetches, saves what the fetch confirmed (200 or 304), and releases a held claim.
    async fn fetch_and_save(
        &self,
        cache: &dyn SharedJwksCache,
        claimed: bool,
    ) -> Result<Arc<KeySet>> {
        let result = self.fetch_and_store().await;
        if result.is_ok() {
            if let Some(entry) = self.current_entry() {
                if self.bounded(cache.save(&entry)).await.is_err() {
                    self.report_cache_failure("save");
                }
            }
        }
        if claimed {
            self.release(cache).await;
        }
        result
    }

    /// A cache call bounded by the fetch timeout: a cache that never answers is a failed one.
    async fn bounded<T>(
        &self,
        call: impl std::future::Future<Output = std::result::Result<T, StoreError>>,
    ) -> std::result::Result<T, StoreError> {
        let limit = self.options.timeout_duration;
        tokio::time::timeout(limit, call)
            .await
            .unwrap_or_else(|_| Err(StoreError::timeout("shared cache", limit.as_secs_f64())))
    }

    async fn release(&self, cache: &dyn SharedJwksCache) {
        if self.bounded(cache.release()).await.is_err() {
            self.report_cache_failure("release");
        }
    }

    /// The held set as a cache entry.
    fn current_entry(&self) -> Option<SharedJwksEntry> {
        let s = self.state();
        let body = s.document.as_deref()?;
        Some(SharedJwksEntry {
            url: self.url_text.clone(),
            body: body.to_owned(),
            etag: s.etag.clone(),
            last_modified: s.last_modified.clone(),
            fetched_at_ms: s.confirmed_at,
            lifetime_ms: u64::try_from(s.lifetime.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Loads the entry, adopts it if it is newer than the held set, and says whether the held set
    /// is now enough for `purpose` (`any_newer`: adopting anything newer is enough).
    async fn look(&self, cache: &dyn SharedJwksCache, purpose: Purpose, any_newer: bool) -> Look {
        let entry = match self.bounded(cache.load()).await {
            Ok(Some(entry)) => entry,
            Ok(None) => return Look::NotEnough,
            Err(e) if e.operation() == INVALID_ENTRY => {
                self.report_rejected(INVALID_ENTRY);
                return Look::NotEnough;
            }
            Err(_) => {
                self.report_cache_failure("load");
                return Look::NotEnough;
            }
        };
        let adopted = self.adopt(entry);
        let now = self.now();
        let s = self.state();
        let Some(keys) = s.keys.clone() else {
            return Look::NotEnough;
        };
        let enough = match purpose {
            _ if any_newer && adopted => true,
            // Someone in the fleet confirmed the set within the cooldown: that is the refetch.
            Purpose::UnknownKid => elapsed(s.confirmed_at, now) < self.options.cooldown_duration,
            // A waiting caller takes a set it can verify with now; the next verification starts
            // the refresh ahead.
            Purpose::Waiting => {
                adopted
                    && matches!(
                        s.phase(now, self.options.stale_if_error),
                        Phase::Fresh | Phase::RefreshAhead
                    )
            }
            _ => adopted && s.phase(now, self.options.stale_if_error) == Phase::Fresh,
        };
        if enough {
            Look::Enough(keys)
        } else {
            Look::NotEnough
        }
    }

    /// Installs `entry` if it is for this URL, valid, newer than the held set and not past its
    /// stale window; true when installed. Rejections are reported.
    fn adopt(&self, entry: SharedJwksEntry) -> bool {
        if entry.url != self.url_text {
            self.report_rejected("other_url");
            return false;
        }
        if entry.body.len() > self.options.max_response_size {
            self.report_rejected("invalid_body");
            return false;
        }
        let now = self.now();
        // A peer's clock ahead of ours must not stretch the set's life: never newer than now.
        let confirmed_at = entry.fetched_at_ms.min(now);
        // Never longer than this instance would give a set itself.
        let upper = self
            .options
            .cache_max_age_limit
            .max(self.options.cache_max_age);
        let lifetime = Duration::from_millis(entry.lifetime_ms).min(upper);
        {
            let s = self.state();
            if s.keys.is_some() && confirmed_at <= s.confirmed_at {
                return false;
            }
        }
        if elapsed(confirmed_at, now) >= lifetime.saturating_add(self.options.stale_if_error) {
            return false;
        }
        let keys = match KeySet::from_json(&entry.body) {
            Ok(keys) => Arc::new(keys),
            Err(_) => {
                self.report_rejected("invalid_body");
                return false;
            }
        };
        let new_document = {
            let mut s = self.state.write().unwrap_or_else(PoisonError::into_inner);
            // Another task may have installed something newer meanwhile.
            if s.keys.is_some() && confirmed_at <= s.confirmed_at {
                return false;
            }
            let new_document = s.document.as_deref() != Some(entry.body.as_str());
            s.keys = Some(keys.clone());
            s.document = Some(Arc::from(entry.body));
            s.etag = entry.etag;
            s.last_modified = entry.last_modified;
            s.confirmed_at = confirmed_at;
            s.lifetime = lifetime;
            s.failures = 0;
            s.last_error = None;
            new_document
        };
        self.events.emit(Event::JwksCacheLoaded {
            url: self.url_text.clone(),
            keys: keys.len(),
        });
        if new_document {
            keys.report_skipped(&self.events);
        }
        true
    }

    fn report_cache_failure(&self, operation: &'static str) {
        self.events.emit(Event::JwksCacheFailed {
            url: self.url_text.clone(),
            operation,
        });
    }

    fn report_rejected(&self, reason: &'static str) {
        self.events.emit(Event::JwksCacheRejected {
            url: self.url_text.clone(),
            reason,
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn entry_json_round_trips_and_bad_fields_are_refused() {
        let entry = SharedJwksEntry {
            url: "https://a.example/jwks".into(),
            body: r#"{"keys":[]}"#.into(),
            etag: Some("\"v1\"".into()),
            last_modified: None,
            fetched_at_ms: 1_700_000_000_000,
            lifetime_ms: 2000,
        };
        let json = entry.to_json();
        assert_eq!(json["lastModified"], Value::Null);
        assert_eq!(SharedJwksEntry::from_json(&json).unwrap(), entry);
        // A JS double for a whole number is accepted.
        let mut doubled = json.clone();
        doubled["fetchedAt"] = Value::from(1_700_000_000_000.0_f64);
        assert_eq!(SharedJwksEntry::from_json(&doubled).unwrap(), entry);
        for (field, value) in [
            ("fetchedAt", Value::from(1.5)),
            ("lifetime", Value::from(-1)),
            ("body", Value::Null),
            ("etag", Value::from(3)),
        ] {
            let mut bad = json.clone();
            bad[field] = value;
            let err = SharedJwksEntry::from_json(&bad).unwrap_err();
            assert_eq!(err.code(), "ERR_JWKS_INVALID", "{field}");
        }
    }
}
