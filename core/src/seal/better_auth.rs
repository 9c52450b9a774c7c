//! Better Auth's format, byte-compatible with `symmetricEncrypt`/`symmetricDecrypt` of the
//! `better-auth` npm package, as read in its 1.7.24 source (`dist/crypto/index.mjs`):
//!
//! - key = SHA-256 of the UTF-8 secret; XChaCha20-Poly1305 (`@noble/ciphers`' `managedNonce`), no
//!   AAD; output = lowercase hex of nonce(24) || ciphertext || tag(16).
//! - versioned secrets (`secrets: [{version, value}]`, current first): the hex is wrapped as
//!   `$ba$<version>$<hex>` with the current version; reading picks the secret of that version. A
//!   bare hex payload is opened with the unversioned (`secret`) one.
//! - the jwt plugin stores `JSON.stringify(encrypted)`, so the column is a JSON string literal, and
//!   the plaintext is `JSON.stringify(privateWebKey)`.

use zeroize::Zeroizing;

use super::Secret;
use crate::crypto;
use crate::error::{Error, Result};
use crate::jwk::PrivateJwk;

const ENVELOPE_PREFIX: &str = "$ba$";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// A 4096-bit RSA private JWK is ~3.2 KiB; anything far larger is not a key.
const MAX_PAYLOAD_LEN: usize = 64 * 1024;

/// A parsed column, ready to be opened.
pub(super) struct Sealed {
    /// `Some(v)` for a `$ba$<v>$` envelope, `None` for bare hex.
    pub(super) version: Option<u64>,
    nonce: [u8; NONCE_LEN],
    ct: Vec<u8>,
}

/// Seals `key` with `secret`; a versioned secret writes the `$ba$<version>$` envelope.
pub(super) fn seal(secret: &Secret, version: Option<u64>, key: &PrivateJwk) -> Result<String> {
    let mut nonce = [0u8; NONCE_LEN];
    crypto::fill_random(&mut nonce)?;
    let cek = Zeroizing::new(crypto::sha256(secret.value.as_bytes()));
    let plaintext = key.to_json();
    let ct = crypto::xchacha20poly1305_seal(&cek, &nonce, plaintext.as_bytes())?;
    let mut hex = String::with_capacity(2 * (NONCE_LEN + ct.len()));
    push_hex(&mut hex, &nonce);
    push_hex(&mut hex, &ct);
    let payload = match version {
        Some(v) => format!("{ENVELOPE_PREFIX}{v}${hex}"),
        None => hex,
    };
    serde_json::to_string(&payload)
        .map_err(|e| Error::InvalidConfig(format!("cannot serialize the sealed key: {e}")))
}

/// Parses the string inside the column's JSON string literal.
pub(super) fn parse(payload: &str) -> std::result::Result<Sealed, String> {
    let (version, hex) = match payload.strip_prefix(ENVELOPE_PREFIX) {
        Some(rest) => {
            let (v, hex) = rest
                .split_once('$')
                .ok_or("better-auth envelope has no `$` after its version")?;
            let v = parse_version(v)
                .ok_or("better-auth envelope version is not a non-negative integer")?;
            (Some(v), hex)
        }
        None => (None, payload),
    };
    if hex.len() > 2 * MAX_PAYLOAD_LEN {
        return Err("better-auth payload is too long to be a sealed key".to_owned());
    }
    let bytes = decode_hex(hex).ok_or("better-auth payload is not hex")?;
    if bytes.len() <= NONCE_LEN + TAG_LEN {
        return Err(format!(
            "better-auth payload is {} bytes; too short",
            bytes.len()
        ));
    }
    let (nonce, ct) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| "better-auth nonce is not 24 bytes".to_owned())?;
    Ok(Sealed {
        version,
        nonce,
        ct: ct.to_vec(),
    })
}

impl Sealed {
    /// The plaintext if `secret` opens it.
    pub(super) fn open_with(&self, secret: &Secret) -> Option<Zeroizing<Vec<u8>>> {
        let cek = Zeroizing::new(crypto::sha256(secret.value.as_bytes()));
        crypto::xchacha20poly1305_open(&cek, &self.nonce, &self.ct)
    }
}

/// A secret version as Better Auth accepts it: a non-negative decimal integer. Leading zeros are
/// tolerated on read (Better Auth's `parseInt`), never written.
pub(super) fn parse_version(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = hex.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}
