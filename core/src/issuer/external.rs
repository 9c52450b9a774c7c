//! Signing with a host callback (a KMS), as Better Auth's `jwt.sign` with `jwks.remoteUrl`: the
//! issuer builds header and claims, the host signs `BASE64URL(header).BASE64URL(payload)` (or its
//! digest), and the issuer checks the answer before a token leaves `sign()`:
//!
//! 1. its shape per algorithm ([`crate::crypto::jose_signature`]: lengths, DER ECDSA to `R || S`);
//! 2. unless `verify_before_return` is off, the signature itself, against the signer's public key:
//!    the configured `public_key`, or the key of the token's `kid` in the JWKS at `remote_url`
//!    (through a [`RemoteJwks`], so the steady state is one signature verification and no fetch).
//!
//! A signer whose answer fails either check is `ERR_STORE` with operation `sign`: the host's
//! callback returned something unusable, as for a key store.

use std::sync::Arc;

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::crypto::{jose_signature, signing_digest, VerifyingKey};
use crate::error::{Error, Result, StoreError};
use crate::events::{Event, EventSink};
use crate::jwk::PublicJwk;
#[cfg(feature = "remote")]
use crate::remote::{RemoteJwks, RemoteJwksOptions};

use super::{payload, Inner, SignOverrides};

/// What the external signer is given: the signing input itself, or its digest under the
/// algorithm's hash (AWS KMS `MessageType: DIGEST`, Google Cloud KMS `digest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageType {
    /// The JWS signing input `BASE64URL(header).BASE64URL(payload)` (default).
    #[default]
    Raw,
    /// SHA-256/384/512 of the signing input, as the algorithm names; not for EdDSA.
    Digest,
}

impl MessageType {
    /// `raw` or `digest`, the option's values in every host.
    pub fn name(self) -> &'static str {
        match self {
            MessageType::Raw => "raw",
            MessageType::Digest => "digest",
        }
    }
}

/// One signature asked of the host.
#[derive(Debug, Clone)]
pub struct SignRequest {
    /// The bytes to sign: the signing input, or its digest (see `message_type`).
    pub message: Vec<u8>,
    /// What `message` is.
    pub message_type: MessageType,
    /// The algorithm named in the header.
    pub alg: Algorithm,
    /// The kid named in the header (the key version to sign with).
    pub kid: String,
}

/// A host-supplied signer (a KMS).
#[async_trait]
pub trait ExternalSigner: Send + Sync {
    /// The signature of `request.message`: JOSE form, or DER `ECDSA-Sig-Value` for ECDSA (what
    /// AWS and Google Cloud KMS return), converted to `R || S` here.
    async fn sign(&self, request: SignRequest) -> std::result::Result<Vec<u8>, StoreError>;

    /// The kid of the key version that signs next (called before each token when the config's
    /// `dynamic_kid` is set), so a rotation at the KMS needs no restart.
    async fn current_kid(&self) -> std::result::Result<Option<String>, StoreError> {
        Ok(None)
    }
}

/// Options of an external signer, as Better Auth's `jwt.sign` + `jwks.remoteUrl`.
#[derive(Clone)]
pub struct ExternalSignerConfig {
    /// The signing callback.
    pub signer: Arc<dyn ExternalSigner>,
    /// The algorithm it signs with.
    pub alg: Algorithm,
    /// The kid put in the header (unless `dynamic_kid`).
    pub kid: String,
    /// Ask the signer for the kid before each token ([`ExternalSigner::current_kid`]).
    pub dynamic_kid: bool,
    /// What the signer is given (default: the raw signing input).
    pub message_type: MessageType,
    /// Verify each token against the signer's public key before returning it (default on).
    pub verify_before_return: bool,
    /// The signer's public key; without it, the key of the token's kid at `remote_url`.
    pub public_key: Option<PublicJwk>,
}

impl ExternalSignerConfig {
    /// A signer of `alg` under `kid`, signing the raw input, verified before return through the
    /// JWKS at `remote_url`.
    pub fn new(signer: Arc<dyn ExternalSigner>, alg: Algorithm, kid: impl Into<String>) -> Self {
        ExternalSignerConfig {
            signer,
            alg,
            kid: kid.into(),
            dynamic_kid: false,
            message_type: MessageType::Raw,
            verify_before_return: true,
            public_key: None,
        }
    }

