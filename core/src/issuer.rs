//! The [`Issuer`]: chooses, creates, caches and rotates the signing key through the host's
//! [`KeyStore`], signs tokens, publishes the JWKS and verifies its own tokens.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::alg::{Algorithm, KeyPairConfig};
use crate::claims::{Audience, ExpirationTime};
use crate::clock::{Clock, SystemClock};
use crate::error::{Result, StoreError};
use crate::events::EventSink;
use crate::seal::{PrivateKeyFormat, Secret};
use crate::store::{JwkRow, KeyStore};
use crate::verify::{VerifiedJwt, VerifyOptions};

/// A host-supplied signer (a KMS): receives the JWS signing input, returns the signature.
#[async_trait]
pub trait ExternalSigner: Send + Sync {
    /// Signs `signing_input`; ECDSA signatures must be in the JOSE form (r || s).
    async fn sign(&self, signing_input: Vec<u8>) -> std::result::Result<Vec<u8>, StoreError>;
}

/// Options of an external signer, as Better Auth's `jwt.sign` + `jwks.remoteUrl`.
#[derive(Clone)]
pub struct ExternalSignerConfig {
    /// The signing callback.
    pub signer: Arc<dyn ExternalSigner>,
    /// The algorithm it signs with.
    pub alg: Algorithm,
    /// The kid put in the header.
    pub kid: String,
}

/// Host hooks for session tokens: Better Auth's `definePayload` and `getSubject`.
#[async_trait]
pub trait SessionHooks: Send + Sync {
    /// The payload for `{user, session}`; `None` = the default (the whole user object).
    async fn define_payload(
        &self,
        user: &Value,
        session: &Value,
    ) -> std::result::Result<Option<Map<String, Value>>, StoreError>;

    /// The subject for `{user, session}`; `None` = the default (`user.id`).
    async fn get_subject(
        &self,
        user: &Value,
        session: &Value,
    ) -> std::result::Result<Option<String>, StoreError>;
}

/// Issuer options, with Better Auth's names and defaults. Durations are seconds.
#[derive(Clone)]
pub struct IssuerOptions {
    /// Algorithm of new keys (default EdDSA/Ed25519).
    pub key_pair_config: KeyPairConfig,
    /// Further algorithms this issuer may sign with (`signingAlgorithm` override).
    pub key_pair_configs: Vec<KeyPairConfig>,
    /// Store private keys as plain JWK JSON.
    pub disable_private_key_encryption: bool,
    /// Secrets, newest first; required unless encryption is disabled.
    pub secrets: Vec<Secret>,
    /// Format of newly sealed private keys.
    pub private_key_format: PrivateKeyFormat,
    /// Age at which a key stops signing (`expires_at = created_at + interval`); none by default.
    pub rotation_interval: Option<i64>,
    /// How long a key stays published after `expires_at` (default 30 days).
    pub grace_period: i64,
    /// Default `iss`.
    pub issuer: Option<String>,
    /// Default `aud`.
    pub audience: Option<Audience>,
    /// Default `exp` (15 minutes).
    pub expiration_time: ExpirationTime,
    /// How long an opened signing key is used before the store is read again (default 300).
    pub key_cache_ttl: i64,
    /// Bound on each store call (default 10 s).
    pub store_timeout: Duration,
    /// Sign with a host callback instead of stored keys.
    pub external_signer: Option<ExternalSignerConfig>,
    /// JWKS URL published instead of the local set when an external signer is used.
    pub remote_url: Option<String>,
    /// `definePayload` / `getSubject`.
    pub session_hooks: Option<Arc<dyn SessionHooks>>,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Event sink.
    pub events: Option<Arc<dyn EventSink>>,
}

impl Default for IssuerOptions {
    fn default() -> Self {
        IssuerOptions {
            key_pair_config: KeyPairConfig::default(),
            key_pair_configs: Vec::new(),
            disable_private_key_encryption: false,
            secrets: Vec::new(),
            private_key_format: PrivateKeyFormat::default(),
            rotation_interval: None,
            grace_period: 30 * 24 * 3600,
            issuer: None,
            audience: None,
            expiration_time: ExpirationTime::default(),
            key_cache_ttl: 300,
            store_timeout: Duration::from_secs(10),
            external_signer: None,
            remote_url: None,
            session_hooks: None,
            clock: Arc::new(SystemClock),
            events: None,
        }
    }
}

/// Per-token overrides of `sign`.
#[derive(Debug, Clone, Default)]
pub struct SignOverrides {
    /// `exp` for this token.
    pub expiration_time: Option<ExpirationTime>,
    /// `iss` for this token.
    pub issuer: Option<String>,
    /// `aud` for this token.
    pub audience: Option<Audience>,
    /// `sub` for this token.
    pub subject: Option<String>,
    /// `typ` header.
    pub typ: Option<String>,
    /// Sign with this stored key (must exist and be of the chosen algorithm).
    pub signing_key_id: Option<String>,
    /// Sign with this configured algorithm.
    pub signing_algorithm: Option<Algorithm>,
}

/// The JWT issuer. Cheap to clone; clones share keys, cache and store.
#[derive(Clone)]
pub struct Issuer {
    _todo: Arc<()>,
}

impl Issuer {
    /// Builds an issuer; a configuration that cannot work is `ERR_INVALID_CONFIG` now.
    pub fn new(store: Arc<dyn KeyStore>, options: IssuerOptions) -> Result<Issuer> {
        let _ = (store, options);
        todo!()
    }

    /// Signs a token with `payload` claims plus `iat`, `iss`, `aud`, `exp`, `sub`.
    pub async fn sign(
        &self,
        payload: Map<String, Value>,
        overrides: &SignOverrides,
    ) -> Result<String> {
        todo!("{payload:?} {overrides:?}")
    }

    /// [`Issuer::sign`] with the payload as JSON text (a JSON object).
    pub async fn sign_json(&self, payload_json: &str, overrides: &SignOverrides) -> Result<String> {
        todo!("{} {overrides:?}", payload_json.len())
    }

    /// Signs with the cached key without awaiting anything; fails if no usable key is loaded yet.
    pub fn sign_cached_json(
        &self,
        payload_json: &str,
        overrides: &SignOverrides,
    ) -> Result<String> {
        todo!("{} {overrides:?}", payload_json.len())
    }

    /// Better Auth's `/token`: payload from the user (or `definePayload`), `sub` = `user.id` (or
    /// `getSubject`).
    pub async fn sign_session(
        &self,
        user: &Value,
        session: &Value,
        overrides: &SignOverrides,
    ) -> Result<String> {
        todo!("{user} {session} {overrides:?}")
    }

    /// The published JWKS body (`{"keys":[...]}`); creates the first key when the store is empty.
    pub async fn jwks(&self) -> Result<Value> {
        todo!()
    }

    /// Creates a new signing key now and returns its row.
    pub async fn rotate(&self) -> Result<JwkRow> {
        todo!()
    }

    /// Verifies a token against this issuer's stored keys, with its `iss`/`aud` as defaults.
    pub async fn verify(&self, token: &str, options: &VerifyOptions) -> Result<VerifiedJwt> {
        todo!("{} {options:?}", token.len())
    }
}
