//! The shared JWKS cache of [`crate::RemoteKeySet`] (`RemoteKeySetOptions.cache`): the app's
//! storage (Redis, a database, memory shared by several key sets) behind the core's
//! `SharedJwksCache`, so a fleet makes one fetch per refresh window. Every rule (when to load,
//! claim, save; validating what `load` returns) is the core's; this only translates.

use std::sync::Arc;
use std::time::Duration;

use authjwt_core::remote::{SharedJwksCache, SharedJwksEntry};
use authjwt_core::StoreError;

use crate::error::HostCallbackError;

/// One fetched JWKS as a shared cache keeps it. Store every field and give it back from `load`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JwksCacheEntry {
    /// The key set's URL (credentials and query values shown as `***`).
    pub url: String,
    /// The JWKS document as the server sent it.
    pub body: String,
    /// The answer's `ETag`.
    pub etag: Option<String>,
    /// The answer's `Last-Modified`.
    pub last_modified: Option<String>,
    /// Epoch milliseconds of the answer (200 or 304) that confirmed `body`.
    pub fetched_at_ms: i64,
    /// Milliseconds after `fetched_at_ms` the set is fresh.
    pub lifetime_ms: u64,
}

impl From<SharedJwksEntry> for JwksCacheEntry {
    fn from(e: SharedJwksEntry) -> Self {
        JwksCacheEntry {
            url: e.url,
            body: e.body,
            etag: e.etag,
            last_modified: e.last_modified,
            fetched_at_ms: e.fetched_at_ms,
            lifetime_ms: e.lifetime_ms,
        }
    }
}

impl From<JwksCacheEntry> for SharedJwksEntry {
    fn from(e: JwksCacheEntry) -> Self {
        SharedJwksEntry {
            url: e.url,
            body: e.body,
            etag: e.etag,
            last_modified: e.last_modified,
            fetched_at_ms: e.fetched_at_ms,
            lifetime_ms: e.lifetime_ms,
        }
    }
}

/// Storage shared by the key sets of a fleet for one JWKS URL.
///
/// Kotlin: `interface JwksCache { suspend fun load(): JwksCacheEntry?; suspend fun save(entry:
/// JwksCacheEntry); fun supportsClaim(): Boolean; suspend fun claim(ttlSeconds: Double): Boolean;
/// suspend fun release() }`. `claim` atomically takes the right to fetch for `ttlSeconds` (true
/// when taken; it must end by itself, e.g. Redis `SET NX PX`); with `supportsClaim() == false` it
/// is never called. Whatever `load` returns is validated like a fetched body; anything a method
/// throws is reported as `jwks.cache_failed` and the key set fetches for itself.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait JwksCache: Send + Sync {
    /// The stored entry, if any.
    async fn load(&self) -> Result<Option<JwksCacheEntry>, HostCallbackError>;
    /// Stores `entry`, replacing any other.
    async fn save(&self, entry: JwksCacheEntry) -> Result<(), HostCallbackError>;
    /// Whether `claim`/`release` are implemented.
    fn supports_claim(&self) -> bool;
    /// Takes the right to fetch for `ttl_seconds` unless another instance holds it.
    async fn claim(&self, ttl_seconds: f64) -> Result<bool, HostCallbackError>;
    /// Gives the claim back before its ttl.
    async fn release(&self) -> Result<(), HostCallbackError>;
}

/// The host's cache as the core's trait.
pub(crate) struct HostJwksCache(pub(crate) Arc<dyn JwksCache>);

#[async_trait::async_trait]
impl SharedJwksCache for HostJwksCache {
    async fn load(&self) -> Result<Option<SharedJwksEntry>, StoreError> {
        let entry = self
            .0
            .load()
            .await
            .map_err(|e| StoreError::with_source("load", e))?;
        Ok(entry.map(Into::into))
    }

    async fn save(&self, entry: &SharedJwksEntry) -> Result<(), StoreError> {
        self.0
            .save(entry.clone().into())
            .await
            .map_err(|e| StoreError::with_source("save", e))
    }

    fn supports_claim(&self) -> bool {
        self.0.supports_claim()
    }

    async fn try_claim(&self, ttl: Duration) -> Result<bool, StoreError> {
        self.0
            .claim(ttl.as_secs_f64())
            .await
            .map_err(|e| StoreError::with_source("claim", e))
    }

    async fn release(&self) -> Result<(), StoreError> {
        self.0
            .release()
            .await
            .map_err(|e| StoreError::with_source("release", e))
    }
}
