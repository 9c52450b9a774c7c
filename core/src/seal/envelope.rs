//! The `authjwt-v1` and `authjwt-v2` formats: AES-256-GCM bound to its row, under a key derived
//! from the secret by the KDF the row names.
//!
//! Column: `{"v":V,"alg":"A256GCM","kdf":K,["iter":N,]"salt":b64u,"iv":b64u,"ct":b64u}` plus
//! `"sv":<version>` when the sealing secret is versioned.
//! - `v: 1`: `kdf` is always `PBKDF2-SHA256` with `iter` (the only KDF of version 1).
//! - `v: 2`: `kdf` is `HKDF-SHA256` (no `iter`) when the sealing secret carries at least 256 bits
//!   of entropy ([`super::strength`]), else `PBKDF2-SHA256` with `iter`, as version 1. HKDF's
//!   `info` is [`HKDF_INFO`], so a version 2 key is never the key of another use of the secret.
//!
//! `salt` is 16 random bytes per row, `iv` 12 random bytes, `ct` the ciphertext || 16-byte tag of
//! the private JWK JSON, and the AAD is the RFC 7638 thumbprint of the row's public key, so a
//! sealed key moved to another row does not open.
//!
//! The parser is total: every column is a typed refusal or a [`Sealed`] whose KDF cost is bounded,
//! before any secret is touched (`fuzz/fuzz_targets/seal_open.rs`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{Secret, PBKDF2_ITERATIONS};
use crate::crypto;
use crate::error::Result;
use crate::jwk::{PrivateJwk, PublicJwk};

/// Iteration counts accepted on read. The floor refuses rows weakened by whoever could write the
/// table; the ceiling keeps a hostile row from pinning a CPU (10M iterations is ~1 s).
pub(super) const ITERATIONS_ACCEPTED: std::ops::RangeInclusive<u32> = 100_000..=10_000_000;

/// HKDF `info` of version 2: names the format, the cipher and what is sealed.
pub(super) const HKDF_INFO: &[u8] = b"authjwt-v2 A256GCM private JWK";

const PBKDF2_NAME: &str = "PBKDF2-SHA256";
const HKDF_NAME: &str = "HKDF-SHA256";
const SALT_LEN: usize = 16;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// A 4096-bit RSA private JWK is ~3.2 KiB; anything far larger is not a key.
const MAX_CT_LEN: usize = 64 * 1024;

/// The envelope version written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    /// PBKDF2 always.
    V1,
    /// HKDF for secrets of full entropy, PBKDF2 for the others.
    V2,
}

/// How the row's key is derived from the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kdf {
    /// PBKDF2-HMAC-SHA256 with this many iterations.
    Pbkdf2 { iterations: u32 },
    /// HKDF-SHA256 with [`HKDF_INFO`].
    Hkdf,
}

impl Kdf {
    fn derive(self, secret: &Secret, salt: &[u8]) -> Zeroizing<[u8; 32]> {
        let ikm = secret.value.as_bytes();
        match self {
            Kdf::Pbkdf2 { iterations } => crypto::pbkdf2_hmac_sha256(ikm, salt, iterations),
            Kdf::Hkdf => crypto::hkdf_sha256(ikm, salt, HKDF_INFO),
        }
    }
}

/// The column's JSON object. Field order is the documented member order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    v: u32,
    alg: String,
    kdf: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iter: Option<u32>,
    salt: String,
    iv: String,
    ct: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sv: Option<u64>,
}

/// A parsed, validated column, ready to be opened.
pub(super) struct Sealed {
    /// `authjwt-v1` or `authjwt-v2`.
    pub(super) name: &'static str,
    pub(super) kdf: Kdf,
    salt: Vec<u8>,
    iv: [u8; IV_LEN],
    ct: Vec<u8>,
    /// The version of the secret that sealed it (`"sv"`), when it was versioned.
    pub(super) secret_version: Option<u64>,
}

