//! Verification from a local or remote key set, and the unverified decoders.

use authjwt_core::events::EventSink;
use authjwt_core::jwks::KeySet;
use authjwt_core::jws;
use authjwt_core::remote::{RemoteJwks, RemoteJwksOptions, RequestHeaders, SharedCache};
use authjwt_core::verify::{verify_jwt_json, VerifyOptions};
use authjwt_core::Error;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;
use serde_json::Value;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::convert::{parse_object, verified_json, verify_options};
use crate::error::IntoJs;
use crate::hooks::JsEvents;
use crate::shared_cache::JsSharedCache;
use crate::store::JsonCallback;

/// A validated local key set (wrapped by `createLocalJwks`).
#[napi]
pub struct NativeLocalJwks {
    inner: KeySet,
    /// The last options text and what it parsed to: callers pass the same options on every call,
    /// and parsing them was a visible share of a verify (bench/HISTORY.md).
    last_options: Mutex<Option<(String, Arc<VerifyOptions>)>>,
}

/// Parses and validates a JWKS document (JSON text) once; each key it skips is reported to
/// `on_event` (`jwks.key_skipped`, as JSON text).
#[napi(catch_unwind)]
pub fn create_local_jwks(
    jwks_json: String,
    on_event: Option<EventCallback>,
) -> napi::Result<NativeLocalJwks> {
    Ok(NativeLocalJwks {
        inner: KeySet::from_json_reporting(&jwks_json, event_sink(on_event)).js()?,
        last_options: Mutex::new(None),
    })
}

#[napi]
impl NativeLocalJwks {
    /// Verifies on the calling thread; `{payload, protectedHeader}` JSON.
    #[napi(catch_unwind)]
    pub fn verify_sync(&self, token: String, options: Option<String>) -> napi::Result<String> {
        let options = self.options(options).js()?;
        // The token's own verified JSON goes back to JS as is (no `Map` round trip; bench/HISTORY.md).
        verify_jwt_json(&token, &self.inner, &options).js()
    }
}

impl NativeLocalJwks {
    /// The parsed options, reused while the options text is the same as last time (parsing is a
    /// pure function of the text, so this changes no result).
    fn options(&self, json: Option<String>) -> authjwt_core::Result<Arc<VerifyOptions>> {
        let Some(text) = json else {
            return Ok(Arc::new(VerifyOptions::default()));
        };
        let mut last = self
            .last_options
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((cached, parsed)) = last.as_ref() {
            if *cached == text {
                return Ok(parsed.clone());
            }
        }
        let parsed = Arc::new(verify_options(Some(&text))?);
        *last = Some((text, parsed.clone()));
        Ok(parsed)
    }
}

/// A remote JWKS with caching and cooldown (wrapped by `createRemoteJwks`).
#[napi]
pub struct NativeRemoteJwks {
    inner: RemoteJwks,
}

/// The host's `onEvent`, called with each event as JSON text.
type EventCallback = ThreadsafeFunction<String, (), String, Status, false, true>;

/// `options_json` has jose's names in milliseconds: `cacheMaxAge`, `cacheMinAge`,
/// `cacheMaxAgeLimit`, `staleIfError`, `cooldownDuration`, `timeoutDuration`; `maxResponseSize` in
/// bytes; `headers` (name → value) and `allowHttp`; `on_event` receives the key set's events as
/// JSON text; `cache` is the host's shared cache wrapped into one callback (`cache_claim`: it has
/// a `claim`).
#[napi(catch_unwind)]
pub fn create_remote_jwks(
    url: String,
    options_json: Option<String>,
    on_event: Option<EventCallback>,
    cache: Option<JsonCallback>,
    cache_claim: Option<bool>,
) -> napi::Result<NativeRemoteJwks> {
    let mut options = remote_options(options_json.as_deref()).js()?;
    options.shared_cache = shared_cache(cache, cache_claim);
    Ok(NativeRemoteJwks {
        inner: RemoteJwks::new_with_events(&url, options, event_sink(on_event)).js()?,
    })
}

fn shared_cache(cache: Option<JsonCallback>, claim: Option<bool>) -> Option<SharedCache> {
    cache.map(|callback| {
        SharedCache(Arc::new(JsSharedCache {
            callback,
            claim: claim.unwrap_or(false),
        }))
    })
}

