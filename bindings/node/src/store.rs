//! Storage: the one adapter implementing `KeyStore` over the JS `{ getJwks, createJwk }`, and
//! the native `MemoryStore`.
//!
//! The JS layer wraps the host's store in two functions that always return a Promise of JSON
//! (`{"rows":[...]}`, `{"row":{...}}`, or `{"error":"<message> [authjwt-cause#<id>]"}`): a sync
//! store, a throwing one and a rejecting one all look the same here, and the host's error object
//! stays on the JS side, keyed by the id in the message, until it is handed back as `.cause`.

use std::sync::Arc;

use async_trait::async_trait;
use authjwt_core::store::{JwkRow, JwkUpdate, KeyStore, MemoryStore};
use authjwt_core::StoreError;
use napi::bindgen_prelude::Promise;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;
use serde::Deserialize;
use serde_json::Value;

use crate::convert::{row_json, rows_json, WireRow};
use crate::error::IntoJs;

/// A JS callback taking one JSON string and answering a Promise of JSON. Weak, so a pending
/// callback never keeps Node from exiting; not callee-handled, so a throw is caught
/// (`call_async_catch`) rather than crashing the process.
pub type JsonCallback = ThreadsafeFunction<String, Promise<String>, String, Status, false, true>;

/// What a wrapped JS callback answered.
#[derive(Deserialize)]
struct Reply {
    #[serde(default)]
    rows: Option<Vec<WireRow>>,
    #[serde(default)]
    row: Option<WireRow>,
    #[serde(default)]
    value: Option<Value>,
    #[serde(default)]
    error: Option<String>,
}

/// Calls a wrapped JS callback and decodes its reply; failures become a [`StoreError`] of
/// `operation` whose message keeps the cause marker.
async fn call_json(
    f: &JsonCallback,
    operation: &'static str,
    arg: String,
) -> Result<Reply, StoreError> {
    let pending = f
        .call_async_catch(arg)
        .await
        .map_err(|e| StoreError::new(operation, e.reason.clone()))?;
    let text = pending
        .await
        .map_err(|e| StoreError::new(operation, e.reason.clone()))?;
    let reply: Reply = serde_json::from_str(&text)
        .map_err(|e| StoreError::new(operation, format!("unusable answer: {e}")))?;
    match reply.error {
        Some(message) => Err(StoreError::new(operation, message)),
        None => Ok(reply),
    }
}

/// Calls a wrapped host hook and returns its `value`.
pub async fn call_value(
    f: &JsonCallback,
    operation: &'static str,
    arg: String,
) -> Result<Value, StoreError> {
    Ok(call_json(f, operation, arg)
        .await?
        .value
        .unwrap_or(Value::Null))
}

/// The host's store, seen through its wrapped callbacks (`updateJwk` is optional).
pub struct JsStore {
    get_jwks: JsonCallback,
    create_jwk: JsonCallback,
    update_jwk: Option<JsonCallback>,
}

impl JsStore {
    /// A store over the wrapped `getJwks`, `createJwk` and, when given, `updateJwk`.
    pub fn new(
        get_jwks: JsonCallback,
        create_jwk: JsonCallback,
        update_jwk: Option<JsonCallback>,
    ) -> Self {
        JsStore {
            get_jwks,
            create_jwk,
            update_jwk,
        }
    }
}

#[async_trait]
impl KeyStore for JsStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
        let reply = call_json(&self.get_jwks, "get_jwks", String::new()).await?;
        let rows = reply
            .rows
            .ok_or_else(|| StoreError::new("get_jwks", "did not return an array of rows"))?;
        Ok(rows.into_iter().map(JwkRow::from).collect())
    }

    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, StoreError> {
        let arg = row_json(row).map_err(|e| StoreError::new("create_jwk", e.to_string()))?;
        let reply = call_json(&self.create_jwk, "create_jwk", arg).await?;
        reply
            .row
            .map(JwkRow::from)
            .ok_or_else(|| StoreError::new("create_jwk", "did not return the stored row"))
    }

    fn can_update(&self) -> bool {
        self.update_jwk.is_some()
    }

    async fn update_jwk(&self, id: &str, update: JwkUpdate) -> Result<(), StoreError> {
        let Some(f) = &self.update_jwk else {
            return Err(StoreError::new("update_jwk", "the store has no updateJwk"));
        };
        let arg = serde_json::json!({ "id": id, "expiresAt": update.expires_at }).to_string();
        call_json(f, "update_jwk", arg).await.map(|_| ())
    }
}

/// Rows kept in process memory (native, so issuing never crosses to JS for storage).
#[napi]
pub struct NativeMemoryStore {
    pub(crate) inner: Arc<MemoryStore>,
}

/// An empty store, or one holding `rows_json` (a wire JSON array).
#[napi(catch_unwind)]
pub fn create_memory_store(rows_json: Option<String>) -> napi::Result<NativeMemoryStore> {
    let rows = match rows_json {
        None => Vec::new(),
        Some(text) => serde_json::from_str::<Vec<WireRow>>(&text)
            .map_err(|e| authjwt_core::Error::InvalidConfig(format!("rows: {e}")))
            .js()?
            .into_iter()
            .map(JwkRow::from)
            .collect(),
    };
    Ok(NativeMemoryStore {
        inner: Arc::new(MemoryStore::with_rows(rows)),
    })
}

#[napi]
impl NativeMemoryStore {
    /// Every row, as a wire JSON array.
    #[napi]
    pub async fn get_jwks(&self) -> napi::Result<String> {
        let rows = self
            .inner
            .get_jwks()
            .await
            .map_err(authjwt_core::Error::from)
            .js()?;
        rows_json(rows).js()
    }

    /// Stores a row (wire JSON) and returns it as stored.
    #[napi]
    pub async fn create_jwk(&self, row_text: String) -> napi::Result<String> {
        let wire: WireRow = serde_json::from_str(&row_text)
            .map_err(|e| authjwt_core::Error::InvalidConfig(format!("row: {e}")))
            .js()?;
        let row = self
            .inner
            .create_jwk(JwkRow::from(wire))
            .await
            .map_err(authjwt_core::Error::from)
            .js()?;
        row_json(row).js()
    }

    /// Sets a row's `expiresAt` (milliseconds since the Unix epoch).
    #[napi]
    pub async fn update_jwk(&self, id: String, expires_at_ms: i64) -> napi::Result<()> {
        let update = JwkUpdate {
            expires_at: expires_at_ms,
        };
        self.inner
            .update_jwk(&id, update)
            .await
            .map_err(authjwt_core::Error::from)
            .js()
    }
}
