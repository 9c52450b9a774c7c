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
}
