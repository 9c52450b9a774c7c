//! The one adapter implementing the core's `SharedJwksCache` over the host's
//! `{ load, save, claim?, release? }`, wrapped by the JS layer into one callback taking
//! `{"op": "load" | "save" | "claim" | "release", ...}` and answering `{"value": ...}` or
//! `{"error": ...}` JSON (so sync, throwing and rejecting callbacks look the same here).

use std::time::Duration;

use async_trait::async_trait;
use authjwt_core::remote::{SharedJwksCache, SharedJwksEntry, INVALID_ENTRY};
use authjwt_core::StoreError;
use serde_json::{json, Value};

use crate::store::{call_value, JsonCallback};

/// The host's cache, seen through its wrapped callback; `claim` tells whether the host gave one.
pub struct JsSharedCache {
    pub callback: JsonCallback,
    pub claim: bool,
}

#[async_trait]
impl SharedJwksCache for JsSharedCache {
    async fn load(&self) -> Result<Option<SharedJwksEntry>, StoreError> {
        match call_value(&self.callback, "load", json!({ "op": "load" }).to_string()).await? {
            Value::Null => Ok(None),
            value => SharedJwksEntry::from_json(&value)
                .map(Some)
                .map_err(|e| StoreError::new(INVALID_ENTRY, e.to_string())),
        }
    }

    async fn save(&self, entry: &SharedJwksEntry) -> Result<(), StoreError> {
        let arg = json!({ "op": "save", "entry": entry.to_json() }).to_string();
        call_value(&self.callback, "save", arg).await.map(drop)
    }

    fn supports_claim(&self) -> bool {
        self.claim
    }

    async fn try_claim(&self, ttl: Duration) -> Result<bool, StoreError> {
        let arg = json!({ "op": "claim", "ttl": ttl.as_millis() as u64 }).to_string();
        match call_value(&self.callback, "claim", arg).await? {
            Value::Bool(claimed) => Ok(claimed),
            _ => Err(StoreError::new("claim", "claim() must return a boolean")),
        }
    }

    async fn release(&self) -> Result<(), StoreError> {
        let arg = json!({ "op": "release" }).to_string();
        call_value(&self.callback, "release", arg).await.map(drop)
    }
}
