//! `Issuer`: the core issuer with the host's store and callbacks.

use std::sync::Arc;

use authjwt_core::issuer::{ExternalSignerConfig, Issuer, IssuerOptions, OptionCase};
use authjwt_core::store::KeyStore;
use authjwt_core::Error;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{
    issuer_options, parse_object, row_json, sign_overrides, verified_json, verify_options,
};
use crate::error::IntoJs;
use crate::hooks::{JsEvents, JsSessionHooks, JsSigner, NativeManualClock};
use crate::store::{JsStore, JsonCallback, NativeMemoryStore};

/// The issuer (wrapped by `Issuer` in `npm/lib/issuer.js`).
#[napi]
pub struct NativeIssuer {
    inner: Issuer,
}

/// Builds the core issuer: `options_json` holds the plain options (with `sign: {alg, kid}` when a
/// custom signer is given); the store is the native memory store or the host's wrapped callbacks.
/// An unusable configuration is `ERR_INVALID_CONFIG` now.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn create_issuer(
    options_json: String,
    memory: Option<&NativeMemoryStore>,
    get_jwks: Option<JsonCallback>,
    create_jwk: Option<JsonCallback>,
    define_payload: Option<JsonCallback>,
    get_subject: Option<JsonCallback>,
    signer: Option<JsonCallback>,
    on_event: Option<ThreadsafeFunction<String, (), String, Status, false, true>>,
    clock: Option<&NativeManualClock>,
    update_jwk: Option<JsonCallback>,
) -> napi::Result<NativeIssuer> {
    let mut options: IssuerOptions = issuer_options(&options_json).js()?;
    let store: Arc<dyn KeyStore> = match (memory, get_jwks, create_jwk) {
        (_, Some(g), Some(c)) => Arc::new(JsStore::new(g, c, update_jwk)),
        (Some(m), _, _) => m.inner.clone(),
        _ => Arc::new(authjwt_core::store::MemoryStore::new()),
    };
    if define_payload.is_some() || get_subject.is_some() {
        options.session_hooks = Some(Arc::new(JsSessionHooks {
            define_payload,
            get_subject,
        }));
    }
    if let Some(f) = signer {
        options.external_signer = Some(signer_config(&options_json, f).js()?);
    }
    if let Some(f) = on_event {
        options.events = Some(Arc::new(JsEvents(f)));
    }
    if let Some(c) = clock {
        options.clock = c.inner.clone();
    }
    Ok(NativeIssuer {
        inner: Issuer::new(store, options).js()?,
    })
}

#[napi]
impl NativeIssuer {
    /// Signs `payload_json` (a JSON object) on the thread pool; may read or create keys.
    #[napi]
    pub async fn sign(
        &self,
        payload_json: String,
        overrides: Option<String>,
    ) -> napi::Result<String> {
        let overrides = sign_overrides(overrides.as_deref()).js()?;
        self.inner.sign_json(&payload_json, &overrides).await.js()
    }

    /// Signs with the cached key on the calling thread; fails if no key is loaded yet.
    #[napi(catch_unwind)]
    pub fn sign_sync(
        &self,
        payload_json: String,
        overrides: Option<String>,
    ) -> napi::Result<String> {
        let overrides = sign_overrides(overrides.as_deref()).js()?;
        // Inside napi's tokio runtime context, so a key older than keyCacheTtl is refreshed in
        // the background (the core spawns the refresh only when a runtime is at hand).
        napi::bindgen_prelude::within_runtime_if_available(|| {
            self.inner
                .sign_json_with_cached_key(&payload_json, &overrides)
        })
        .js()
    }

    /// `sign`'s answer when it needs no await (the cached key is fresh), else `null`: then `sign`
    /// reads the store. Lets the JS `sign` skip the thread hop with the core's caching policy.
    #[napi(catch_unwind)]
    pub fn sign_if_fresh(
        &self,
        payload_json: String,
        overrides: Option<String>,
    ) -> napi::Result<Option<String>> {
        let overrides = sign_overrides(overrides.as_deref()).js()?;
        // In napi's runtime context, as `sign_sync`: the core starts the next key's background
        // preparation from this path too (it spawns only when a runtime is at hand).
        napi::bindgen_prelude::within_runtime_if_available(|| {
            self.inner.sign_json_if_no_await(&payload_json, &overrides)
        })
        .js()
    }