    /// The host's signer options (Node's `sign: {...}`, Python's `external_signer={...}`,
    /// UniFFI's record as JSON) without the callbacks: `alg`, `kid`, `messageType` /
    /// `message_type` (`"raw"` or `"digest"`), `verifyBeforeReturn` / `verify_before_return`,
    /// `publicKey` / `public_key` (a public JWK). `dynamic_kid`: the host gave a kid callback.
    /// Unknown names are `ERR_INVALID_CONFIG`, as for every option.
    pub fn from_host_options(
        signer: Arc<dyn ExternalSigner>,
        options: &Map<String, Value>,
        case: OptionCase,
        dynamic_kid: bool,
    ) -> Result<Self> {
        let name = |camel: &'static str, snake: &'static str| match case {
            OptionCase::Camel => camel,
            OptionCase::Snake => snake,
        };
        let prefix = case.prefix();
        let invalid = |option: &str, expected: &str| {
            Error::InvalidConfig(format!("option {prefix}{option} must be {expected}"))
        };
        let (message_type_name, verify_name, public_key_name) = (
            name("messageType", "message_type"),
            name("verifyBeforeReturn", "verify_before_return"),
            name("publicKey", "public_key"),
        );
        for key in options.keys() {
            let known = [
                "alg",
                "kid",
                message_type_name,
                verify_name,
                public_key_name,
            ];
            if !known.contains(&key.as_str()) {
                return Err(Error::InvalidConfig(format!(
                    "option {prefix}{key} is not known (known: sign, {})",
                    known.join(", ")
                )));
            }
        }
        let present = |key: &str| options.get(key).filter(|v| !v.is_null());
        let alg = match present("alg") {
            Some(Value::String(a)) => a.parse::<Algorithm>()?,
            _ => {
                return Err(invalid(
                    "alg",
                    "a JWS algorithm name (ES256, RS256, EdDSA, ...)",
                ))
            }
        };
        let kid = match present("kid") {
            Some(Value::String(k)) => k.clone(),
            None if dynamic_kid => String::new(),
            _ => {
                return Err(invalid(
                    "kid",
                    "a string, or a function returning the current kid",
                ))
            }
        };
        let message_type = match present(message_type_name) {
            None => MessageType::Raw,
            Some(Value::String(t)) if t.eq_ignore_ascii_case("raw") => MessageType::Raw,
            Some(Value::String(t)) if t.eq_ignore_ascii_case("digest") => MessageType::Digest,
            Some(_) => return Err(invalid(message_type_name, "\"raw\" or \"digest\"")),
        };
        let verify_before_return = match present(verify_name) {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(invalid(verify_name, "a boolean")),
        };
        let public_key = match present(public_key_name) {
            None => None,
            Some(Value::Object(jwk)) => Some(public_jwk_option(
                jwk,
                &format!("{prefix}{public_key_name}"),
            )?),
            Some(_) => return Err(invalid(public_key_name, "a public JWK object")),
        };
        Ok(ExternalSignerConfig {
            signer,
            alg,
            kid,
            dynamic_kid,
            message_type,
            verify_before_return,
            public_key,
        })
    }
}

/// How a host spells option names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionCase {
    /// `messageType` (JavaScript, the `sign` option).
    Camel,
    /// `message_type` (Python, the `external_signer` option).
    Snake,
}

impl OptionCase {
    fn prefix(self) -> &'static str {
        match self {
            OptionCase::Camel => "sign.",
            OptionCase::Snake => "external_signer.",
        }
    }
}

/// A public JWK given as an option: private members are refused (never echoed).
fn public_jwk_option(jwk: &Map<String, Value>, option: &str) -> Result<PublicJwk> {
    if let Some(member) = ["d", "p", "q", "dp", "dq", "qi"]
        .into_iter()
        .find(|m| jwk.contains_key(*m))
    {
        return Err(Error::InvalidConfig(format!(
            "option {option} must be a public JWK; it has the private member {member:?}"
        )));
    }
    PublicJwk::from_map(jwk)
        .map_err(|e| Error::InvalidConfig(format!("option {option} is not a usable JWK: {e}")))
}

/// Where the keys are published instead of this issuer's store (`remote_url`).
pub(super) struct RemotePublished {
    /// The URL as messages and accessors show it (credentials and query values redacted).
    url: String,
    #[cfg(feature = "remote")]
    keys: RemoteJwks,
}

