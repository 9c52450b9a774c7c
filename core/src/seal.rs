//! Private keys at rest: the `authjwt-v2`, `authjwt-v1`, `better-auth` and plain formats. Read all
//! (detected from the column's shape), write the configured one (`authjwt-v2` by default).
//!
//! Detection of the `private_key` column:
//! - a JSON object with `"v"`: `authjwt-v1` or `authjwt-v2` (`seal/envelope.rs`; version 2 derives
//!   with HKDF when the secret has full entropy, `seal/strength.rs`, else with PBKDF2 as version 1);
//! - a JSON string literal: `better-auth`, bare hex or `$ba$<version>$<hex>` (`seal/better_auth.rs`,
//!   matched against the `better-auth` npm package 1.7.24);
//! - a JSON object with `"kty"`: a plain private JWK (Better Auth's `disablePrivateKeyEncryption`);
//! - anything else: [`Error::KeyDecryptionFailed`] saying what was expected.
//!
//! A plain row is accepted only when encryption is disabled. With encryption on, sealing is what
//! tells us a row was written by someone holding the secret; accepting plain rows would let anyone
//! who can write the table plant a signing key they know. Better Auth behaves the same way (it
//! decrypts every row when encryption is on). With encryption off, sealed rows still open when a
//! secret is configured, so switching encryption off does not strand existing keys.
//!
//! Secrets: seal uses the first (newest); open tries every secret, the likely one first: the
//! secret whose version matches the row's (`$ba$<v>$`, or `"sv"` in `authjwt-v*`, written when the
//! sealing secret is versioned), or the unversioned ones for rows without a version. After opening,
//! the private JWK's public members must equal the row's public key, so a row whose private key
//! belongs to another key is never used.

mod better_auth;
mod envelope;
mod strength;

use std::collections::BTreeMap;
use std::str::FromStr;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::jwk::{PrivateJwk, PublicJwk};

/// PBKDF2 iterations for new `authjwt-v1` rows and `authjwt-v2` rows of secrets short of full
/// entropy (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// Fewest characters of a secret an [`crate::issuer::Issuer`] seals with (Better Auth warns below
/// the same length); shorter ones need `allowWeakSecret` and only ever open old rows otherwise.
pub const MIN_SECRET_CHARS: usize = 32;

/// The format new private keys are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrivateKeyFormat {
    /// AES-256-GCM, AAD = the public key's RFC 7638 thumbprint; the key from HKDF-SHA256 when the
    /// secret carries 256 bits of entropy (random bytes in hex or base64), else from PBKDF2 as
    /// `authjwt-v1`. The row names its KDF.
    #[default]
    AuthJwtV2,
    /// AES-256-GCM, PBKDF2-HMAC-SHA256 key whatever the secret, AAD as `authjwt-v2`.
    AuthJwtV1,
    /// Better Auth 1.x: XChaCha20-Poly1305 under SHA-256(secret), hex in a JSON string literal.
    BetterAuth,
}

impl PrivateKeyFormat {
    /// The configuration name: `authjwt-v2`, `authjwt-v1` or `better-auth`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivateKeyFormat::AuthJwtV2 => "authjwt-v2",
            PrivateKeyFormat::AuthJwtV1 => "authjwt-v1",
            PrivateKeyFormat::BetterAuth => "better-auth",
        }
    }
}

impl FromStr for PrivateKeyFormat {
    type Err = Error;
    /// `authjwt-v2`, `authjwt-v1` or `better-auth`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "authjwt-v2" => Ok(PrivateKeyFormat::AuthJwtV2),
            "authjwt-v1" => Ok(PrivateKeyFormat::AuthJwtV1),
            "better-auth" => Ok(PrivateKeyFormat::BetterAuth),
            other => Err(Error::InvalidConfig(format!(
                "unknown privateKeyFormat {other:?}; supported: authjwt-v2, authjwt-v1, better-auth"
            ))),
        }
    }
}

/// One secret; `version` is set for Better Auth's versioned secrets (`$ba$<version>$...`), and is
/// then a non-negative integer as Better Auth requires.
#[derive(Clone)]
pub struct Secret {
    /// The version label, for versioned secrets.
    pub version: Option<String>,
    /// The secret text.
    pub value: Zeroizing<String>,
}

impl Secret {
    /// An unversioned secret (Better Auth's `secret` / `BETTER_AUTH_SECRET`).
    pub fn new(value: impl Into<String>) -> Self {
        Secret {
            version: None,
            value: Zeroizing::new(value.into()),
        }
    }

    /// Shorter than [`MIN_SECRET_CHARS`] characters: a secret a leaked table's owner can guess.
    pub fn is_weak(&self) -> bool {
        self.value.chars().count() < MIN_SECRET_CHARS
    }