fn event_sink(on_event: Option<EventCallback>) -> Option<Arc<dyn EventSink>> {
    on_event.map(|f| Arc::new(JsEvents(f)) as Arc<dyn EventSink>)
}

/// The key set named by `issuer_url`'s OIDC / RFC 8414 metadata (`jwks_uri`, after checking the
/// document's `issuer` equals `issuer_url`); options as [`create_remote_jwks`].
#[napi]
pub async fn discover_remote_jwks(
    issuer_url: String,
    options_json: Option<String>,
    on_event: Option<EventCallback>,
    cache: Option<JsonCallback>,
    cache_claim: Option<bool>,
) -> napi::Result<NativeRemoteJwks> {
    let mut options = remote_options(options_json.as_deref()).js()?;
    options.shared_cache = shared_cache(cache, cache_claim);
    Ok(NativeRemoteJwks {
        inner: RemoteJwks::discover(&issuer_url, options, event_sink(on_event))
            .await
            .js()?,
    })
}

fn remote_options(options_json: Option<&str>) -> authjwt_core::Result<RemoteJwksOptions> {
    let o = parse_object(options_json, "remote JWKS options")?;
    let mut options = RemoteJwksOptions::default();
    let ms = |name: &str| -> authjwt_core::Result<Option<Duration>> {
        match o.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(|n| Some(Duration::from_secs_f64(n / 1000.0)))
                .ok_or_else(|| Error::InvalidConfig(format!("option {name} must be milliseconds"))),
        }
    };
    if let Some(d) = ms("cacheMaxAge")? {
        options.cache_max_age = d;
    }
    if let Some(d) = ms("cacheMinAge")? {
        options.cache_min_age = d;
    }
    if let Some(d) = ms("cacheMaxAgeLimit")? {
        options.cache_max_age_limit = d;
    }
    if let Some(d) = ms("staleIfError")? {
        options.stale_if_error = d;
    }
    if let Some(d) = ms("cooldownDuration")? {
        options.cooldown_duration = d;
    }
    if let Some(d) = ms("timeoutDuration")? {
        options.timeout_duration = d;
    }
    if let Some(n) = o.get("maxResponseSize").and_then(Value::as_u64) {
        options.max_response_size = usize::try_from(n).unwrap_or(usize::MAX);
    }
    match o.get("allowHttp") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => options.allow_http = *b,
        Some(_) => {
            return Err(Error::InvalidConfig(
                "option allowHttp must be a boolean".into(),
            ))
        }
    }
    match o.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(headers)) => {
            let mut pairs = Vec::with_capacity(headers.len());
            for (name, value) in headers {
                let Value::String(value) = value else {
                    return Err(Error::InvalidConfig(format!(
                        "request header {name:?} must be a string"
                    )));
                };
                pairs.push((name.clone(), value.clone()));
            }
            options.headers = RequestHeaders::new(pairs);
        }
        Some(_) => {
            return Err(Error::InvalidConfig(
                "option headers must be an object of header names to strings".into(),
            ))
        }
    }
    Ok(options)
}

#[napi]
impl NativeRemoteJwks {
    /// Verifies, fetching the set when needed; `{payload, protectedHeader}` JSON.
    #[napi]
    pub async fn verify(&self, token: String, options: Option<String>) -> napi::Result<String> {
        let options = verify_options(options.as_deref()).js()?;
        verified_json(&self.inner.verify(&token, &options).await.js()?).js()
    }
}

/// The payload of a compact JWT, WITHOUT verifying anything but its shape; JSON text.
#[napi(catch_unwind)]
pub fn decode_jwt(token: String) -> napi::Result<String> {
    let (_, payload) = jws::decode_unverified(&token).js()?;
    Ok(Value::Object(payload).to_string())
}

/// The protected header of a compact JWS, WITHOUT verifying anything but its shape; JSON text.
#[napi(catch_unwind)]
pub fn decode_protected_header(token: String) -> napi::Result<String> {
    Ok(Value::Object(jws::decode_unverified_header(&token).js()?).to_string())
}

/// The token of an `Authorization: Bearer <token>` header value, or `null` (the core's RFC 6750
/// rule; `npm/lib/http.js` picks the header out of a `Headers`, `Request` or `node:http` request).
#[napi]
pub fn extract_bearer_token(header_value: String) -> Option<String> {
    authjwt_core::http::extract_bearer_token(&header_value).map(str::to_owned)
}