impl RemotePublished {
    /// The set at `url`, fetched only when first needed; events go to `events`.
    pub(super) fn new(url: String, events: Option<Arc<dyn EventSink>>) -> Result<Self> {
        #[cfg(feature = "remote")]
        let keys = RemoteJwks::new_with_events(&url, RemoteJwksOptions::default(), events)
            .map_err(|e| match e {
                Error::InvalidConfig(m) => Error::InvalidConfig(format!("remote_url: {m}")),
                other => other,
            })?;
        #[cfg(not(feature = "remote"))]
        let _ = events;
        // The remote set's own display form of its URL (without credentials).
        #[cfg(feature = "remote")]
        let url = keys.url().to_owned();
        Ok(RemotePublished {
            url,
            #[cfg(feature = "remote")]
            keys,
        })
    }

    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// The JWKS body served at `remote_url`, as this issuer's `jwks()`.
    pub(super) async fn jwks(&self) -> Result<Value> {
        #[cfg(feature = "remote")]
        {
            let body = self.keys.document().await?;
            serde_json::from_str(&body)
                .map_err(|_| Error::JwksInvalid(format!("the JWKS at {} is not JSON", self.url)))
        }
        #[cfg(not(feature = "remote"))]
        Err(Error::InvalidConfig(format!(
            "this issuer's keys are published at {} (remote_url); this build has no HTTP client \
             (feature `remote`): serve that URL instead of jwks()",
            self.url
        )))
    }
}

/// An external signer with the key its answers are checked against.
pub(super) struct ExternalSigning {
    config: ExternalSignerConfig,
    check: SignatureCheck,
}

enum SignatureCheck {
    /// `verify_before_return` is off: the shape is still checked.
    ShapeOnly,
    /// The configured `public_key`.
    Fixed(Box<VerifyingKey>),
    /// The key of the token's kid at `remote_url`.
    #[cfg(feature = "remote")]
    Remote(RemoteJwks, String),
}

impl ExternalSigning {
    /// Checks the configuration (`ERR_INVALID_CONFIG` now, not at the first token).
    pub(super) fn new(
        config: ExternalSignerConfig,
        remote: Option<&RemotePublished>,
    ) -> Result<Self> {
        let Some(remote) = remote else {
            return Err(Error::InvalidConfig(
                "an external signer needs remote_url: the JWKS of its keys is published there, \
                 not by this issuer (as Better Auth's jwt.sign + jwks.remoteUrl)"
                    .to_owned(),
            ));
        };
        if config.kid.is_empty() && !config.dynamic_kid {
            return Err(Error::InvalidConfig(
                "the external signer needs a non-empty kid".to_owned(),
            ));
        }
        if config.message_type == MessageType::Digest && signing_digest(config.alg, b"").is_none() {
            return Err(Error::InvalidConfig(format!(
                "{} signs the message itself, not a digest: use messageType \"raw\"",
                config.alg
            )));
        }
        let check = match (&config.public_key, config.verify_before_return) {
            (_, false) => SignatureCheck::ShapeOnly,
            (Some(jwk), true) => SignatureCheck::Fixed(Box::new(
                VerifyingKey::from_public_jwk(jwk, config.alg).map_err(|e| {
                    Error::InvalidConfig(format!(
                        "the external signer's publicKey does not fit {}: {e}",
                        config.alg
                    ))
                })?,
            )),
            #[cfg(feature = "remote")]
            (None, true) => SignatureCheck::Remote(remote.keys.clone(), remote.url.clone()),
            #[cfg(not(feature = "remote"))]
            (None, true) => {
                return Err(Error::InvalidConfig(format!(
                    "verifying the external signer's tokens needs its publicKey (this build cannot \
                     fetch {}), or verifyBeforeReturn off",
                    remote.url
                )))
            }
        };
        Ok(ExternalSigning { config, check })
    }

    /// The kid of the next token: the signer's current one, or the configured one.
    async fn kid(&self, inner: &Inner) -> Result<String> {
        if !self.config.dynamic_kid {
            return Ok(self.config.kid.clone());
        }
        match inner
            .io
            .bounded("kid", self.config.signer.current_kid())
            .await?
        {
            Some(kid) if !kid.is_empty() => Ok(kid),
            None if !self.config.kid.is_empty() => Ok(self.config.kid.clone()),
            _ => Err(Error::Store(StoreError::new(
                "kid",
                "the external signer's kid callback must return a non-empty string",
            ))),
        }
    }

    /// The key `kid`'s tokens are checked against; `None` when only the shape is checked.
    async fn verifier(&self, kid: &str) -> Result<Option<Checker<'_>>> {
        match &self.check {
            SignatureCheck::ShapeOnly => Ok(None),
            SignatureCheck::Fixed(key) => Ok(Some(Checker::Fixed(key))),
            #[cfg(feature = "remote")]
            SignatureCheck::Remote(keys, url) => {
                let set = keys.key_set_for_kid(kid).await?;
                match set.candidates(self.config.alg, Some(kid)) {
                    Ok(_) => Ok(Some(Checker::Remote(set))),
                    Err(_) => Err(signer_failed(format!(
                        "the JWKS at {url} has no {} key with kid {kid}: publish the key (version) \
                         there before signing with it",
                        self.config.alg
                    ))),
                }
            }
        }
    }
}

