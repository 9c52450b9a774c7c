//! The [`Issuer`]: chooses, creates, caches and rotates the signing key through the host's
//! [`KeyStore`], signs tokens, publishes the JWKS and verifies its own tokens.
//!
//! Claims follow Better Auth's `signJWT`: the payload's own `iat`, `exp`, `iss`, `aud` and `sub`
//! win; per-call [`SignOverrides`] and then [`IssuerOptions`] fill in what the payload lacks; an
//! issuer or audience configured nowhere is not set (Better Auth falls back to its `baseURL`,
//! which authjwt does not have).
//!
//! Parts: `keys` (key cache, opening, creation), `rotation` (which row signs, the next key ahead,
//! retiring and revoking), `published` (JWKS and verification over all rows), `payload` (claims),
//! `external` (a host signer), `store_io` (timeouts on host calls).

mod external;
mod keys;
mod payload;
mod payload_text;
mod published;
mod rotation;
mod store_io;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::alg::{Algorithm, KeyPairConfig};
use crate::claims::{Audience, ExpirationTime};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result, StoreError};
use crate::events::{Emitter, Event, EventSink};
use crate::seal::{PrivateKeyFormat, Sealer, Secret};
use crate::store::{JwkRow, KeyStore};
use crate::verify::{VerifiedJwt, VerifyOptions};

use keys::{check_pinned_alg, LoadedKey, Slot};
use payload::ClaimDefaults;
use published::Snapshot;
use store_io::StoreIo;

pub use external::{ExternalSigner, ExternalSignerConfig, MessageType, OptionCase, SignRequest};

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
    /// Secrets, newest first; required unless encryption is disabled. The first (the one new
    /// keys are sealed with) must have at least [`crate::seal::MIN_SECRET_CHARS`] characters.
    pub secrets: Vec<Secret>,
    /// Seal new keys with a secret shorter than [`crate::seal::MIN_SECRET_CHARS`] characters
    /// (`allowWeakSecret` / `allow_weak_secret`; default false: such a secret is
    /// `ERR_INVALID_CONFIG`). A leaked key table is then only as safe as that short secret.
    pub allow_weak_secret: bool,
    /// Format of newly sealed private keys.
    pub private_key_format: PrivateKeyFormat,
    /// Age at which a key stops signing (`expires_at = created_at + interval`); none by default.
    pub rotation_interval: Option<i64>,
    /// How long a new key is published before any process signs with it (`rotationLead`,
    /// seconds). `None` = the default: [`DEFAULT_ROTATION_LEAD_S`], at most half of
    /// `rotation_interval`. Must be less than `rotation_interval`.
    pub rotation_lead: Option<i64>,
    /// How long a key stays published after `expires_at` (default 30 days).
    pub grace_period: i64,
    /// Default `iss`.
    pub issuer: Option<String>,
    /// Default `aud`.
    pub audience: Option<Audience>,
    /// Default `exp` (15 minutes).
    pub expiration_time: ExpirationTime,
    /// How long an opened signing key is used before the store is read again (default 300; at
    /// most a quarter of the rotation lead, so every process sees a staged key or a revocation
    /// well within the lead).
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
            allow_weak_secret: false,
            private_key_format: PrivateKeyFormat::default(),
            rotation_interval: None,
            rotation_lead: None,
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
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("alg", &self.inner.default_alg)
            .field("issuer", &self.inner.issuer)
            .finish_non_exhaustive()
    }
}

/// Everything clones of an [`Issuer`] share.
struct Inner {
    io: StoreIo,
    sealer: Sealer,
    /// One per configured algorithm; index 0 is `key_pair_config`.
    slots: Vec<Slot>,
    /// Keys opened for a pinned `signingKeyId`.
    pinned: RwLock<HashMap<String, Arc<LoadedKey>>>,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    snapshot_refresh: tokio::sync::Mutex<()>,
    default_alg: Algorithm,
    key_cache_ttl_ms: i64,
    rotation_interval_ms: Option<i64>,
    rotation_lead_ms: i64,
    grace_period_s: i64,
    issuer: Option<String>,
    audience: Option<Audience>,
    expiration_time: ExpirationTime,
    external: Option<external::ExternalSigning>,
    remote: Option<external::RemotePublished>,
    hooks: Option<Arc<dyn SessionHooks>>,
    clock: Arc<dyn Clock>,
    events: Emitter,
}

