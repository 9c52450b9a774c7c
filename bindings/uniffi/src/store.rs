//! Key storage across the FFI: the [`JwkRow`] record, the [`KeyStore`] trait a Kotlin/Swift app
//! implements over its own storage (Room, Keystore, Core Data, Keychain...), the one adapter that
//! turns it into the core's `KeyStore` ([`HostKeyStore`]), and [`MemoryStore`].

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use authjwt_core::error::StoreError;
use authjwt_core::store as core_store;

use crate::error::HostCallbackError;

/// One row of Better Auth's `jwks` table (columns `id`, `publicKey`, `privateKey`, `createdAt`,
/// `expiresAt`, `alg`, `crv`).
///
/// Timestamps cross as the host's instant type (Kotlin `java.time.Instant`, Swift `Date`), kept to
/// the millisecond, as Better Auth's `Date` columns.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct JwkRow {
    /// The row id, published as the key's `kid`. A store may replace the proposed one.
    pub id: String,
    /// The public JWK JSON, exactly as Better Auth writes it.
    pub public_key: String,
    /// The sealed private key (or the private JWK JSON when encryption is disabled).
    pub private_key: String,
    /// When the key was created.
    pub created_at: SystemTime,
    /// When the key stops signing; it stays published for the grace period after.
    #[uniffi(default = None)]
    pub expires_at: Option<SystemTime>,
    /// The key's algorithm; rows of older Better Auth versions have none.
    #[uniffi(default = None)]
    pub alg: Option<String>,
    /// The key's curve (`Ed25519`, `P-256`, ...), when it has one.
    #[uniffi(default = None)]
    pub crv: Option<String>,
}

impl std::fmt::Debug for JwkRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwkRow")
            .field("id", &self.id)
            .field("public_key", &self.public_key)
            .field("private_key", &"<sealed>")
            .field("created_at_ms", &time_to_ms(self.created_at))
            .field("expires_at_ms", &self.expires_at.map(time_to_ms))
            .field("alg", &self.alg)
            .field("crv", &self.crv)
            .finish()
    }
}

impl From<core_store::JwkRow> for JwkRow {
    fn from(row: core_store::JwkRow) -> Self {
        JwkRow {
            id: row.id,
            public_key: row.public_key,
            private_key: row.private_key,
            created_at: time_from_ms(row.created_at),
            expires_at: row.expires_at.map(time_from_ms),
            alg: row.alg,
            crv: row.crv,
        }
    }
}

impl From<JwkRow> for core_store::JwkRow {
    fn from(row: JwkRow) -> Self {
        core_store::JwkRow {
            id: row.id,
            public_key: row.public_key,
            private_key: row.private_key,
            created_at: time_to_ms(row.created_at),
            expires_at: row.expires_at.map(time_to_ms),
            alg: row.alg,
            crv: row.crv,
        }
    }
}

/// A change to a stored row, given to [`KeyStore::update_jwk`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JwkUpdate {
    /// The row's new `expiresAt`. `revoke` writes the Unix epoch.
    pub expires_at: SystemTime,
}

/// The host's key storage: Better Auth's `jwt({ adapter: { getJwks, createJwk } })` contract,
/// with the optional update callback.
///
/// Kotlin: `interface KeyStore { suspend fun getJwks(): List<JwkRow>; suspend fun createJwk(row:
/// JwkRow): JwkRow; fun supportsUpdate(): Boolean; suspend fun updateJwk(id: String, update:
/// JwkUpdate) }`; Swift: a `Sendable` protocol with `async throws` methods. Throw
/// `HostCallbackException`/`HostCallbackError` (or anything): the caller gets `ERR_STORE` with the
/// message and the failed callback as `operation`.
///
/// The update callback is optional as in Node (`updateJwk`) and Python (`update_jwk`), but UniFFI
/// gives foreign-trait methods no default bodies (mozilla/uniffi-rs#2597), so the store says
/// whether it has one with `supportsUpdate()`, as `JwksCache.supportsClaim()` does: a store that
/// returns false is never asked to update (implement `updateJwk` as a throw); then
/// `Issuer.revoke` is `ERR_INVALID_CONFIG` and a rotated-away key stays published.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait KeyStore: Send + Sync {
    /// Every stored row, expired ones included (authjwt filters).
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, HostCallbackError>;

    /// Stores a new row and returns it as stored; the returned row is the truth (the store may
    /// replace the proposed `id`).
    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, HostCallbackError>;

    /// Whether `update_jwk` is implemented (asked once, when the issuer is built).
    fn supports_update(&self) -> bool;

    /// Sets the `expiresAt` of row `id`, leaving its other columns as they are (`revoke`, and
    /// the retirement of a rotated-away key). Only called when `supports_update()` is true.
    async fn update_jwk(&self, id: String, update: JwkUpdate) -> Result<(), HostCallbackError>;
}

