//! Option records with Better Auth's names (camelCase in Kotlin and Swift) and defaults, and their
//! conversion to the core's options. Durations are seconds, as in Better Auth.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use authjwt_core::alg::{Algorithm, KeyPairConfig as CoreKeyPairConfig};
use authjwt_core::claims::ExpirationTime;
use authjwt_core::config;
use authjwt_core::issuer::{
    ExternalSignerConfig as CoreExternalSignerConfig, IssuerOptions as CoreIssuerOptions,
    OptionCase, SignOverrides as CoreSignOverrides,
};
use authjwt_core::remote::{RemoteJwksOptions, RequestHeaders};
use authjwt_core::seal::{PrivateKeyFormat as CorePrivateKeyFormat, Secret as CoreSecret};
use authjwt_core::verify::VerifyOptions as CoreVerifyOptions;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::error::AuthJwtError;
use crate::hooks::{
    EventListener, ExternalSignerConfig, HostEvents, HostSessionHooks, HostSigner, SessionHooks,
};
use crate::store::time_to_s;

/// How keys are generated: Better Auth's `keyPairConfig` (`{ alg, crv?, modulusLength? }`).
#[derive(Debug, Clone, uniffi::Record)]
pub struct KeyPairConfig {
    /// `EdDSA` (default), `Ed25519`, `ES256`, `ES384`, `ES512`, `RS256`, `RS384`, `RS512`,
    /// `PS256`, `PS384`, `PS512`.
    #[uniffi(default = "EdDSA")]
    pub alg: String,
    /// The curve, if given it must fit `alg`.
    #[uniffi(default = None)]
    pub crv: Option<String>,
    /// RSA modulus length in bits (RSA only; default 2048, at least 2048).
    #[uniffi(default = None)]
    pub modulus_length: Option<u32>,
}

/// The format new private keys are sealed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PrivateKeyFormat {
    /// AES-256-GCM bound to the public key, under an HKDF key when the secret is 32+ random bytes
    /// in hex or base64, else a PBKDF2 key (the default).
    AuthjwtV2,
    /// AES-256-GCM with a PBKDF2 key whatever the secret, bound to the public key.
    AuthjwtV1,
    /// Better Auth 1.x's XChaCha20-Poly1305 format, for a table shared with a Better Auth server.
    BetterAuth,
}

/// One secret; `version` labels Better Auth's versioned secrets (`$ba$<version>$...`).
#[derive(Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Secret {
    /// The secret text.
    pub value: String,
    /// The version label, for versioned secrets.
    #[uniffi(default = None)]
    pub version: Option<String>,
}