impl Issuer {
    /// Builds an issuer; a configuration that cannot work is `ERR_INVALID_CONFIG` now (Better
    /// Auth only fails at the first token).
    pub fn new(store: Arc<dyn KeyStore>, options: IssuerOptions) -> Result<Issuer> {
        // An external signer keeps its key elsewhere: nothing is sealed, so no secret is needed.
        let seals_keys =
            !options.disable_private_key_encryption && options.external_signer.is_none();
        let sealer = Sealer::new(options.secrets, options.private_key_format, seals_keys)?;
        sealer.check_sealing_secret(options.allow_weak_secret)?;
        let configs = distinct_configs(options.key_pair_config, &options.key_pair_configs)?;
        let remote = options
            .remote_url
            .filter(|u| !u.is_empty())
            .map(|url| external::RemotePublished::new(url, options.events.clone()))
            .transpose()?;
        let external = options
            .external_signer
            .map(|config| external::ExternalSigning::new(config, remote.as_ref()))
            .transpose()?;
        let rotation_interval_ms = match options.rotation_interval {
            Some(s) if s <= 0 => {
                return Err(Error::InvalidConfig(format!(
                    "rotationInterval must be a positive number of seconds, not {s}"
                )))
            }
            Some(s) => Some(seconds_to_ms(s)),
            None => None,
        };
        for (name, value) in [
            ("gracePeriod", options.grace_period),
            ("keyCacheTtl", options.key_cache_ttl),
        ] {
            if value < 0 {
                return Err(Error::InvalidConfig(format!(
                    "{name} must be zero or more seconds, not {value}"
                )));
            }
        }
        let rotation_lead_s =
            rotation_lead_seconds(options.rotation_lead, options.rotation_interval)?;
        let rotation_lead_ms = seconds_to_ms(rotation_lead_s);
        // Rows are read again within a quarter of the lead: a key another process stored ahead
        // is published here, and a revocation seen, long before the lead ends.
        let mut key_cache_ttl_ms = seconds_to_ms(options.key_cache_ttl);
        if rotation_lead_ms > 0 {
            key_cache_ttl_ms = key_cache_ttl_ms.min(rotation_lead_ms / 4);
        }
        if options.store_timeout.is_zero() {
            return Err(Error::InvalidConfig(
                "storeTimeout must be more than zero".to_owned(),
            ));
        }
        let inner = Inner {
            io: StoreIo {
                store,
                timeout: options.store_timeout,
            },
            sealer,
            default_alg: options.key_pair_config.alg,
            slots: configs.into_iter().map(Slot::new).collect(),
            pinned: RwLock::new(HashMap::new()),
            snapshot: RwLock::new(None),
            snapshot_refresh: tokio::sync::Mutex::new(()),
            key_cache_ttl_ms,
            rotation_interval_ms,
            rotation_lead_ms,
            grace_period_s: options.grace_period,
            issuer: options.issuer,
            audience: options.audience,
            expiration_time: options.expiration_time,
            external,
            remote,
            hooks: options.session_hooks,
            clock: options.clock,
            events: Emitter::new(options.events),
        };
        Ok(Issuer {
            inner: Arc::new(inner),
        })
    }

    /// Signs a token with `payload` claims plus `iat`, `iss`, `aud`, `exp`, `sub`.
    pub async fn sign(
        &self,
        mut payload: Map<String, Value>,
        overrides: &SignOverrides,
    ) -> Result<String> {
        let inner = &self.inner;
        if let Some(ext) = &inner.external {
            return inner.sign_external(ext, payload, overrides).await;
        }
        let key = self.key_for(overrides).await?;
        inner.sign_with(&key, &mut payload, overrides)
    }

    /// [`Issuer::sign`] with the payload as JSON text (a JSON object).
    pub async fn sign_json(&self, payload_json: &str, overrides: &SignOverrides) -> Result<String> {
        let scanned = match &self.inner.external {
            Some(_) => None,
            None => payload_text::scan(payload_json),
        };
        let Some(scanned) = scanned else {
            return self
                .sign(payload::parse_payload(payload_json)?, overrides)
                .await;
        };
        let key = self.key_for(overrides).await?;
        self.inner.sign_text(&key, &scanned, overrides)
    }

    /// The stored key `sign` uses for these overrides (pinned or the algorithm's slot).
    async fn key_for(&self, overrides: &SignOverrides) -> Result<Arc<LoadedKey>> {
        let inner = &self.inner;
        match &overrides.signing_key_id {
            Some(kid) => inner.pinned_key(kid, overrides.signing_algorithm).await,
            None => {
                let index = inner.slot_index(overrides.signing_algorithm)?;
                let key = inner.signing_key(index).await?;
                self.prepare_in_background(index, &key);
                Ok(key)
            }
        }
    }