    /// Better Auth's `/token`: signs for `{user, session}` (JSON).
    #[napi]
    pub async fn sign_session(
        &self,
        user_json: String,
        session_json: String,
        overrides: Option<String>,
    ) -> napi::Result<String> {
        let overrides = sign_overrides(overrides.as_deref()).js()?;
        let user = parse_value(&user_json, "user").js()?;
        let session = parse_value(&session_json, "session").js()?;
        self.inner
            .sign_session(&user, &session, &overrides)
            .await
            .js()
    }

    /// The published JWKS body, as JSON.
    #[napi]
    pub async fn jwks(&self) -> napi::Result<String> {
        Ok(self.inner.jwks().await.js()?.to_string())
    }

    /// Creates a new signing key (signing now, or after the lead when `staged`); its row as
    /// wire JSON.
    #[napi]
    pub async fn rotate(&self, staged: bool) -> napi::Result<String> {
        let row = if staged {
            self.inner.rotate_staged().await
        } else {
            self.inner.rotate().await
        };
        row_json(row.js()?).js()
    }

    /// Revokes the stored key `kid` (needs the store's `updateJwk`).
    #[napi]
    pub async fn revoke(&self, kid: String) -> napi::Result<()> {
        self.inner.revoke(&kid).await.js()
    }

    /// Stores the next key of scheduled rotation now if due; its row as wire JSON, or `null`.
    #[napi]
    pub async fn prepare_next_key(&self) -> napi::Result<Option<String>> {
        match self.inner.prepare_next_key().await.js()? {
            Some(row) => row_json(row).js().map(Some),
            None => Ok(None),
        }
    }

    /// The `Cache-Control` value to serve `jwks()` under (max-age at most half the lead).
    #[napi]
    pub fn jwks_cache_control(&self) -> String {
        self.inner.jwks_cache_control()
    }

    /// Verifies a token against this issuer's stored keys; `{payload, protectedHeader}` JSON.
    #[napi]
    pub async fn verify(&self, token: String, options: Option<String>) -> napi::Result<String> {
        let options = verify_options(options.as_deref()).js()?;
        verified_json(&self.inner.verify(&token, &options).await.js()?).js()
    }
}

/// Seconds in a time-span string of the core's expiration grammar (`"15m"`, `"2 hours"`, `"-1d"`,
/// `"3 days ago"`), signed; a malformed span is `ERR_INVALID_CONFIG`. Host integrations that take
/// span strings (Better Auth's `toExpJWT`) resolve them here rather than parse them themselves.
#[napi(catch_unwind)]
pub fn parse_timespan(span: String) -> napi::Result<i64> {
    authjwt_core::claims::parse_timespan(&span).js()
}

/// Whether a stored row is revoked, by the core's rule (`expiresAt` at or before `createdAt`, ms
/// since the epoch). For integrations that read rows themselves (the Better Auth plugin's
/// `verifyJWT`), so they do not restate the rule.
#[napi]
pub fn is_revoked_row(created_at_ms: f64, expires_at_ms: Option<f64>) -> bool {
    // Saturating by `as`: a Date's time value is far inside i64.
    authjwt_core::store::is_revoked(created_at_ms as i64, expires_at_ms.map(|at| at as i64))
}

fn parse_value(json: &str, what: &str) -> authjwt_core::Result<Value> {
    serde_json::from_str(json).map_err(|_| Error::InvalidConfig(format!("{what} must be JSON")))
}

/// `{ sign: { alg, kid, sign, messageType, verifyBeforeReturn, publicKey } }`: the signer's plain
/// options (JSON drops the functions; the JS layer marks a kid function as `kidFunction`).
fn signer_config(
    options_json: &str,
    f: JsonCallback,
) -> authjwt_core::Result<ExternalSignerConfig> {
    let o = parse_object(Some(options_json), "Issuer options")?;
    let mut s = match o.get("sign") {
        Some(Value::Object(s)) => s.clone(),
        _ => {
            return Err(Error::InvalidConfig(
                "option sign must be an object".to_owned(),
            ))
        }
    };
    let dynamic_kid = s
        .remove("kidFunction")
        .is_some_and(|v| v == Value::Bool(true));
    ExternalSignerConfig::from_host_options(
        Arc::new(JsSigner(f)),
        &s,
        OptionCase::Camel,
        dynamic_kid,
    )
}