/// Issuer options, Better Auth's `jwt` plugin options with its defaults.
#[derive(Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct IssuerOptions {
    /// The secret that seals private keys (Better Auth's `secret`); required unless
    /// `disablePrivateKeyEncryption`.
    #[uniffi(default = None)]
    pub secret: Option<String>,
    /// Further secrets, newest first, tried after `secret` when opening keys (secret rotation,
    /// Better Auth's versioned `secrets`). New keys are sealed with the first secret overall.
    #[uniffi(default = [])]
    pub secrets: Vec<Secret>,
    /// Algorithm of new keys (default EdDSA over Ed25519).
    #[uniffi(default)]
    pub key_pair_config: KeyPairConfig,
    /// Further algorithms `signingAlgorithm` may pick.
    #[uniffi(default = [])]
    pub key_pair_configs: Vec<KeyPairConfig>,
    /// Store private keys as plain JWK JSON.
    #[uniffi(default = false)]
    pub disable_private_key_encryption: bool,
    /// Seal new keys with a secret shorter than 32 characters (default false: such a secret is
    /// `ERR_INVALID_CONFIG`). A leaked key table is then only as safe as that short secret.
    #[uniffi(default = false)]
    pub allow_weak_secret: bool,
    /// Format of newly sealed private keys; `null`/`nil` = `AUTHJWT_V2`.
    #[uniffi(default = None)]
    pub private_key_format: Option<PrivateKeyFormat>,
    /// Seconds after which a key stops signing and the next one is made; none by default.
    #[uniffi(default = None)]
    pub rotation_interval: Option<i64>,
    /// Seconds a new key is published before it signs (scheduled rotation prepares the next key
    /// this long before the current one expires); none = the core's default (600 s, at most half
    /// of `rotationInterval`).
    #[uniffi(default = None)]
    pub rotation_lead: Option<i64>,
    /// Seconds a key stays published after it stops signing (default 30 days).
    #[uniffi(default = 2592000)]
    pub grace_period: i64,
    /// Default `iss`.
    #[uniffi(default = None)]
    pub issuer: Option<String>,
    /// Default `aud`: empty = none, one = a string, several = an array.
    #[uniffi(default = [])]
    pub audience: Vec<String>,
    /// Default lifetime, Better Auth's grammar (`"15m"`, `"2 hours"`, `"1d"`).
    #[uniffi(default = "15m")]
    pub expiration_time: String,
    /// Seconds an opened signing key is used before the store is read again (default 300).
    #[uniffi(default = 300)]
    pub key_cache_ttl: i64,
    /// Seconds a store call may take before the operation fails with `ERR_STORE` (default 10).
    #[uniffi(default = 10.0)]
    pub store_timeout: f64,
    /// Better Auth's `definePayload` / `getSubject` for `signSession`.
    #[uniffi(default = None)]
    pub session_hooks: Option<Arc<dyn SessionHooks>>,
    /// Sign with a key the host keeps (Android Keystore, Secure Enclave, KMS) instead of stored
    /// keys, as Better Auth's `jwt.sign`; needs `remoteUrl`.
    #[uniffi(default = None)]
    pub external_signer: Option<ExternalSignerConfig>,
    /// Where the external signer's JWKS is published (Better Auth's `jwks.remoteUrl`); `jwks()`
    /// then refuses and points there.
    #[uniffi(default = None)]
    pub remote_url: Option<String>,
    /// Receives monitoring events.
    #[uniffi(default = None)]
    pub events: Option<Arc<dyn EventListener>>,
}

/// Per-token overrides of `sign` (Better Auth's `signJWT` options).
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct SignOverrides {
    /// Lifetime of this token in the span grammar (`"5m"`).
    #[uniffi(default = None)]
    pub expiration_time: Option<String>,
    /// Absolute expiry of this token (wins over `expirationTime`).
    #[uniffi(default = None)]
    pub expires_at: Option<SystemTime>,
    /// `iss` of this token.
    #[uniffi(default = None)]
    pub issuer: Option<String>,
    /// `aud` of this token (one = a string, several = an array); `null` = the issuer's.
    #[uniffi(default = None)]
    pub audience: Option<Vec<String>>,
    /// `sub` of this token.
    #[uniffi(default = None)]
    pub subject: Option<String>,
    /// `typ` header.
    #[uniffi(default = None)]
    pub typ: Option<String>,
    /// Sign with this stored key (it must exist and fit the algorithm).
    #[uniffi(default = None)]
    pub signing_key_id: Option<String>,
    /// Sign with this configured algorithm.
    #[uniffi(default = None)]
    pub signing_algorithm: Option<String>,
}

/// What a token must satisfy beyond its signature (jose's `jwtVerify` options). Times in seconds.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VerifyOptions {
    /// Allowed algorithms; `null` = the algorithms of the keys in the set.
    #[uniffi(default = None)]
    pub algorithms: Option<Vec<String>>,
    /// Accepted issuers (exact match); `null`/`nil` = not checked. An empty list is
    /// `ERR_INVALID_CONFIG`, never "not checked".
    #[uniffi(default = None)]
    pub issuer: Option<Vec<String>>,
    /// Accepted audiences; the token's `aud` must contain one. `null`/`nil` = not checked; an
    /// empty list is `ERR_INVALID_CONFIG`.
    #[uniffi(default = None)]
    pub audience: Option<Vec<String>>,
    /// Expected `sub`.
    #[uniffi(default = None)]
    pub subject: Option<String>,
    /// Expected `typ` header (`JWT` equals `application/jwt`).
    #[uniffi(default = None)]
    pub typ: Option<String>,
    /// Leeway in seconds for `exp`, `nbf` and `iat` (zero or more; negative is
    /// `ERR_INVALID_CONFIG`).
    #[uniffi(default = 0)]
    pub clock_tolerance: i64,
    /// Oldest accepted `iat`, as an age in seconds.
    #[uniffi(default = None)]
    pub max_token_age: Option<i64>,
    /// Claims that must be present; `null`/`nil` = none beyond the defaults, an empty list is
    /// `ERR_INVALID_CONFIG`.
    #[uniffi(default = None)]
    pub required_claims: Option<Vec<String>>,
    /// Require `exp` (default true).
    #[uniffi(default = true)]
    pub require_exp: bool,
    /// "Now" for the checks; `null` = the system clock.
    #[uniffi(default = None)]
    pub current_date: Option<SystemTime>,
    /// Largest accepted token in bytes; `null` = 16 KiB.
    #[uniffi(default = None)]
    pub max_token_size: Option<u32>,
}

