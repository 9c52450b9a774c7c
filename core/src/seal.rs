//! Private keys at rest: the `authjwt-v1`, `better-auth` and plain formats. Read all (detected from
//! the column's shape), write the configured one.

use std::str::FromStr;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::jwk::{PrivateJwk, PublicJwk};

/// PBKDF2 iterations for new `authjwt-v1` rows (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// The format new private keys are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrivateKeyFormat {
    /// AES-256-GCM, PBKDF2-HMAC-SHA256 key, AAD = the public key's RFC 7638 thumbprint.
    #[default]
    AuthJwtV1,
    /// Better Auth 1.x: XChaCha20-Poly1305 under SHA-256(secret), hex in a JSON string literal.
    BetterAuth,
}

impl FromStr for PrivateKeyFormat {
    type Err = Error;
    /// `authjwt-v1` or `better-auth`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "authjwt-v1" => Ok(PrivateKeyFormat::AuthJwtV1),
            "better-auth" => Ok(PrivateKeyFormat::BetterAuth),
            other => Err(Error::InvalidConfig(format!(
                "unknown privateKeyFormat {other:?}; supported: authjwt-v1, better-auth"
            ))),
        }
    }
}

/// One secret; `version` is set for Better Auth's versioned secrets (`$ba$<version>$...`).
#[derive(Clone)]
pub struct Secret {
    /// The version label, for versioned secrets.
    pub version: Option<String>,
    /// The secret text.
    pub value: Zeroizing<String>,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("version", &self.version)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// Seals and opens private keys with the configured secrets (newest first).
#[derive(Debug, Clone)]
pub struct Sealer {
    _todo: (),
}

impl Sealer {
    /// A sealer writing `format` with `secrets[0]`, opening with any of `secrets`. With
    /// `encrypt == false` new keys are written as plain private JWK JSON. Encryption without a
    /// secret (or an empty one) is [`Error::InvalidConfig`].
    pub fn new(secrets: Vec<Secret>, format: PrivateKeyFormat, encrypt: bool) -> Result<Self> {
        todo!("{secrets:?} {format:?} {encrypt}")
    }

    /// Seals `key` for the `private_key` column (slow for `authjwt-v1`: PBKDF2).
    pub fn seal(&self, key: &PrivateJwk) -> Result<String> {
        todo!("{key:?}")
    }

    /// Opens the `private_key` column of row `kid` whose public key is `public`; the format is
    /// detected. A column no secret opens is [`Error::KeyDecryptionFailed`] naming `kid`.
    pub fn open(&self, kid: &str, column: &str, public: &PublicJwk) -> Result<PrivateJwk> {
        todo!("{kid} {} {public:?}", column.len())
    }
}