    /// Signs with the cached key without awaiting anything; fails with `ERR_INVALID_CONFIG` if no
    /// usable key is loaded yet (call [`Issuer::sign`], [`Issuer::jwks`] or
    /// [`Issuer::load_signing_key`] first) or the cached key is past its `expires_at`. A key older
    /// than `keyCacheTtl` is still used (it is in the store and live) while a refresh runs in the
    /// background when a tokio runtime is at hand: a synchronous caller cannot wait for the store.
    pub fn sign_json_with_cached_key(
        &self,
        payload_json: &str,
        overrides: &SignOverrides,
    ) -> Result<String> {
        match self.sign_from_cache(payload_json, overrides, WhenStale::RefreshInBackground)? {
            Some(token) => Ok(token),
            // Unreachable: in this mode every miss is an error; kept total rather than panicking.
            None => Err(not_loaded("signing key")),
        }
    }

    /// [`Issuer::sign_json`]'s answer when it needs no await: the token when the cached key is
    /// fresh (younger than `keyCacheTtl` and not past `expires_at`), `None` when `sign_json` has
    /// to read the store (or an external signer signs). Errors are the ones `sign_json` reports
    /// for the same payload and overrides. Hosts call this before going asynchronous, so their
    /// `sign` follows exactly the core's caching policy without a thread hop on the hot path.
    pub fn sign_json_if_no_await(
        &self,
        payload_json: &str,
        overrides: &SignOverrides,
    ) -> Result<Option<String>> {
        self.sign_from_cache(payload_json, overrides, WhenStale::LeaveToStore)
    }

    /// The shared body of [`Issuer::sign_json_with_cached_key`] and
    /// [`Issuer::sign_json_if_no_await`]: signs with a cached key, never awaiting; what a missing
    /// or stale key means is `when_stale`'s.
    fn sign_from_cache(
        &self,
        payload_json: &str,
        overrides: &SignOverrides,
        when_stale: WhenStale,
    ) -> Result<Option<String>> {
        let inner = &self.inner;
        let lenient = when_stale == WhenStale::RefreshInBackground;
        if inner.external.is_some() {
            return if lenient {
                Err(Error::InvalidConfig(
                    "an external signer is asynchronous: use sign(), not the synchronous path"
                        .to_owned(),
                ))
            } else {
                Ok(None)
            };
        }
        // The text path when the payload is plain JSON; the `Map` path reports errors.
        let scanned = payload_text::scan(payload_json);
        let mut payload = match scanned {
            Some(_) => Map::new(),
            None => payload::parse_payload(payload_json)?,
        };
        let now = inner.clock.now_ms();
        let ttl = inner.key_cache_ttl_ms;
        let key = match &overrides.signing_key_id {
            Some(kid) => {
                let cached = inner.cached_pinned(kid, now).filter(|k| k.usable_at(now));
                let key = match cached {
                    Some(k) if lenient || k.fresh_at(now, ttl) => k,
                    _ if lenient => return Err(not_loaded(&format!("key {kid}"))),
                    _ => return Ok(None),
                };
                check_pinned_alg(&key, overrides.signing_algorithm)?;
                key
            }
            None => {
                let index = inner.slot_index(overrides.signing_algorithm)?;
                let slot = inner.slot(index)?;
                let key = match slot.cached() {
                    Some(k) if k.fresh_at(now, ttl) => k,
                    Some(_) | None if !lenient => return Ok(None),
                    None => return Err(not_loaded(&format!("{} key", slot.config.alg))),
                    Some(k) if !k.usable_at(now) => {
                        return Err(Error::InvalidConfig(format!(
                            "the cached signing key {} no longer signs (past its expires_at or \
                             replaced by the next key); call sign() to load the next key",
                            k.kid
                        )))
                    }
                    Some(k) => {
                        self.refresh_in_background(index);
                        k
                    }
                };
                self.prepare_in_background(index, &key);
                key
            }
        };
        match &scanned {
            Some(text) => inner.sign_text(&key, text, overrides),
            None => inner.sign_with(&key, &mut payload, overrides),
        }
        .map(Some)
    }