/// Options of a remote key set (jose's `createRemoteJWKSet` names), in seconds. Kotlin's
/// `toString()` is the `Debug` below: it names the headers, never their values.
#[derive(Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct RemoteKeySetOptions {
    /// How long a fetched set is fresh when the server sends no `Cache-Control: max-age`
    /// (default 600).
    #[uniffi(default = 600.0)]
    pub cache_max_age: f64,
    /// The least lifetime the server's `max-age` can give the set (default 60).
    #[uniffi(default = 60.0)]
    pub cache_min_age: f64,
    /// The longest lifetime the server's `max-age` can give the set (default 3600).
    #[uniffi(default = 3600.0)]
    pub cache_max_age_limit: f64,
    /// How long past its lifetime the last good set keeps verifying while refreshes fail
    /// (default 86400, one day; 0 turns it off).
    #[uniffi(default = 86400.0)]
    pub stale_if_error: f64,
    /// Least time between two fetches caused by unknown kids (default 30).
    #[uniffi(default = 30.0)]
    pub cooldown_duration: f64,
    /// Bound on one fetch (default 5).
    #[uniffi(default = 5.0)]
    pub timeout_duration: f64,
    /// Largest accepted response body in bytes; `null` = the core's default.
    #[uniffi(default = None)]
    pub max_response_size: Option<u32>,
    /// Headers sent with every request (an API key); values never shown.
    #[uniffi(default = None)]
    pub headers: Option<HashMap<String, String>>,
    /// Accept plain `http` to any host, not only loopback (default false). For in-cluster names
    /// only: without TLS anyone on the path can swap the keys.
    #[uniffi(default = false)]
    pub allow_http: bool,
    /// Receives `jwks.fetched`, `jwks.not_modified`, `jwks.fetch_failed`, `jwks.stale`,
    /// `token.verified` and `token.rejected`.
    #[uniffi(default = None)]
    pub events: Option<Arc<dyn EventListener>>,
    /// Storage shared with the other key sets of a fleet (one fetch per refresh window for all);
    /// `null` = none.
    #[uniffi(default = None)]
    pub cache: Option<Arc<dyn crate::shared_cache::JwksCache>>,
}

impl std::fmt::Debug for RemoteKeySetOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteKeySetOptions")
            .field("cache_max_age", &self.cache_max_age)
            .field("cache_min_age", &self.cache_min_age)
            .field("cache_max_age_limit", &self.cache_max_age_limit)
            .field("stale_if_error", &self.stale_if_error)
            .field("cooldown_duration", &self.cooldown_duration)
            .field("timeout_duration", &self.timeout_duration)
            .field("max_response_size", &self.max_response_size)
            .field(
                "headers",
                &self.headers.as_ref().map(|h| h.keys().collect::<Vec<_>>()),
            )
            .field("allow_http", &self.allow_http)
            .field("events", &self.events.is_some())
            .field("cache", &self.cache.is_some())
            .finish()
    }
}