/// Seals `key` with `secret` (whose Better Auth-style version is `version`) in envelope
/// `envelope`; `full_entropy` is the secret's [`super::strength::has_full_entropy`].
pub(super) fn seal(
    envelope: Version,
    secret: &Secret,
    full_entropy: bool,
    version: Option<u64>,
    key: &PrivateJwk,
) -> Result<String> {
    let kdf = match envelope {
        Version::V2 if full_entropy => Kdf::Hkdf,
        _ => Kdf::Pbkdf2 {
            iterations: PBKDF2_ITERATIONS,
        },
    };
    let mut salt = [0u8; SALT_LEN];
    crypto::fill_random(&mut salt)?;
    let mut iv = [0u8; IV_LEN];
    crypto::fill_random(&mut iv)?;
    let cek = kdf.derive(secret, &salt);
    let aad = key.public().thumbprint();
    let plaintext = key.to_json();
    let ct = crypto::aes256gcm_seal(&cek, &iv, aad.as_bytes(), plaintext.as_bytes())?;
    let (kdf_name, iter) = match kdf {
        Kdf::Pbkdf2 { iterations } => (PBKDF2_NAME, Some(iterations)),
        Kdf::Hkdf => (HKDF_NAME, None),
    };
    let envelope = Envelope {
        v: match envelope {
            Version::V1 => 1,
            Version::V2 => 2,
        },
        alg: "A256GCM".to_owned(),
        kdf: kdf_name.to_owned(),
        iter,
        salt: URL_SAFE_NO_PAD.encode(salt),
        iv: URL_SAFE_NO_PAD.encode(iv),
        ct: URL_SAFE_NO_PAD.encode(ct),
        sv: version,
    };
    // Serializing a struct of strings and integers cannot fail; map it anyway rather than unwrap.
    serde_json::to_string(&envelope)
        .map_err(|e| crate::Error::InvalidConfig(format!("cannot serialize the sealed key: {e}")))
}

/// Parses and validates the column; the error says what is wrong with it (never secret material).
pub(super) fn parse(column: &str) -> std::result::Result<Sealed, String> {
    let env: Envelope =
        serde_json::from_str(column).map_err(|e| format!("malformed authjwt column ({e})"))?;
    let name = match env.v {
        1 => "authjwt-v1",
        2 => "authjwt-v2",
        other => {
            return Err(format!(
                "authjwt column has version {other}; this build reads versions 1 and 2 (upgrade \
                 authjwt?)"
            ))
        }
    };
    if env.alg != "A256GCM" {
        return Err(format!(
            "{name} column names an unknown alg (expected A256GCM)"
        ));
    }
    let kdf = match (env.v, env.kdf.as_str(), env.iter) {
        (_, PBKDF2_NAME, Some(iter)) if ITERATIONS_ACCEPTED.contains(&iter) => {
            Kdf::Pbkdf2 { iterations: iter }
        }
        (_, PBKDF2_NAME, Some(iter)) => {
            return Err(format!(
                "{name} column asks for {iter} PBKDF2 iterations; accepted: {}..={}",
                ITERATIONS_ACCEPTED.start(),
                ITERATIONS_ACCEPTED.end()
            ))
        }
        (_, PBKDF2_NAME, None) => {
            return Err(format!(
                "{name} column names PBKDF2-SHA256 without \"iter\""
            ))
        }
        (2, HKDF_NAME, None) => Kdf::Hkdf,
        (2, HKDF_NAME, Some(_)) => {
            return Err(format!(
                "{name} column gives \"iter\" for HKDF-SHA256, which has none"
            ))
        }
        (1, _, _) => {
            return Err(format!(
                "{name} column names an unknown kdf (expected {PBKDF2_NAME})"
            ))
        }
        _ => {
            return Err(format!(
                "{name} column names an unknown kdf (expected {HKDF_NAME} or {PBKDF2_NAME})"
            ))
        }
    };
    let salt = decode(&env.salt, name, "salt")?;
    if !(SALT_LEN..=64).contains(&salt.len()) {
        return Err(format!(
            "{name} salt is {} bytes; expected 16 to 64",
            salt.len()
        ));
    }
    let iv: [u8; IV_LEN] = decode(&env.iv, name, "iv")?
        .try_into()
        .map_err(|_| format!("{name} iv is not 12 bytes"))?;
    let ct = decode(&env.ct, name, "ct")?;
    if ct.len() <= TAG_LEN || ct.len() > MAX_CT_LEN {
        return Err(format!("{name} ct is {} bytes; not a sealed key", ct.len()));
    }
    Ok(Sealed {
        name,
        kdf,
        salt,
        iv,
        ct,
        secret_version: env.sv,
    })
}

impl Sealed {
    /// The plaintext if `secret` opens it for the row whose public key is `public`.
    pub(super) fn open_with(
        &self,
        secret: &Secret,
        public: &PublicJwk,
    ) -> Option<Zeroizing<Vec<u8>>> {
        let cek = self.kdf.derive(secret, &self.salt);
        let aad = public.thumbprint();
        crypto::aes256gcm_open(&cek, &self.iv, aad.as_bytes(), &self.ct)
    }
}

fn decode(value: &str, name: &str, member: &str) -> std::result::Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| format!("{name} {member} is not base64url without padding"))
}