    /// Loads (or creates) the signing key of `alg` (default: `keyPairConfig.alg`) into the cache,
    /// refreshing it if stale, and returns its kid; afterwards
    /// [`Issuer::sign_json_with_cached_key`] works.
    pub async fn load_signing_key(&self, alg: Option<Algorithm>) -> Result<String> {
        let index = self.inner.slot_index(alg)?;
        Ok(self.inner.signing_key(index).await?.kid.clone())
    }

    /// Better Auth's `/token`: payload from the user (or `definePayload`), `sub` = `user.id` (or
    /// `getSubject`; an explicit `overrides.subject` comes first). Hook failures are `ERR_STORE`
    /// with the host's error kept, the operation named `define_payload` / `get_subject`.
    pub async fn sign_session(
        &self,
        user: &Value,
        session: &Value,
        overrides: &SignOverrides,
    ) -> Result<String> {
        let inner = &self.inner;
        let (defined, subject) = match &inner.hooks {
            Some(hooks) => {
                let defined = inner
                    .io
                    .bounded("define_payload", hooks.define_payload(user, session))
                    .await?;
                let subject = match &overrides.subject {
                    Some(s) => Some(s.clone()),
                    None => {
                        inner
                            .io
                            .bounded("get_subject", hooks.get_subject(user, session))
                            .await?
                    }
                };
                (defined, subject)
            }
            None => (None, overrides.subject.clone()),
        };
        let payload = payload::session_payload(user, defined, subject)?;
        self.sign(payload, overrides).await
    }

    /// The published JWKS body (`{"keys":[...]}`); creates the first key when the store is empty.
    /// With `remote_url` (an external signer) the keys live there: its body as fetched, through the
    /// same cache that checks the signer's tokens.
    pub async fn jwks(&self) -> Result<Value> {
        if let Some(remote) = &self.inner.remote {
            return remote.jwks().await;
        }
        self.inner.published_jwks().await
    }

    /// Creates a new signing key that signs now, in every process (an emergency: verifiers whose
    /// cached JWKS lacks it refetch), and returns its row. Its `created_at` is dated `rotationLead`
    /// back so the rotation rule chooses it at once from the rows alone. Every other live key of
    /// the algorithm is retired now (`update_jwk`: `expires_at` = now, published for the grace
    /// period after); without that callback they stay published until their own `expires_at` +
    /// `gracePeriod` (for ever without one), as a `key.retirement_unrecorded` event says.
    pub async fn rotate(&self) -> Result<JwkRow> {
        self.check_stored_keys("rotate()")?;
        self.inner.rotate_primary(false).await
    }

    /// A staged rotation: creates a key that is published now and signs `rotationLead` from now,
    /// in every process, and returns its row. The keys it replaces are retired at that switch
    /// (as [`Issuer::rotate`] says).
    pub async fn rotate_staged(&self) -> Result<JwkRow> {
        self.check_stored_keys("rotate({ staged })")?;
        self.inner.rotate_primary(true).await
    }

    /// Revokes the stored key `kid`: it leaves the JWKS at once (no grace period), verifies no
    /// token and never signs again; if it was signing, the next live key (or a new one) takes
    /// over at the next `sign`. Other processes see it when they next read the store (within
    /// `keyCacheTtl`, at most a quarter of the lead). Needs the store's `update_jwk` callback,
    /// else `ERR_INVALID_CONFIG`; an unknown kid is `ERR_JWKS_NO_MATCHING_KEY`.
    pub async fn revoke(&self, kid: &str) -> Result<()> {
        self.check_stored_keys("revoke()")?;
        self.inner.revoke(kid).await
    }

    /// Prepares the next key of scheduled rotation now, if due (within `rotationLead` of the
    /// current key's `expires_at`): stores it (or adopts the one another process stored) and
    /// opens it, so the switch costs no request anything. `sign` starts this in the background by
    /// itself; hosts without a runtime in the background, and tests, call it. Returns the next
    /// key's row, or `None` when nothing is due.
    pub async fn prepare_next_key(&self) -> Result<Option<JwkRow>> {
        self.check_stored_keys("prepare_next_key()")?;
        self.inner.prepare_next_reporting(0).await
    }

    /// The `Cache-Control` value to serve `jwks()` under: `max-age` at most half the rotation
    /// lead (and at most 300 s), `stale-while-revalidate` at most a tenth of it (and at most
    /// 60 s), so every cache holds a fresh copy before a published key starts signing.
    pub fn jwks_cache_control(&self) -> String {
        let lead_s = self.inner.rotation_lead_ms / 1000;
        let max_age = (lead_s / 2).min(JWKS_MAX_AGE_S);
        let stale = (lead_s / 10).min(JWKS_STALE_WHILE_REVALIDATE_S);
        format!("public, max-age={max_age}, stale-while-revalidate={stale}")
    }

