//! Verification for apps and services behind the auth server: [`KeySet`] (a JWKS the app has),
//! [`RemoteKeySet`] (a JWKS URL, cached), [`verify_jwt`], and the [`VerifiedJwt`] they return.

use std::sync::Arc;

use authjwt_core::events::EventSink;
use authjwt_core::jwks::KeySet as CoreKeySet;
use authjwt_core::remote::RemoteJwks;
use authjwt_core::verify::{verify_jwt as core_verify_jwt, VerifiedJwt as CoreVerifiedJwt};

use crate::error::AuthJwtError;
use crate::hooks::{EventListener, HostEvents};
use crate::options::{RemoteKeySetOptions, VerifyOptions};
use crate::tasks::off_thread;

/// A verified token: its claims and protected header as JSON text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedJwt {
    /// The claims set (a JSON object).
    pub payload_json: String,
    /// The protected header (a JSON object: `alg`, `kid`, ...).
    pub header_json: String,
}

impl From<CoreVerifiedJwt> for VerifiedJwt {
    fn from(jwt: CoreVerifiedJwt) -> Self {
        VerifiedJwt {
            payload_json: serde_json::Value::Object(jwt.payload).to_string(),
            header_json: serde_json::Value::Object(jwt.protected_header).to_string(),
        }
    }
}

/// A validated set of public keys (a JWKS document), each parsed once.
#[derive(Debug, uniffi::Object)]
pub struct KeySet {
    inner: CoreKeySet,
}

#[uniffi::export]
impl KeySet {
    /// Parses a JWKS document (`{"keys":[...]}`), keeping the keys authjwt can use; each skipped
    /// key is reported to `events` (`jwks.key_skipped`) before this returns. A document of another
    /// shape is `ERR_JWKS_INVALID`.
    #[uniffi::constructor(default(events = None))]
    pub fn from_jwks(
        json: String,
        events: Option<Arc<dyn EventListener>>,
    ) -> Result<Arc<Self>, AuthJwtError> {
        let sink = events.map(|l| Arc::new(HostEvents(l)) as Arc<dyn EventSink>);
        Ok(Arc::new(KeySet {
            inner: CoreKeySet::from_json_reporting(&json, sink)?,
        }))
    }

    /// The algorithms of the keys in the set (the default allowlist).
    pub fn algorithms(&self) -> Vec<String> {
        self.inner
            .algorithms()
            .into_iter()
            .map(|a| a.name().to_owned())
            .collect()
    }

    /// Number of keys in the set.
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// Verifies `token` with these keys (same as [`verify_jwt`]).
    #[uniffi::method(default(options))]
    pub fn verify(
        &self,
        token: String,
        options: VerifyOptions,
    ) -> Result<VerifiedJwt, AuthJwtError> {
        Ok(core_verify_jwt(&token, &self.inner, &options.into_core()?)?.into())
    }
}

/// Verifies a compact JWT against a local key set under the strict policy. It is CPU work of
/// microseconds (no I/O), so it is a plain function, callable from any thread.
#[uniffi::export(default(options))]
pub fn verify_jwt(
    token: String,
    key_set: Arc<KeySet>,
    options: VerifyOptions,
) -> Result<VerifiedJwt, AuthJwtError> {
    key_set.verify(token, options)
}

/// A JWKS fetched from a URL (https, or http on a loopback host) and cached: refetched when stale
/// or when a token names an unknown kid (at most once per cooldown, one request in flight).
#[derive(Debug, uniffi::Object)]
pub struct RemoteKeySet {
    inner: RemoteJwks,
}

#[uniffi::export(async_runtime = "tokio")]
impl RemoteKeySet {
    /// A key set at `url`; nothing is fetched until the first `verify`.
    #[uniffi::constructor(default(options))]
    pub fn new(url: String, options: RemoteKeySetOptions) -> Result<Arc<Self>, AuthJwtError> {
        let events = options.event_sink();
        Ok(Arc::new(RemoteKeySet {
            inner: RemoteJwks::new_with_events(&url, options.into_core()?, events)?,
        }))
    }

    /// The key set at the `jwks_uri` of `issuer`'s discovery document
    /// (`/.well-known/openid-configuration`, else `/.well-known/oauth-authorization-server`),
    /// whose `issuer` must equal `issuer` (OpenID Connect Discovery 1.0 §4.3, RFC 8414 §3.3).
    #[uniffi::constructor(default(options))]
    pub async fn discover(
        issuer: String,
        options: RemoteKeySetOptions,
    ) -> Result<Arc<Self>, AuthJwtError> {
        let events = options.event_sink();
        let options = options.into_core()?;
        let inner =
            off_thread(async move { RemoteJwks::discover(&issuer, options, events).await }).await?;
        Ok(Arc::new(RemoteKeySet { inner }))
    }

    /// Verifies `token` with the cached keys, fetching them when needed.
    #[uniffi::method(default(options))]
    pub async fn verify(
        &self,
        token: String,
        options: VerifyOptions,
    ) -> Result<VerifiedJwt, AuthJwtError> {
        let options = options.into_core()?;
        let remote = self.inner.clone();
        let jwt = off_thread(async move { remote.verify(&token, &options).await }).await?;
        Ok(jwt.into())
    }
}
