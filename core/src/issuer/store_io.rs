//! Every call into host code (the key store, session hooks, an external signer) goes through here:
//! bounded by `storeTimeout`, failures typed as `ERR_STORE` with the host's error kept.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result, StoreError};
use crate::store::{JwkRow, JwkUpdate, KeyStore};

/// The store and the bound on each call.
pub(super) struct StoreIo {
    pub store: Arc<dyn KeyStore>,
    pub timeout: Duration,
}

impl StoreIo {
    /// `get_jwks`, de-duplicated: identical repeated rows are kept once; two different rows under
    /// one id are `ERR_STORE` (which one would be the key?).
    pub async fn get_rows(&self) -> Result<Vec<JwkRow>> {
        let rows = self.bounded("get_jwks", self.store.get_jwks()).await?;
        dedupe(rows)
    }

    /// `create_jwk`; the returned row is the truth.
    pub async fn create_row(&self, row: JwkRow) -> Result<JwkRow> {
        self.bounded("create_jwk", self.store.create_jwk(row)).await
    }

    /// `update_jwk` (the optional callback; callers check `can_update` first).
    pub async fn update_row(&self, id: &str, update: JwkUpdate) -> Result<()> {
        self.bounded("update_jwk", self.store.update_jwk(id, update))
            .await
    }

    /// Runs a host callback named `operation` under the timeout.
    pub async fn bounded<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = std::result::Result<T, StoreError>>,
    ) -> Result<T> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result.map_err(Error::Store),
            Err(_) => Err(Error::Store(StoreError::timeout(
                operation,
                self.timeout.as_secs_f64(),
            ))),
        }
    }
}

fn dedupe(rows: Vec<JwkRow>) -> Result<Vec<JwkRow>> {
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut out: Vec<JwkRow> = Vec::with_capacity(rows.len());
    for row in rows {
        match seen.get(&row.id) {
            Some(&i) if out[i] == row => {}
            Some(_) => {
                return Err(Error::Store(StoreError::new(
                    "get_jwks",
                    format!(
                        "two different rows share the id {}; the store must keep ids unique",
                        row.id
                    ),
                )))
            }
            None => {
                seen.insert(row.id.clone(), out.len());
                out.push(row);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, public: &str) -> JwkRow {
        JwkRow {
            id: id.into(),
            public_key: public.into(),
            private_key: "p".into(),
            created_at: 1,
            expires_at: None,
            alg: None,
            crv: None,
        }
    }

    #[test]
    fn identical_duplicates_are_kept_once() {
        let rows = dedupe(vec![row("a", "x"), row("a", "x"), row("b", "y")]);
        assert_eq!(rows.ok().map(|r| r.len()), Some(2));
    }

    #[test]
    fn conflicting_duplicates_are_a_store_error() {
        let err = dedupe(vec![row("a", "x"), row("a", "z")])
            .err()
            .map(|e| e.code());
        assert_eq!(err, Some("ERR_STORE"));
    }
}