    /// The rotation lead in seconds (`rotationLead`, or its default).
    pub fn rotation_lead(&self) -> i64 {
        self.inner.rotation_lead_ms / 1000
    }

    fn check_stored_keys(&self, operation: &str) -> Result<()> {
        if self.inner.external.is_some() {
            return Err(Error::InvalidConfig(format!(
                "an external signer's keys rotate in the KMS: create a new key version there, \
                 publish it at remote_url, then sign with its kid (a kid callback picks it up \
                 without a restart); {operation} only works on stored keys"
            )));
        }
        Ok(())
    }

    /// Verifies a token against this issuer's stored keys, with its `iss`/`aud` as defaults.
    pub async fn verify(&self, token: &str, options: &VerifyOptions) -> Result<VerifiedJwt> {
        let result = self.inner.verify_own(token, options).await;
        match &result {
            Ok(v) => self.inner.events.emit_token_event(|| Event::TokenVerified {
                kid: v
                    .protected_header
                    .get("kid")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                alg: v
                    .protected_header
                    .get("alg")
                    .and_then(Value::as_str)
                    .and_then(Algorithm::from_name)
                    .map_or("unknown", Algorithm::name),
            }),
            Err(e) => {
                let code = e.code();
                self.inner
                    .events
                    .emit_token_event(|| Event::TokenRejected { code });
            }
        }
        result
    }

    /// The JWKS URL published instead of local keys, when configured.
    pub fn remote_url(&self) -> Option<&str> {
        self.inner
            .remote
            .as_ref()
            .map(external::RemotePublished::url)
    }

    /// Starts [`Issuer::prepare_next_key`] for slot `index` on the runtime at hand once `key` is
    /// within the lead of its `expires_at`; one at a time, after the backoff of a failed one.
    /// `sign` goes on with `key` meanwhile.
    fn prepare_in_background(&self, index: usize, key: &LoadedKey) {
        let inner = &self.inner;
        let Some(at) = key.prepare_at(inner.rotation_lead_ms) else {
            return;
        };
        let now = inner.clock.now_ms();
        if inner.rotation_interval_ms.is_none() || now < at || key.next_is_prepared() {
            return;
        }
        let Ok(slot) = inner.slot(index) else {
            return;
        };
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if !slot.claim_prepare(now) {
            return;
        }
        let me = self.clone();
        handle.spawn(async move {
            // Failures are reported as events and retried after the backoff.
            let _ = me.inner.prepare_next_reporting(index).await;
            if let Ok(slot) = me.inner.slot(index) {
                slot.release_prepare();
            }
        });
    }

    fn refresh_in_background(&self, index: usize) {
        let Ok(slot) = self.inner.slot(index) else {
            return;
        };
        if !slot.claim_background() {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                let me = self.clone();
                handle.spawn(async move {
                    // A failure is left for the next async sign() to report.
                    let _ = me.inner.signing_key(index).await;
                    if let Ok(slot) = me.inner.slot(index) {
                        slot.release_background();
                    }
                });
            }
            Err(_) => slot.release_background(),
        }
    }
}

impl Inner {
    fn slot(&self, index: usize) -> Result<&Slot> {
        self.slots
            .get(index)
            .ok_or_else(|| Error::InvalidConfig("no such signing algorithm slot".to_owned()))
    }

    /// The slot of `alg` (default: the primary one); an algorithm not configured is an error.
    fn slot_index(&self, alg: Option<Algorithm>) -> Result<usize> {
        let Some(alg) = alg else {
            return Ok(0);
        };
        self.slots
            .iter()
            .position(|s| s.config.alg == alg)
            .ok_or_else(|| {
                let configured: Vec<&str> =
                    self.slots.iter().map(|s| s.config.alg.name()).collect();
                Error::InvalidConfig(format!(
                    "signingAlgorithm {alg} is not configured; add it to keyPairConfigs \
                     (configured: {})",
                    configured.join(", ")
                ))
            })
    }

