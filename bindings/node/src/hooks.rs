//! The host's other callbacks: `definePayload`/`getSubject`, a custom signer, `onEvent`, and the
//! injectable clock.

use std::sync::Arc;

use async_trait::async_trait;
use authjwt_core::clock::{Clock, ManualClock};
use authjwt_core::events::{Event, EventSink};
use authjwt_core::issuer::{ExternalSigner, SessionHooks, SignRequest};
use authjwt_core::StoreError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use serde_json::{json, Map, Value};

use crate::store::{call_value, JsonCallback};

/// `definePayload({ user, session })` and `getSubject({ user, session })`, wrapped by the JS layer.
pub struct JsSessionHooks {
    pub define_payload: Option<JsonCallback>,
    pub get_subject: Option<JsonCallback>,
}

#[async_trait]
impl SessionHooks for JsSessionHooks {
    async fn define_payload(
        &self,
        user: &Value,
        session: &Value,
    ) -> Result<Option<Map<String, Value>>, StoreError> {
        let Some(f) = &self.define_payload else {
            return Ok(None);
        };
        let arg = json!({ "user": user, "session": session }).to_string();
        match call_value(f, "define_payload", arg).await? {
            Value::Object(map) => Ok(Some(map)),
            Value::Null => Ok(None),
            _ => Err(StoreError::new(
                "define_payload",
                "definePayload must return an object",
            )),
        }
    }

    async fn get_subject(
        &self,
        user: &Value,
        session: &Value,
    ) -> Result<Option<String>, StoreError> {
        let Some(f) = &self.get_subject else {
            return Ok(None);
        };
        let arg = json!({ "user": user, "session": session }).to_string();
        match call_value(f, "get_subject", arg).await? {
            Value::String(s) => Ok(Some(s)),
            Value::Null => Ok(None),
            _ => Err(StoreError::new(
                "get_subject",
                "getSubject must return a string",
            )),
        }
    }
}

/// A custom signer (KMS), one wrapped callback: `{"op":"sign","message":b64u,"kid","alg",
/// "messageType"}` answers the signature as base64url; `{"op":"kid"}` the current kid (only when
/// the host gave `sign.kid` as a function).
pub struct JsSigner(pub JsonCallback);

#[async_trait]
impl ExternalSigner for JsSigner {
    async fn sign(&self, request: SignRequest) -> Result<Vec<u8>, StoreError> {
        let arg = json!({
            "op": "sign",
            "message": URL_SAFE_NO_PAD.encode(&request.message),
            "kid": request.kid,
            "alg": request.alg.name(),
            "messageType": request.message_type.name(),
        });
        let sig = call_value(&self.0, "sign", arg.to_string()).await?;
        // The JS layer turns any byte view into base64url; anything else arrives as it was.
        let text = sig.as_str().ok_or_else(|| {
            StoreError::new(
                "sign",
                "the signer must return bytes (a Uint8Array or Buffer)",
            )
        })?;
        URL_SAFE_NO_PAD.decode(text).map_err(|_| {
            StoreError::new(
                "sign",
                "the signer must return bytes (a Uint8Array or Buffer)",
            )
        })
    }

    async fn current_kid(&self) -> Result<Option<String>, StoreError> {
        match call_value(&self.0, "kid", json!({ "op": "kid" }).to_string()).await? {
            Value::String(kid) => Ok(Some(kid)),
            _ => Err(StoreError::new("kid", "sign.kid() must return a string")),
        }
    }
}

/// Forwards events to the host's `onEvent` without waiting (events are fire-and-forget).
pub struct JsEvents(pub ThreadsafeFunction<String, (), String, Status, false, true>);

impl EventSink for JsEvents {
    fn on_event(&self, event: &Event) {
        // A full or closing queue only loses a monitoring event; never block the caller.
        let _ = self.0.call(
            event.to_json().to_string(),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    }
}

/// A clock that moves only when told to, for tests (`new ManualClock(ms)`).
#[napi]
pub struct NativeManualClock {
    pub(crate) inner: Arc<ManualClock>,
}

#[napi]
impl NativeManualClock {
    /// A clock stopped at `now_ms` (epoch milliseconds).
    #[napi(constructor, catch_unwind)]
    pub fn new(now_ms: f64) -> Self {
        NativeManualClock {
            inner: Arc::new(ManualClock::new(now_ms as i64)),
        }
    }

    /// Current time, epoch milliseconds.
    #[napi(catch_unwind)]
    pub fn now(&self) -> f64 {
        self.inner.now_ms() as f64
    }

    /// Sets the time (epoch milliseconds).
    #[napi(catch_unwind)]
    pub fn set(&self, now_ms: f64) {
        self.inner.set_ms(now_ms as i64);
    }

    /// Moves the time forward by `ms`.
    #[napi(catch_unwind)]
    pub fn advance(&self, ms: f64) {
        self.inner.advance_ms(ms as i64);
    }
}
