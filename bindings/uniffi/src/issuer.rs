//! The [`Issuer`] object (`Issuer(store, options)` in Kotlin and Swift).

use std::sync::Arc;

use authjwt_core::config;
use authjwt_core::issuer::Issuer as CoreIssuer;
use serde_json::Value;

use crate::error::AuthJwtError;
use crate::options::{IssuerOptions, SignOverrides, VerifyOptions};
use crate::store::{HostKeyStore, JwkRow, KeyStore};
use crate::tasks::{now_or_off_thread, off_thread};
use crate::verify::VerifiedJwt;

/// The JWT issuer: makes and rotates keys in the host's [`KeyStore`], signs tokens, publishes the
/// JWKS and verifies its own tokens. Methods are `suspend` (Kotlin) / `async` (Swift): `sign` with
/// a fresh cached key and `verify` with cached keys finish on the caller's thread without
/// suspending; anything that waits (the store, a hook, an external signer) runs on authjwt's
/// tokio worker threads, never blocking the caller's thread.
#[derive(uniffi::Object)]
pub struct Issuer {
    inner: CoreIssuer,
}

#[uniffi::export(async_runtime = "tokio")]
impl Issuer {
    /// An issuer over `store`; options that cannot work fail now with `ERR_INVALID_CONFIG`.
    #[uniffi::constructor(default(options))]
    pub fn new(
        store: Arc<dyn KeyStore>,
        options: IssuerOptions,
    ) -> Result<Arc<Self>, AuthJwtError> {
        let store = Arc::new(HostKeyStore::new(store));
        let inner = CoreIssuer::new(store, options.into_core()?)?;
        Ok(Arc::new(Issuer { inner }))
    }

    /// Signs a token whose claims are `payloadJson` (a JSON object) plus `iat`, `iss`, `aud`, `exp`.
    #[uniffi::method(default(overrides))]
    pub async fn sign(
        &self,
        payload_json: String,
        overrides: SignOverrides,
    ) -> Result<String, AuthJwtError> {
        let overrides = overrides.into_core()?;
        // A fresh cached key signs right here: a hop to a tokio worker and back (the wake-up
        // arrives through a JNA callback from that worker) costs more than the signature.
        if let Some(token) = self
            .inner
            .sign_json_if_no_await(&payload_json, &overrides)?
        {
            return Ok(token);
        }
        let issuer = self.inner.clone();
        off_thread(async move { issuer.sign_json(&payload_json, &overrides).await }).await
    }

    /// Signs with the key already loaded, without waiting; `ERR_STORE`-free fast path that fails
    /// if no key is loaded yet (call `sign` or `jwks` once first).
    #[uniffi::method(default(overrides))]
    pub fn sign_cached(
        &self,
        payload_json: String,
        overrides: SignOverrides,
    ) -> Result<String, AuthJwtError> {
        Ok(self
            .inner
            .sign_json_with_cached_key(&payload_json, &overrides.into_core()?)?)
    }

    /// Better Auth's `/token`: the payload is the user object (or `definePayload`), `sub` is
    /// `user.id` (or `getSubject`). `userJson` and `sessionJson` are JSON objects.
    #[uniffi::method(default(overrides))]
    pub async fn sign_session(
        &self,
        user_json: String,
        session_json: String,
        overrides: SignOverrides,
    ) -> Result<String, AuthJwtError> {
        let overrides = overrides.into_core()?;
        let user = Value::Object(config::json_object("userJson", &user_json)?);
        let session = Value::Object(config::json_object("sessionJson", &session_json)?);
        let issuer = self.inner.clone();
        off_thread(async move { issuer.sign_session(&user, &session, &overrides).await }).await
    }

    /// The published JWKS as JSON text (`{"keys":[...]}`, Better Auth's `/jwks` body); makes the
    /// first key when the store is empty.
    pub async fn jwks(&self) -> Result<String, AuthJwtError> {
        let issuer = self.inner.clone();
        let doc = off_thread(async move { issuer.jwks().await }).await?;
        Ok(doc.to_string())
    }

    /// The `Cache-Control` value to serve `jwks()` under: its `max-age` is at most half the
    /// rotation lead, so every cache holds a key before it starts signing.
    pub fn jwks_cache_control(&self) -> String {
        self.inner.jwks_cache_control()
    }

    /// Makes a new signing key that signs now, in every process, and returns its stored row;
    /// older keys stay published for the grace period. For emergencies: verifiers whose cached
    /// JWKS lacks the key refetch (see `rotateStaged`).
    pub async fn rotate(&self) -> Result<JwkRow, AuthJwtError> {
        let issuer = self.inner.clone();
        Ok(off_thread(async move { issuer.rotate().await })
            .await?
            .into())
    }

    /// Makes a new key that is published now and signs `rotationLead` from now, in every
    /// process; returns its stored row.
    pub async fn rotate_staged(&self) -> Result<JwkRow, AuthJwtError> {
        let issuer = self.inner.clone();
        Ok(off_thread(async move { issuer.rotate_staged().await })
            .await?
            .into())
    }

    /// Revokes the stored key `kid`: it leaves the JWKS at once (no grace period), verifies
    /// nothing and never signs again; if it was signing, the next live key (or a new one) takes
    /// over. Needs a store whose `supportsUpdate()` is true (`ERR_INVALID_CONFIG` otherwise);
    /// an unknown `kid` is `ERR_JWKS_NO_MATCHING_KEY`.
    pub async fn revoke(&self, kid: String) -> Result<(), AuthJwtError> {
        let issuer = self.inner.clone();
        off_thread(async move { issuer.revoke(&kid).await }).await
    }

    /// Verifies a token against this issuer's stored keys, its `issuer`/`audience` as defaults.
    #[uniffi::method(default(options))]
    pub async fn verify(
        &self,
        token: String,
        options: VerifyOptions,
    ) -> Result<VerifiedJwt, AuthJwtError> {
        let options = options.into_core()?;
        let issuer = self.inner.clone();
        let jwt = now_or_off_thread(async move { issuer.verify(&token, &options).await }).await?;
        Ok(jwt.into())
    }
}