/// The one adapter from a host [`KeyStore`] to the core's `KeyStore`: converts rows and keeps the
/// host's error as the `ERR_STORE` cause.
pub(crate) struct HostKeyStore {
    store: Arc<dyn KeyStore>,
    /// `supports_update()`, read once: the core asks per rotation, a foreign call each time.
    can_update: bool,
}

impl HostKeyStore {
    pub(crate) fn new(store: Arc<dyn KeyStore>) -> Self {
        let can_update = store.supports_update();
        HostKeyStore { store, can_update }
    }
}

#[async_trait::async_trait]
impl core_store::KeyStore for HostKeyStore {
    async fn get_jwks(&self) -> Result<Vec<core_store::JwkRow>, StoreError> {
        let rows = self
            .store
            .get_jwks()
            .await
            .map_err(|e| StoreError::with_source("get_jwks", e))?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn create_jwk(&self, row: core_store::JwkRow) -> Result<core_store::JwkRow, StoreError> {
        let stored = self
            .store
            .create_jwk(row.into())
            .await
            .map_err(|e| StoreError::with_source("create_jwk", e))?;
        Ok(stored.into())
    }

    fn can_update(&self) -> bool {
        self.can_update
    }

    async fn update_jwk(&self, id: &str, update: core_store::JwkUpdate) -> Result<(), StoreError> {
        if !self.can_update {
            return Err(StoreError::new(
                "update_jwk",
                "the store's supportsUpdate() is false",
            ));
        }
        let update = JwkUpdate {
            expires_at: time_from_ms(update.expires_at),
        };
        self.store
            .update_jwk(id.to_owned(), update)
            .await
            .map_err(|e| StoreError::with_source("update_jwk", e))
    }
}

/// Rows kept in process memory (the embedded default; keys are lost when the process ends).
///
/// It is a `KeyStore`: `Issuer(MemoryStore(), options)`. Being a Rust object passed where the
/// foreign trait is expected, its calls go Rust → host → Rust; the issuer's key cache makes that
/// rare (one read per `keyCacheTtl`).
#[derive(Debug, Default, uniffi::Object)]
pub struct MemoryStore {
    inner: core_store::MemoryStore,
}

#[uniffi::export]
impl MemoryStore {
    /// An empty store.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(MemoryStore::default())
    }

    /// A store holding `rows` (for tests and for moving keys between stores).
    #[uniffi::constructor]
    pub fn with_rows(rows: Vec<JwkRow>) -> Arc<Self> {
        Arc::new(MemoryStore {
            inner: core_store::MemoryStore::with_rows(rows.into_iter().map(Into::into).collect()),
        })
    }
}

#[uniffi::export]
#[async_trait::async_trait]
impl KeyStore for MemoryStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, HostCallbackError> {
        let rows = core_store::KeyStore::get_jwks(&self.inner)
            .await
            .map_err(store_failed)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, HostCallbackError> {
        let stored = core_store::KeyStore::create_jwk(&self.inner, row.into())
            .await
            .map_err(store_failed)?;
        Ok(stored.into())
    }

    fn supports_update(&self) -> bool {
        true
    }

    async fn update_jwk(&self, id: String, update: JwkUpdate) -> Result<(), HostCallbackError> {
        let update = core_store::JwkUpdate {
            expires_at: time_to_ms(update.expires_at),
        };
        core_store::KeyStore::update_jwk(&self.inner, &id, update)
            .await
            .map_err(store_failed)
    }
}

fn store_failed(e: StoreError) -> HostCallbackError {
    HostCallbackError::Failed {
        detail: e.to_string(),
    }
}

/// Milliseconds since the Unix epoch of `t` (saturating), the core's timestamp unit.
pub(crate) fn time_to_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// Whole seconds since the Unix epoch of `t` (a NumericDate), rounded down.
pub(crate) fn time_to_s(t: SystemTime) -> i64 {
    time_to_ms(t).div_euclid(1000)
}

/// The instant `ms` milliseconds after the Unix epoch.
pub(crate) fn time_from_ms(ms: i64) -> SystemTime {
    let span = Duration::from_millis(ms.unsigned_abs());
    let t = if ms >= 0 {
        UNIX_EPOCH.checked_add(span)
    } else {
        UNIX_EPOCH.checked_sub(span)
    };
    // Only unrepresentable on platforms whose SystemTime is narrower than i64 milliseconds.
    t.unwrap_or(UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_instants_to_the_millisecond() {
        for ms in [0, 1, 1_700_000_000_123, -86_400_001] {
            assert_eq!(time_to_ms(time_from_ms(ms)), ms);
        }
        assert_eq!(time_to_s(time_from_ms(-1)), -1, "NumericDate rounds down");
    }
}
