//! Symmetric primitives: CSPRNG, SHA-256, PBKDF2-HMAC-SHA256, HKDF-SHA256, AES-256-GCM,
//! XChaCha20-Poly1305.
//!
//! The first five come from the preferred backend (aws-lc-rs when feature `aws-lc` is on, else the
//! RustCrypto crates); XChaCha20-Poly1305 (Better Auth's sealed keys) comes from `chacha20poly1305`
//! in both builds. Key material passes through as borrowed slices or [`Zeroizing`] buffers.

use zeroize::Zeroizing;

use crate::error::{Error, Result};

#[cfg(feature = "aws-lc")]
mod aws_lc;
#[cfg(feature = "rust-crypto")]
#[cfg_attr(feature = "aws-lc", allow(dead_code))]
mod rust_crypto;

#[cfg(feature = "aws-lc")]
use aws_lc as preferred;
#[cfg(not(feature = "aws-lc"))]
use rust_crypto as preferred;

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) -> Result<()> {
    preferred::fill_random(buf).map_err(|()| {
        Error::InvalidConfig(
            "the operating system's random number generator is unavailable".to_owned(),
        )
    })
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    preferred::sha256(data)
}

/// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) into a 32-byte key. An iteration count of 0 is treated as 1,
/// as RFC 8018 requires c >= 1 (callers validate their counts before this).
pub fn pbkdf2_hmac_sha256(password: &[u8], salt: &[u8], iterations: u32) -> Zeroizing<[u8; 32]> {
    preferred::pbkdf2_hmac_sha256(password, salt, iterations.max(1))
}

/// HKDF-SHA256 (RFC 5869, extract then expand) into a 32-byte key: the first 32 bytes of the OKM.
pub fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    preferred::hkdf_sha256(ikm, salt, info)
}

/// AES-256-GCM encryption; returns ciphertext || 16-byte tag.
pub fn aes256gcm_seal(
    key: &[u8; 32],
    iv: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    preferred::aes256gcm_seal(key, iv, aad, plaintext).ok_or_else(aead_refused)
}

/// AES-256-GCM decryption of ciphertext || tag; `None` when it does not authenticate.
pub fn aes256gcm_open(
    key: &[u8; 32],
    iv: &[u8; 12],
    aad: &[u8],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    preferred::aes256gcm_open(key, iv, aad, ciphertext)
}

/// XChaCha20-Poly1305 encryption (Better Auth's format, no AAD); returns ciphertext || tag.
pub fn xchacha20poly1305_seal(
    key: &[u8; 32],
    nonce: &[u8; 24],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    xchacha::seal(key, nonce, &[], plaintext).ok_or_else(aead_refused)
}

/// XChaCha20-Poly1305 decryption of ciphertext || tag (no AAD); `None` when it does not
/// authenticate.
pub fn xchacha20poly1305_open(
    key: &[u8; 32],
    nonce: &[u8; 24],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    xchacha::open(key, nonce, &[], ciphertext)
}

// The only way an AEAD refuses to seal is an input past its length limit (~64 GiB).
fn aead_refused() -> Error {
    Error::NotSupported("the AEAD refused the input (too long)".to_owned())
}

/// XChaCha20-Poly1305 with AAD (the public functions pass none; the AAD form is for test vectors).
mod xchacha {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    use zeroize::Zeroizing;

    pub(super) fn seal(
        key: &[u8; 32],
        nonce: &[u8; 24],
        aad: &[u8],
        msg: &[u8],
    ) -> Option<Vec<u8>> {
        let cipher = XChaCha20Poly1305::new_from_slice(key).ok()?;
        cipher
            .encrypt(&XNonce::from(*nonce), Payload { msg, aad })
            .ok()
    }

    pub(super) fn open(
        key: &[u8; 32],
        nonce: &[u8; 24],
        aad: &[u8],
        msg: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let cipher = XChaCha20Poly1305::new_from_slice(key).ok()?;
        // Decryption happens in place in the returned buffer, so the plaintext has one home.
        cipher
            .decrypt(&XNonce::from(*nonce), Payload { msg, aad })
            .ok()
            .map(Zeroizing::new)
    }
}

#[cfg(test)]
mod tests;