impl Default for KeyPairConfig {
    fn default() -> Self {
        KeyPairConfig {
            alg: "EdDSA".to_owned(),
            crv: None,
            modulus_length: None,
        }
    }
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            algorithms: None,
            issuer: None,
            audience: None,
            subject: None,
            typ: None,
            clock_tolerance: 0,
            max_token_age: None,
            required_claims: None,
            require_exp: true,
            current_date: None,
            max_token_size: None,
        }
    }
}

impl Default for RemoteKeySetOptions {
    fn default() -> Self {
        RemoteKeySetOptions {
            cache_max_age: 600.0,
            cache_min_age: 60.0,
            cache_max_age_limit: 3600.0,
            stale_if_error: 86_400.0,
            cooldown_duration: 30.0,
            timeout_duration: 5.0,
            max_response_size: None,
            headers: None,
            allow_http: false,
            events: None,
            cache: None,
        }
    }
}

impl Default for IssuerOptions {
    fn default() -> Self {
        IssuerOptions {
            secret: None,
            secrets: Vec::new(),
            key_pair_config: KeyPairConfig::default(),
            key_pair_configs: Vec::new(),
            disable_private_key_encryption: false,
            allow_weak_secret: false,
            private_key_format: None,
            rotation_interval: None,
            rotation_lead: None,
            grace_period: 30 * 24 * 3600,
            issuer: None,
            audience: Vec::new(),
            expiration_time: "15m".to_owned(),
            key_cache_ttl: 300,
            store_timeout: 10.0,
            session_hooks: None,
            external_signer: None,
            remote_url: None,
            events: None,
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("value", &"<redacted>")
            .field("version", &self.version)
            .finish()
    }
}

impl std::fmt::Debug for IssuerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerOptions")
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("secrets", &self.secrets.len())
            .field("key_pair_config", &self.key_pair_config)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl KeyPairConfig {
    fn to_core(&self) -> Result<CoreKeyPairConfig, AuthJwtError> {
        Ok(CoreKeyPairConfig::new(
            &self.alg,
            self.crv.as_deref(),
            self.modulus_length,
        )?)
    }
}

impl IssuerOptions {
    /// The core's options; anything that cannot work is `ERR_INVALID_CONFIG` now.
    pub(crate) fn into_core(self) -> Result<CoreIssuerOptions, AuthJwtError> {
        let mut secrets: Vec<CoreSecret> = Vec::new();
        if let Some(value) = self.secret {
            secrets.push(CoreSecret {
                version: None,
                value: Zeroizing::new(value),
            });
        }
        secrets.extend(self.secrets.into_iter().map(|s| CoreSecret {
            version: s.version,
            value: Zeroizing::new(s.value),
        }));
        let key_pair_configs = self
            .key_pair_configs
            .iter()
            .map(KeyPairConfig::to_core)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CoreIssuerOptions {
            key_pair_config: self.key_pair_config.to_core()?,
            key_pair_configs,
            disable_private_key_encryption: self.disable_private_key_encryption,
            allow_weak_secret: self.allow_weak_secret,
            secrets,
            private_key_format: match self.private_key_format {
                None | Some(PrivateKeyFormat::AuthjwtV2) => CorePrivateKeyFormat::AuthJwtV2,
                Some(PrivateKeyFormat::AuthjwtV1) => CorePrivateKeyFormat::AuthJwtV1,
                Some(PrivateKeyFormat::BetterAuth) => CorePrivateKeyFormat::BetterAuth,
            },
            rotation_interval: self.rotation_interval,
            rotation_lead: self.rotation_lead,
            grace_period: self.grace_period,
            issuer: self.issuer,
            audience: config::audience_from_list(self.audience),
            expiration_time: ExpirationTime::parse_span(&self.expiration_time)?,
            key_cache_ttl: self.key_cache_ttl,
            store_timeout: seconds("storeTimeout", self.store_timeout)?,
            session_hooks: self
                .session_hooks
                .map(|h| Arc::new(HostSessionHooks(h)) as Arc<_>),
            external_signer: self
                .external_signer
                .map(ExternalSignerConfig::into_core)
                .transpose()?,
            remote_url: self.remote_url,
            events: self.events.map(|l| Arc::new(HostEvents(l)) as Arc<_>),
            ..CoreIssuerOptions::default()
        })
    }
}