    /// A versioned secret (one entry of Better Auth's `secrets: [{ version, value }]`).
    pub fn versioned(version: impl Into<String>, value: impl Into<String>) -> Self {
        Secret {
            version: Some(version.into()),
            value: Zeroizing::new(value.into()),
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("version", &self.version)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// Seals and opens private keys with the configured secrets (newest first). Better Auth's
/// configuration maps as: each `secrets` entry a versioned [`Secret`] (current first), then
/// `secret` / `BETTER_AUTH_SECRET` as an unversioned one (its `legacySecret`, for bare hex rows).
#[derive(Debug, Clone)]
pub struct Sealer {
    /// The secrets with their parsed versions, newest first.
    secrets: Vec<(Secret, Option<u64>)>,
    /// Whether the sealing secret (the first) has full entropy; measured once, never shown.
    sealing_secret_is_random: FullEntropy,
    format: PrivateKeyFormat,
    encrypt: bool,
}

/// A secret's measure, kept out of `Debug` output like the secret itself.
#[derive(Clone, Copy)]
struct FullEntropy(bool);

impl std::fmt::Debug for FullEntropy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Sealer {
    /// A sealer writing `format` with `secrets[0]`, opening with any of `secrets`. With
    /// `encrypt == false` new keys are written as plain private JWK JSON. Encryption without a
    /// secret (or an empty one) is [`Error::InvalidConfig`].
    pub fn new(secrets: Vec<Secret>, format: PrivateKeyFormat, encrypt: bool) -> Result<Self> {
        if encrypt && secrets.is_empty() {
            return Err(Error::InvalidConfig(
                "private key encryption is on but no secret is configured: set `secret` (or \
                 `secrets`), or set disablePrivateKeyEncryption"
                    .to_owned(),
            ));
        }
        let mut parsed: Vec<(Secret, Option<u64>)> = Vec::with_capacity(secrets.len());
        for (i, secret) in secrets.into_iter().enumerate() {
            if secret.value.is_empty() {
                return Err(Error::InvalidConfig(format!(
                    "secret #{} is empty; a secret must have a value",
                    i + 1
                )));
            }
            let version = match &secret.version {
                None => None,
                Some(v) => Some(parse_config_version(v)?),
            };
            if version.is_some() && parsed.iter().any(|(_, seen)| *seen == version) {
                return Err(Error::InvalidConfig(format!(
                    "secret version {} appears twice; each version must be unique",
                    secret.version.as_deref().unwrap_or_default()
                )));
            }
            parsed.push((secret, version));
        }
        let sealing_secret_is_random = FullEntropy(
            parsed
                .first()
                .is_some_and(|(s, _)| strength::has_full_entropy(&s.value)),
        );
        Ok(Sealer {
            secrets: parsed,
            sealing_secret_is_random,
            format,
            encrypt,
        })
    }

    /// The rule for sealing secrets: the secret new keys are sealed with (the first) must have at
    /// least [`MIN_SECRET_CHARS`] characters unless `allow_weak` (`allowWeakSecret`) is set.
    /// Older secrets may be shorter: they only open rows sealed before, each open reported as
    /// [`crate::events::Event::WeakSecretUsed`], so a deployment moves to a strong secret without
    /// losing its keys.
    pub fn check_sealing_secret(&self, allow_weak: bool) -> Result<()> {
        match self.secrets.first() {
            Some((secret, _)) if self.encrypt && secret.is_weak() && !allow_weak => {
                Err(Error::InvalidConfig(format!(
                    "the secret new keys are sealed with is shorter than {MIN_SECRET_CHARS} \
                     characters: anyone holding a copy of the key table could guess it. Use a long \
                     random secret (keep the old one after it in `secret`/`secrets` so existing \
                     keys still open), or set allowWeakSecret (allow_weak_secret) to accept it"
                )))
            }
            _ => Ok(()),
        }
    }

    /// The format new keys are sealed in.
    pub fn format(&self) -> PrivateKeyFormat {
        self.format
    }

    /// Whether new keys are sealed (`false`: written as plain private JWK JSON).
    pub fn encrypts(&self) -> bool {
        self.encrypt
    }

    /// Seals `key` for the `private_key` column (slow where it runs PBKDF2: `authjwt-v1`, and
    /// `authjwt-v2` with a secret short of full entropy).
    pub fn seal(&self, key: &PrivateJwk) -> Result<String> {
        if !self.encrypt {
            return Ok(key.to_json().as_str().to_owned());
        }
        let (secret, version) = self.secrets.first().ok_or_else(|| {
            Error::InvalidConfig("private key encryption is on but no secret is set".to_owned())
        })?;
        match self.format {
            PrivateKeyFormat::AuthJwtV2 => envelope::seal(
                envelope::Version::V2,
                secret,
                self.sealing_secret_is_random.0,
                *version,
                key,
            ),
            PrivateKeyFormat::AuthJwtV1 => {
                envelope::seal(envelope::Version::V1, secret, false, *version, key)
            }
            PrivateKeyFormat::BetterAuth => better_auth::seal(secret, *version, key),
        }
    }

    /// Opens the `private_key` column of row `kid` whose public key is `public`; the format is
    /// detected. A column no secret opens is [`Error::KeyDecryptionFailed`] naming `kid`.
    pub fn open(&self, kid: &str, column: &str, public: &PublicJwk) -> Result<PrivateJwk> {
        self.open_reporting_strength(kid, column, public)
            .map(|(key, _)| key)
    }

    /// [`Sealer::open`], also telling whether the secret that opened the row is weak
    /// ([`Secret::is_weak`]; `false` for a plain row).
    pub fn open_reporting_strength(
        &self,
        kid: &str,
        column: &str,
        public: &PublicJwk,
    ) -> Result<(PrivateJwk, bool)> {
        let fail = |message: String| Error::KeyDecryptionFailed {
            kid: kid.to_owned(),
            message,
        };
        let (plaintext, weak) = match detect(column).map_err(fail)? {
            Shape::Plain => {
                if self.encrypt {
                    return Err(fail(
                        "the row holds an unencrypted private JWK while private key encryption is \
                         on; set disablePrivateKeyEncryption to use such rows, or delete the row \
                         so a sealed key is made"
                            .to_owned(),
                    ));
                }
                (Zeroizing::new(column.as_bytes().to_vec()), false)
            }
            Shape::AuthJwt => {
                let sealed = envelope::parse(column).map_err(fail)?;
                self.try_secrets(sealed.name, sealed.secret_version, |s| {
                    sealed.open_with(s, public)
                })
                .map_err(fail)?
            }
            Shape::BetterAuth(payload) => {
                let sealed = better_auth::parse(&payload).map_err(fail)?;
                self.try_secrets("better-auth", sealed.version, |s| sealed.open_with(s))
                    .map_err(fail)?
            }
        };
        let json = std::str::from_utf8(&plaintext)
            .map_err(|_| fail("the opened private key is not UTF-8 JSON".to_owned()))?;
        let key = PrivateJwk::from_json(json)
            .map_err(|e| fail(format!("the opened private key is not a usable JWK: {e}")))?;
        if key.public() != public {
            return Err(fail(
                "the private key does not belong to the row's public key, so the row is not used \
                 (was private_key copied from another row?)"
                    .to_owned(),
            ));
        }
        Ok((key, weak))
    }

    /// Runs `open` with each secret, those of `version` first, until one authenticates.
    fn try_secrets(
        &self,
        format: &str,
        version: Option<u64>,
        open: impl Fn(&Secret) -> Option<Zeroizing<Vec<u8>>>,
    ) -> std::result::Result<(Zeroizing<Vec<u8>>, bool), String> {
        if self.secrets.is_empty() {
            return Err(format!(
                "the row is sealed ({format}) but no secret is configured: configure the secret it \
                 was sealed with in `secret` or `secrets`"
            ));
        }
        let preferred = self.secrets.iter().filter(|(_, v)| *v == version);
        let others = self.secrets.iter().filter(|(_, v)| *v != version);
        for (secret, _) in preferred.chain(others) {
            if let Some(plaintext) = open(secret) {
                return Ok((plaintext, secret.is_weak()));
            }
        }
        let sealed_with = match version {
            Some(v) => format!(", sealed with secret version {v}"),
            None => String::new(),
        };
        Err(format!(
            "none of the {} configured secret(s) opens it ({format}{sealed_with}). The secret \
             changed? Add the previous one to `secrets` (newest first)",
            self.secrets.len()
        ))
    }
}

/// What the column holds, told from its shape alone.
enum Shape {
    AuthJwt,
    Plain,
    /// The string inside the JSON string literal.
    BetterAuth(String),
}

fn detect(column: &str) -> std::result::Result<Shape, String> {
    const EXPECTED: &str = "expected a sealed key (an authjwt-v1/v2 JSON object or a Better Auth \
                            JSON string) or a plain private JWK";
    match column.trim_start().as_bytes().first() {
        Some(b'{') => {
            // Member names only: the values (possibly a plain private key) are skipped unparsed.
            let members: BTreeMap<String, serde::de::IgnoredAny> = serde_json::from_str(column)
                .map_err(|e| {
                    format!("the private_key column is not valid JSON ({e}); {EXPECTED}")
                })?;
            if members.contains_key("v") {
                Ok(Shape::AuthJwt)
            } else if members.contains_key("kty") {
                Ok(Shape::Plain)
            } else {
                Err(format!(
                    "the private_key column is a JSON object with neither \"v\" nor \"kty\"; \
                     {EXPECTED}"
                ))
            }
        }
        Some(b'"') => serde_json::from_str::<String>(column)
            .map(Shape::BetterAuth)
            .map_err(|e| format!("the private_key column is not a valid JSON string ({e})")),
        _ => Err(format!(
            "the private_key column is neither a JSON object nor a JSON string; {EXPECTED}"
        )),
    }
}

/// A configured secret version: a canonical non-negative integer, as Better Auth's `secrets`.
fn parse_config_version(v: &str) -> Result<u64> {
    better_auth::parse_version(v)
        .filter(|n| n.to_string() == v)
        .ok_or_else(|| {
            Error::InvalidConfig(format!(
                "secret version {v:?} is not a non-negative integer without leading zeros \
                 (Better Auth's `secrets` versions are integers)"
            ))
        })
}

#[cfg(test)]
mod tests;