    fn claim_defaults<'a>(&'a self, overrides: &'a SignOverrides) -> ClaimDefaults<'a> {
        ClaimDefaults {
            issuer: overrides.issuer.as_deref().or(self.issuer.as_deref()),
            audience: overrides.audience.as_ref().or(self.audience.as_ref()),
            expiration: overrides
                .expiration_time
                .as_ref()
                .unwrap_or(&self.expiration_time),
            subject: overrides.subject.as_deref(),
        }
    }

    fn sign_with(
        &self,
        key: &LoadedKey,
        payload: &mut Map<String, Value>,
        overrides: &SignOverrides,
    ) -> Result<String> {
        payload::complete_claims(payload, self.clock.now_s(), &self.claim_defaults(overrides))?;
        let json = serde_json::to_vec(payload)
            .map_err(|_| Error::JwtInvalid("the payload cannot be serialized".to_owned()))?;
        self.encode(key, &json, overrides)
    }

    /// [`Inner::sign_with`] for a payload scanned from JSON text: no `Map`, no re-serialization.
    fn sign_text(
        &self,
        key: &LoadedKey,
        payload: &payload_text::ScannedPayload<'_>,
        overrides: &SignOverrides,
    ) -> Result<String> {
        let json = payload.complete(self.clock.now_s(), &self.claim_defaults(overrides))?;
        self.encode(key, json.as_bytes(), overrides)
    }

    /// Signs the finished claims JSON under the key's header (or one with the `typ` override).
    fn encode(&self, key: &LoadedKey, json: &[u8], overrides: &SignOverrides) -> Result<String> {
        let token = match overrides.typ.as_deref() {
            None => crate::jws::encode_with_header(&key.key, &key.header, json)?,
            Some(typ) => crate::jws::encode_compact(&key.key, &key.kid, Some(typ), json)?,
        };
        self.events.emit_token_event(|| Event::TokenIssued {
            kid: key.kid.clone(),
            alg: key.alg.name(),
        });
        Ok(token)
    }
}

/// `key_pair_config` first, then the extra configs; an extra identical to an earlier one is
/// dropped, two different configs for one algorithm are `ERR_INVALID_CONFIG`.
fn distinct_configs(primary: KeyPairConfig, extra: &[KeyPairConfig]) -> Result<Vec<KeyPairConfig>> {
    let mut out = vec![primary];
    for c in extra {
        match out.iter().find(|o| o.alg == c.alg) {
            Some(o) if o == c => {}
            Some(_) => {
                return Err(Error::InvalidConfig(format!(
                    "keyPairConfigs has two different configurations for {}",
                    c.alg
                )))
            }
            None => out.push(*c),
        }
    }
    Ok(out)
}

/// The default rotation lead: twice the JWKS max-age served (300 s), so a verifier's cache is
/// refreshed at least once while a new key is published and before it signs.
pub const DEFAULT_ROTATION_LEAD_S: i64 = 600;
const JWKS_MAX_AGE_S: i64 = 300;
const JWKS_STALE_WHILE_REVALIDATE_S: i64 = 60;

/// `rotationLead` checked against `rotationInterval`: zero or more seconds, less than the
/// interval; the default is [`DEFAULT_ROTATION_LEAD_S`], at most half the interval.
fn rotation_lead_seconds(lead: Option<i64>, interval: Option<i64>) -> Result<i64> {
    match (lead, interval) {
        (Some(l), _) if l < 0 => Err(Error::InvalidConfig(format!(
            "rotationLead must be zero or more seconds, not {l}"
        ))),
        (Some(l), Some(i)) if l >= i => Err(Error::InvalidConfig(format!(
            "rotationLead ({l} s) must be less than rotationInterval ({i} s): the next key is \
             published that long before the current one expires"
        ))),
        (Some(l), _) => Ok(l),
        (None, Some(i)) => Ok(DEFAULT_ROTATION_LEAD_S.min(i / 2)),
        (None, None) => Ok(DEFAULT_ROTATION_LEAD_S),
    }
}

fn seconds_to_ms(s: i64) -> i64 {
    s.saturating_mul(1000)
}

/// What [`Issuer::sign_from_cache`] does with a key older than `keyCacheTtl` (or none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WhenStale {
    /// Sign with it while it is live and refresh in the background; no key is an error.
    RefreshInBackground,
    /// Answer `None`: the caller reads the store (`sign_json`).
    LeaveToStore,
}

fn not_loaded(what: &str) -> Error {
    Error::InvalidConfig(format!(
        "no usable {what} is loaded yet: call sign(), jwks() or load_signing_key() once before \
         signing synchronously"
    ))
}