/// The key a token is checked against, held for one token.
enum Checker<'a> {
    Fixed(&'a VerifyingKey),
    #[cfg(feature = "remote")]
    Remote(Arc<crate::jwks::KeySet>),
}

impl Checker<'_> {
    fn with_key<T>(
        &self,
        alg: Algorithm,
        kid: &str,
        f: impl FnOnce(&VerifyingKey) -> T,
    ) -> Option<T> {
        match self {
            Checker::Fixed(key) => Some(f(key)),
            #[cfg(feature = "remote")]
            Checker::Remote(set) => set
                .candidates(alg, Some(kid))
                .ok()
                .and_then(|c| c.first().map(|k| f(k))),
        }
    }
}

impl Inner {
    /// Better Auth's `jwt.sign`: the host signs `BASE64URL(header).BASE64URL(payload)` (or its
    /// digest); the answer is checked before the token is returned.
    pub(super) async fn sign_external(
        &self,
        ext: &ExternalSigning,
        mut payload: Map<String, Value>,
        overrides: &SignOverrides,
    ) -> Result<String> {
        let config = &ext.config;
        let alg = config.alg;
        if let Some(wanted) = overrides.signing_algorithm {
            if wanted != alg {
                return Err(Error::InvalidConfig(format!(
                    "signingAlgorithm {wanted} differs from the external signer's {alg}"
                )));
            }
        }
        let kid = ext.kid(self).await?;
        if let Some(wanted) = &overrides.signing_key_id {
            if wanted != &kid {
                return Err(Error::InvalidConfig(format!(
                    "signingKeyId {wanted} differs from the external signer's kid {kid}"
                )));
            }
        }
        payload::complete_claims(
            &mut payload,
            self.clock.now_s(),
            &self.claim_defaults(overrides),
        )?;
        let mut header = Map::new();
        header.insert("alg".to_owned(), Value::from(alg.name()));
        header.insert("kid".to_owned(), Value::from(kid.as_str()));
        if let Some(typ) = &overrides.typ {
            header.insert("typ".to_owned(), Value::from(typ.as_str()));
        }
        let encode = |m: &Map<String, Value>| {
            serde_json::to_vec(m)
                .map(|v| URL_SAFE_NO_PAD.encode(v))
                .map_err(|_| Error::JwtInvalid("the payload cannot be serialized".to_owned()))
        };
        let signing_input = format!("{}.{}", encode(&header)?, encode(&payload)?);
        let message = match config.message_type {
            MessageType::Raw => signing_input.as_bytes().to_vec(),
            // Checked in `ExternalSigning::new`: every algorithm but EdDSA has a hash.
            MessageType::Digest => signing_digest(alg, signing_input.as_bytes())
                .ok_or_else(|| Error::InvalidConfig(format!("{alg} has no digest to sign")))?,
        };
        let request = SignRequest {
            message,
            message_type: config.message_type,
            alg,
            kid: kid.clone(),
        };
        let answer = self.io.bounded("sign", config.signer.sign(request)).await?;
        // The key also gives the length an RSA signature must have (its modulus length).
        let checker = ext.verifier(&kid).await?;
        let rsa_len = checker
            .as_ref()
            .and_then(|c| c.with_key(alg, &kid, |k| rsa_modulus_len(k.public_jwk())))
            .flatten();
        let signature = jose_signature(alg, answer, rsa_len).map_err(|e| {
            signer_failed(format!(
                "the external signer's answer for kid {kid} is not an {alg} signature: {e}"
            ))
        })?;
        if let Some(checker) = &checker {
            let verified = checker
                .with_key(alg, &kid, |k| {
                    k.verify(signing_input.as_bytes(), &signature).is_ok()
                })
                .unwrap_or(false);
            if !verified {
                return Err(signer_failed(format!(
                    "the external signer's {alg} signature for kid {kid} does not verify against \
                     the signer's public key (wrong key or key version, wrong algorithm, or a \
                     corrupted answer); no token was issued"
                )));
            }
        }
        self.events.emit_token_event(|| Event::TokenIssued {
            kid: kid.clone(),
            alg: alg.name(),
        });
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

fn rsa_modulus_len(jwk: &PublicJwk) -> Option<usize> {
    match jwk {
        PublicJwk::Rsa { n, .. } => Some(n.len()),
        _ => None,
    }
}

/// `ERR_STORE` for the `sign` callback: the host's signer answered something unusable.
fn signer_failed(message: String) -> Error {
    Error::Store(StoreError::new("sign", message))
}
