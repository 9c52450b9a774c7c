//! The issuer's view of all stored rows, cached with the key cache TTL: what `jwks()` publishes and
//! what `verify()` checks tokens against (all rows, as Better Auth's `verifyJWT`).

use std::sync::{Arc, OnceLock, PoisonError};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::jwks::{build_jwks, KeySet};
use crate::store::JwkRow;
use crate::verify::{verify_jwt, VerifiedJwt, VerifyOptions};

use super::payload::audience_list;
use super::Inner;

/// Least age of the cached rows before a token with an unknown kid makes the issuer read the store
/// again (a key another process just created), in milliseconds; the TTL caps it.
const UNKNOWN_KID_REFRESH_MS: i64 = 30_000;

/// Rows as read at `loaded_at_ms`, with their key set built on first use.
pub(super) struct Snapshot {
    pub rows: Vec<JwkRow>,
    pub loaded_at_ms: i64,
    keys: OnceLock<KeySet>,
}

impl Snapshot {
    fn new(rows: Vec<JwkRow>, loaded_at_ms: i64) -> Arc<Self> {
        Arc::new(Snapshot {
            rows,
            loaded_at_ms,
            keys: OnceLock::new(),
        })
    }
}

impl Inner {
    /// Reads every row from the store and makes it the cached snapshot.
    pub(super) async fn read_rows(&self) -> Result<Vec<JwkRow>> {
        let rows = self.io.get_rows().await?;
        let snap = Snapshot::new(rows.clone(), self.clock.now_ms());
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(snap);
        Ok(rows)
    }

    /// Adds a row `create_jwk` just returned to the cached snapshot (keeping its age), so the
    /// next `jwks()`/`verify()` sees the new key without a store read.
    pub(super) fn remember_created_row(&self, row: &JwkRow) {
        let mut guard = self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = guard.as_ref() {
            let mut rows: Vec<JwkRow> = old
                .rows
                .iter()
                .filter(|r| r.id != row.id)
                .cloned()
                .collect();
            rows.push(row.clone());
            *guard = Some(Snapshot::new(rows, old.loaded_at_ms));
        }
    }

    /// Records an `expires_at` just written by `update_jwk` in the cached snapshot.
    pub(super) fn remember_updated_row(&self, id: &str, expires_at: i64) {
        let mut guard = self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = guard.as_ref() {
            let mut rows = old.rows.clone();
            for row in rows.iter_mut().filter(|r| r.id == id) {
                row.expires_at = Some(expires_at);
            }
            *guard = Some(Snapshot::new(rows, old.loaded_at_ms));
        }
    }

    fn cached_snapshot(&self) -> Option<Arc<Snapshot>> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The cached rows while younger than the TTL (or newer than `stale`), else read again;
    /// concurrent callers share one read.
    async fn rows_snapshot(&self, stale: Option<&Arc<Snapshot>>) -> Result<Arc<Snapshot>> {
        let usable = |s: &Arc<Snapshot>| match stale {
            Some(old) => !Arc::ptr_eq(s, old),
            None => self.clock.now_ms() < s.loaded_at_ms.saturating_add(self.key_cache_ttl_ms),
        };
        if let Some(s) = self.cached_snapshot().filter(|s| usable(s)) {
            return Ok(s);
        }
        let _guard = self.snapshot_refresh.lock().await;
        if let Some(s) = self.cached_snapshot().filter(|s| usable(s)) {
            return Ok(s);
        }
        self.read_rows().await?;
        self.cached_snapshot()
            .ok_or_else(|| Error::JwksInvalid("the key store snapshot vanished".to_owned()))
    }

    /// Better Auth's `/jwks` body: every row until `expires_at + gracePeriod`; the first key is
    /// created when the store is empty.
    pub(super) async fn published_jwks(&self) -> Result<Value> {
        let mut snap = self.rows_snapshot(None).await?;
        if snap.rows.is_empty() {
            self.signing_key(0).await?;
            snap = self.rows_snapshot(None).await?;
        }
        build_jwks(
            &snap.rows,
            self.default_alg,
            self.clock.now_ms(),
            self.grace_period_s,
        )
    }

    /// Verifies against all stored rows with the issuer's `iss`/`aud` as defaults. An unknown kid
    /// reads the store again once the cached rows are old enough (a key made by another process).
    pub(super) async fn verify_own(
        &self,
        token: &str,
        options: &VerifyOptions,
    ) -> Result<VerifiedJwt> {
        let mut opts = options.clone();
        if opts.issuer.is_none() {
            opts.issuer = self.issuer.as_ref().map(|iss| vec![iss.clone()]);
        }
        if opts.audience.is_none() {
            opts.audience = self.audience.as_ref().map(audience_list);
        }
        if opts.current_date.is_none() {
            opts.current_date = Some(self.clock.now_s());
        }
        let snap = self.rows_snapshot(None).await?;
        let result = verify_jwt(token, self.key_set(&snap)?, &opts);
        match result {
            Err(Error::NoMatchingKey(_))
                if self.clock.now_ms().saturating_sub(snap.loaded_at_ms)
                    >= UNKNOWN_KID_REFRESH_MS.min(self.key_cache_ttl_ms) =>
            {
                let fresh = self.rows_snapshot(Some(&snap)).await?;
                verify_jwt(token, self.key_set(&fresh)?, &opts)
            }
            other => other,
        }
    }

    fn key_set<'s>(&self, snap: &'s Snapshot) -> Result<&'s KeySet> {
        if let Some(keys) = snap.keys.get() {
            return Ok(keys);
        }
        // A revoked key verifies nothing, even inside the grace period.
        let rows: Vec<JwkRow> = snap
            .rows
            .iter()
            .filter(|r| !r.is_revoked())
            .cloned()
            .collect();
        let keys = KeySet::from_rows(&rows, self.default_alg)?;
        Ok(snap.keys.get_or_init(|| keys))
    }
}
