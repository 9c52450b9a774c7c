//! Host storage: [`JwkRow`], one row of Better Auth's `jwks` table, and the [`KeyStore`] trait with
//! Better Auth's two callbacks (`getJwks`, `createJwk`). [`MemoryStore`] keeps rows in memory.

use std::sync::Mutex;

use async_trait::async_trait;

use crate::error::StoreError;

/// One row of the `jwks` table, with Better Auth's columns.
///
/// Timestamps are milliseconds since the Unix epoch (JavaScript's `Date.getTime()`).
#[derive(Clone, PartialEq, Eq)]
pub struct JwkRow {
    /// The row id, used as the JWK `kid`.
    pub id: String,
    /// The public JWK JSON, exactly as Better Auth writes it (no kid/alg/use inside).
    pub public_key: String,
    /// The sealed private key (see [`crate::seal`]), or the private JWK JSON when encryption is off.
    pub private_key: String,
    /// When the key was created.
    pub created_at: i64,
    /// When the key stops being used for signing; it stays published for the grace period after.
    pub expires_at: Option<i64>,
    /// The key's algorithm; rows written by older Better Auth versions have none.
    pub alg: Option<String>,
    /// The key's curve (`Ed25519`, `P-256`, ...), when it has one.
    pub crv: Option<String>,
}

impl JwkRow {
    /// The row's algorithm name, reading a missing `alg` as `default_alg` (old Better Auth rows).
    pub fn alg_or<'a>(&'a self, default_alg: &'a str) -> &'a str {
        self.alg.as_deref().unwrap_or(default_alg)
    }

    /// Whether the key may still sign at `now_ms`: no `expires_at`, or `now_ms` before it
    /// (Better Auth's `!expiresAt || expiresAt > now`).
    pub fn is_live_at(&self, now_ms: i64) -> bool {
        self.expires_at.is_none_or(|at| now_ms < at)
    }

    /// Whether the key was revoked: an `expires_at` at or before `created_at`, which no rotation
    /// writes (`revoke` writes [`REVOKED_EXPIRES_AT`]). A revoked key never signs, is never
    /// published and verifies nothing.
    pub fn is_revoked(&self) -> bool {
        is_revoked(self.created_at, self.expires_at)
    }
}

/// [`JwkRow::is_revoked`] on a row's two times (ms), for hosts that read rows themselves.
pub fn is_revoked(created_at_ms: i64, expires_at_ms: Option<i64>) -> bool {
    expires_at_ms.is_some_and(|at| at <= created_at_ms)
}

/// The `expires_at` that `revoke` writes: the Unix epoch, before every grace period ends, so the
/// key leaves every JWKS at once, in authjwt and in Better Auth alike.
pub const REVOKED_EXPIRES_AT: i64 = 0;

/// A change to a stored row, through the optional [`KeyStore::update_jwk`] callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwkUpdate {
    /// The row's new `expires_at` (milliseconds since the Unix epoch).
    pub expires_at: i64,
}

impl std::fmt::Debug for JwkRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwkRow")
            .field("id", &self.id)
            .field("public_key", &self.public_key)
            .field("private_key", &"<sealed>")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("alg", &self.alg)
            .field("crv", &self.crv)
            .finish()
    }
}

/// The host's key storage: Better Auth's `jwt({ adapter: { getJwks, createJwk } })` contract.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Every stored row (expired ones included; authjwt filters).
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError>;

    /// Stores a new row and returns it as stored. The store may replace the proposed `id`; the
    /// returned row is the truth.
    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, StoreError>;

    /// Whether the store has the optional [`KeyStore::update_jwk`] callback (default: no).
    fn can_update(&self) -> bool {
        false
    }

    /// The optional third callback: sets a row's `expires_at` (retiring a rotated-away key,
    /// `revoke`). The other columns of the row stay as they are.
    async fn update_jwk(&self, id: &str, update: JwkUpdate) -> Result<(), StoreError> {
        let _ = (id, update);
        Err(StoreError::new(
            "update_jwk",
            "this key store has no update_jwk callback",
        ))
    }
}

/// Rows kept in process memory: the embedded default, and a reference for host stores.
#[derive(Debug, Default)]
pub struct MemoryStore {
    rows: Mutex<Vec<JwkRow>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `rows`.
    pub fn with_rows(rows: Vec<JwkRow>) -> Self {
        MemoryStore {
            rows: Mutex::new(rows),
        }
    }

    /// A copy of the stored rows (for inspection in tests and tools).
    pub fn rows(&self) -> Vec<JwkRow> {
        self.lock().clone()
    }

    /// Number of stored rows.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the store holds no row.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<JwkRow>> {
        // A poisoned lock only means another thread panicked mid-push; the Vec is still valid.
        self.rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl KeyStore for MemoryStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
        Ok(self.lock().clone())
    }

    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, StoreError> {
        let mut rows = self.lock();
        if rows.iter().any(|r| r.id == row.id) {
            return Err(StoreError::new(
                "create_jwk",
                format!("a row with id {} exists", row.id),
            ));
        }
        rows.push(row.clone());
        Ok(row)
    }

    fn can_update(&self) -> bool {
        true
    }

    async fn update_jwk(&self, id: &str, update: JwkUpdate) -> Result<(), StoreError> {
        let mut rows = self.lock();
        match rows.iter_mut().find(|r| r.id == id) {
            Some(row) => {
                row.expires_at = Some(update.expires_at);
                Ok(())
            }
            None => Err(StoreError::new(
                "update_jwk",
                format!("no row with id {id}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, alg: Option<&str>, expires_at: Option<i64>) -> JwkRow {
        JwkRow {
            id: id.into(),
            public_key: "{}".into(),
            private_key: "{}".into(),
            created_at: 1,
            expires_at,
            alg: alg.map(str::to_owned),
            crv: None,
        }
    }

    #[test]
    fn missing_alg_reads_as_the_default() {
        assert_eq!(row("a", None, None).alg_or("ES256"), "ES256");
        assert_eq!(row("a", Some("EdDSA"), None).alg_or("ES256"), "EdDSA");
    }

    #[test]
    fn a_key_is_live_strictly_before_expires_at() {
        assert!(row("a", None, None).is_live_at(i64::MAX));
        assert!(row("a", None, Some(10)).is_live_at(9));
        assert!(!row("a", None, Some(10)).is_live_at(10));
    }

    #[tokio::test]
    async fn memory_store_keeps_ids_unique_and_returns_rows_as_stored() {
        let store = MemoryStore::new();
        let stored = store.create_jwk(row("a", None, None)).await;
        assert_eq!(stored.ok().map(|r| r.id), Some("a".to_owned()));
        let dup = store.create_jwk(row("a", None, None)).await;
        assert_eq!(dup.err().map(|e| e.operation()), Some("create_jwk"));
        assert_eq!(store.len(), 1);
        let debug = format!("{:?}", store.rows());
        assert!(debug.contains("<sealed>"), "private keys never in Debug");
    }
}