impl SignOverrides {
    pub(crate) fn into_core(self) -> Result<CoreSignOverrides, AuthJwtError> {
        let expiration_time = match (self.expires_at, self.expiration_time) {
            (Some(at), _) => Some(ExpirationTime::At(time_to_s(at))),
            (None, Some(span)) => Some(ExpirationTime::parse_span(&span)?),
            (None, None) => None,
        };
        Ok(CoreSignOverrides {
            expiration_time,
            issuer: self.issuer,
            audience: self.audience.and_then(config::audience_from_list),
            subject: self.subject,
            typ: self.typ,
            signing_key_id: self.signing_key_id,
            signing_algorithm: self
                .signing_algorithm
                .map(|a| a.parse::<Algorithm>())
                .transpose()?,
        })
    }
}

impl VerifyOptions {
    pub(crate) fn into_core(self) -> Result<CoreVerifyOptions, AuthJwtError> {
        let defaults = CoreVerifyOptions::default();
        Ok(CoreVerifyOptions {
            algorithms: self
                .algorithms
                .map(|names| names.iter().map(|a| a.parse::<Algorithm>()).collect())
                .transpose()?,
            issuer: self.issuer,
            audience: self.audience,
            subject: self.subject,
            typ: self.typ,
            clock_tolerance: self.clock_tolerance,
            max_token_age: self.max_token_age,
            required_claims: self.required_claims,
            require_exp: self.require_exp,
            current_date: self.current_date.map(time_to_s),
            max_token_size: self
                .max_token_size
                .map_or(defaults.max_token_size, |n| n as usize),
        })
    }
}

impl RemoteKeySetOptions {
    /// The core's sink for `events`, if set.
    pub(crate) fn event_sink(&self) -> Option<Arc<dyn authjwt_core::events::EventSink>> {
        self.events
            .clone()
            .map(|l| Arc::new(HostEvents(l)) as Arc<_>)
    }

    pub(crate) fn into_core(self) -> Result<RemoteJwksOptions, AuthJwtError> {
        let defaults = RemoteJwksOptions::default();
        Ok(RemoteJwksOptions {
            cache_max_age: seconds("cacheMaxAge", self.cache_max_age)?,
            cache_min_age: seconds("cacheMinAge", self.cache_min_age)?,
            cache_max_age_limit: seconds("cacheMaxAgeLimit", self.cache_max_age_limit)?,
            stale_if_error: seconds("staleIfError", self.stale_if_error)?,
            cooldown_duration: seconds("cooldownDuration", self.cooldown_duration)?,
            timeout_duration: seconds("timeoutDuration", self.timeout_duration)?,
            max_response_size: self
                .max_response_size
                .map_or(defaults.max_response_size, |n| n as usize),
            headers: self
                .headers
                .map_or(defaults.headers.clone(), RequestHeaders::new),
            allow_http: self.allow_http,
            shared_cache: self.cache.map(|c| {
                authjwt_core::remote::SharedCache(Arc::new(crate::shared_cache::HostJwksCache(c)))
            }),
            ..defaults
        })
    }
}

/// A non-negative, finite number of seconds.
fn seconds(name: &str, value: f64) -> Result<Duration, AuthJwtError> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        AuthJwtError::invalid_config(format!(
            "{name} must be a finite, non-negative number of seconds"
        ))
    })
}

