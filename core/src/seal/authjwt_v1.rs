//! The `authjwt-v1` format: AES-256-GCM under a PBKDF2-HMAC-SHA256 key, bound to its row.
//!
//! Column: `{"v":1,"alg":"A256GCM","kdf":"PBKDF2-SHA256","iter":N,"salt":b64u,"iv":b64u,"ct":b64u}`
//! plus `"sv":<version>` when the sealing secret is versioned. `salt` is 16 random bytes per row,
//! `iv` 12 random bytes, `ct` the ciphertext || 16-byte tag of the private JWK JSON, and the AAD is
//! the RFC 7638 thumbprint of the row's public key, so a sealed key moved to another row does not
//! open.

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

const SALT_LEN: usize = 16;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// A 4096-bit RSA private JWK is ~3.2 KiB; anything far larger is not a key.
const MAX_CT_LEN: usize = 64 * 1024;

/// The column's JSON object. Field order is the documented member order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    v: u32,
    alg: String,
    kdf: String,
    iter: u32,
    salt: String,
    iv: String,
    ct: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sv: Option<u64>,
}

/// A parsed, validated column, ready to be opened.
pub(super) struct Sealed {
    iterations: u32,
    salt: Vec<u8>,
    iv: [u8; IV_LEN],
    ct: Vec<u8>,
    /// The version of the secret that sealed it (`"sv"`), when it was versioned.
    pub(super) secret_version: Option<u64>,
}

/// Seals `key` with `secret` (whose Better Auth-style version is `version`).
pub(super) fn seal(secret: &Secret, version: Option<u64>, key: &PrivateJwk) -> Result<String> {
    let mut salt = [0u8; SALT_LEN];
    crypto::fill_random(&mut salt)?;
    let mut iv = [0u8; IV_LEN];
    crypto::fill_random(&mut iv)?;
    let cek = crypto::pbkdf2_hmac_sha256(secret.value.as_bytes(), &salt, PBKDF2_ITERATIONS);
    let aad = key.public().thumbprint();
    let plaintext = key.to_json();
    let ct = crypto::aes256gcm_seal(&cek, &iv, aad.as_bytes(), plaintext.as_bytes())?;
    let envelope = Envelope {
        v: 1,
        alg: "A256GCM".to_owned(),
        kdf: "PBKDF2-SHA256".to_owned(),
        iter: PBKDF2_ITERATIONS,
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
        serde_json::from_str(column).map_err(|e| format!("malformed authjwt-v1 column ({e})"))?;
    if env.v != 1 {
        return Err(format!(
            "authjwt-v1 column has version {}; this build reads version 1 (upgrade authjwt?)",
            env.v
        ));
    }
    if env.alg != "A256GCM" || env.kdf != "PBKDF2-SHA256" {
        return Err(
            "authjwt-v1 column names an unknown alg/kdf (expected A256GCM, PBKDF2-SHA256)"
                .to_owned(),
        );
    }
    if !ITERATIONS_ACCEPTED.contains(&env.iter) {
        return Err(format!(
            "authjwt-v1 column asks for {} PBKDF2 iterations; accepted: {}..={}",
            env.iter,
            ITERATIONS_ACCEPTED.start(),
            ITERATIONS_ACCEPTED.end()
        ));
    }
    let salt = decode(&env.salt, "salt")?;
    if !(SALT_LEN..=64).contains(&salt.len()) {
        return Err(format!(
            "authjwt-v1 salt is {} bytes; expected 16 to 64",
            salt.len()
        ));
    }
    let iv: [u8; IV_LEN] = decode(&env.iv, "iv")?
        .try_into()
        .map_err(|_| "authjwt-v1 iv is not 12 bytes".to_owned())?;
    let ct = decode(&env.ct, "ct")?;
    if ct.len() <= TAG_LEN || ct.len() > MAX_CT_LEN {
        return Err(format!(
            "authjwt-v1 ct is {} bytes; not a sealed key",
            ct.len()
        ));
    }
    Ok(Sealed {
        iterations: env.iter,
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
        let cek = crypto::pbkdf2_hmac_sha256(secret.value.as_bytes(), &self.salt, self.iterations);
        let aad = public.thumbprint();
        crypto::aes256gcm_open(&cek, &self.iv, aad.as_bytes(), &self.ct)
    }
}

fn decode(value: &str, member: &str) -> std::result::Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| format!("authjwt-v1 {member} is not base64url without padding"))
}