impl ExternalSignerConfig {
    /// The core's signer options, read by the core with the Kotlin/Swift (camelCase) names.
    fn into_core(self) -> Result<CoreExternalSignerConfig, AuthJwtError> {
        let mut options = Map::new();
        options.insert("alg".to_owned(), Value::from(self.alg));
        options.insert("kid".to_owned(), Value::from(self.kid));
        if let Some(t) = self.message_type {
            options.insert("messageType".to_owned(), Value::from(t));
        }
        options.insert(
            "verifyBeforeReturn".to_owned(),
            Value::from(self.verify_before_return),
        );
        if let Some(jwk) = self.public_key {
            // The core says what is wrong with a JWK; text that is no JSON at all is said here.
            let jwk: Value = serde_json::from_str(&jwk).map_err(|_| {
                authjwt_core::Error::InvalidConfig(
                    "publicKey must be a JWK as JSON text".to_owned(),
                )
            })?;
            options.insert("publicKey".to_owned(), jwk);
        }
        let (signer, dynamic_kid) =
            match (self.signer, self.key_version_signer) {
                (Some(signer), None) => (HostSigner::Fixed(signer), false),
                (None, Some(signer)) => (HostSigner::Versioned(signer), true),
                (Some(_), Some(_)) | (None, None) => return Err(AuthJwtError::invalid_config(
                    "externalSigner needs exactly one of signer (one kid) and keyVersionSigner \
                     (a kid per token)",
                )),
            };
        Ok(CoreExternalSignerConfig::from_host_options(
            Arc::new(signer),
            &options,
            OptionCase::Camel,
            dynamic_kid,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    /// The records restate the core's defaults as literals (Kotlin and Swift see those), so
    /// this keeps the two from drifting apart.
    #[test]
    fn record_defaults_are_the_core_defaults() {
        let verify = VerifyOptions::default()
            .into_core()
            .expect("verify defaults");
        assert_eq!(
            format!("{verify:?}"),
            format!("{:?}", CoreVerifyOptions::default())
        );
        let remote = RemoteKeySetOptions::default()
            .into_core()
            .expect("remote defaults");
        assert_eq!(
            format!("{remote:?}"),
            format!("{:?}", RemoteJwksOptions::default())
        );
        let issuer = IssuerOptions::default()
            .into_core()
            .expect("issuer defaults");
        let core = CoreIssuerOptions::default();
        assert_eq!(issuer.key_pair_config, core.key_pair_config);
        assert_eq!(issuer.private_key_format, core.private_key_format);
        assert_eq!(issuer.rotation_interval, core.rotation_interval);
        assert_eq!(issuer.rotation_lead, core.rotation_lead);
        assert_eq!(issuer.grace_period, core.grace_period);
        assert_eq!(issuer.audience, core.audience);
        assert_eq!(issuer.expiration_time, core.expiration_time);
        assert_eq!(issuer.key_cache_ttl, core.key_cache_ttl);
        assert_eq!(issuer.store_timeout, core.store_timeout);
        assert_eq!(
            issuer.disable_private_key_encryption,
            core.disable_private_key_encryption
        );
    }

    #[test]
    fn durations_must_be_finite_and_non_negative() {
        assert_eq!(seconds("t", 0.25).ok(), Some(Duration::from_millis(250)));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let code = seconds("t", bad).err().map(|e| e.code().to_owned());
            assert_eq!(code.as_deref(), Some("ERR_INVALID_CONFIG"), "{bad}");
        }
    }

    #[test]
    fn verify_options_convert_dates_to_numeric_dates_and_keep_defaults() {
        let opts = VerifyOptions {
            current_date: Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_999)),
            algorithms: Some(vec!["ES256".into()]),
            ..VerifyOptions::default()
        }
        .into_core();
        let opts = opts.ok();
        assert_eq!(
            opts.as_ref().and_then(|o| o.current_date),
            Some(1_700_000_000)
        );
        assert_eq!(
            opts.as_ref().and_then(|o| o.algorithms.clone()),
            Some(vec![Algorithm::ES256])
        );
        assert_eq!(
            opts.map(|o| (o.require_exp, o.max_token_size)),
            Some((true, CoreVerifyOptions::default().max_token_size))
        );
        let bad = VerifyOptions {
            algorithms: Some(vec!["HS256".into()]),
            ..VerifyOptions::default()
        };
        assert!(bad.into_core().is_err(), "HS256 is never allowed");
    }

    #[test]
    fn options_do_not_print_secrets() {
        let opts = IssuerOptions {
            secret: Some("s3cr3t-value".into()),
            secrets: vec![Secret {
                value: "older-s3cr3t".into(),
                version: Some("1".into()),
            }],
            ..IssuerOptions::default()
        };
        let text = format!("{opts:?} {:?}", opts.secrets);
        assert!(!text.contains("s3cr3t"), "{text}");
    }
}
