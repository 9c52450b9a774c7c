//! Symmetric primitives: CSPRNG, SHA-256, PBKDF2-HMAC-SHA256, AES-256-GCM, XChaCha20-Poly1305.

use zeroize::Zeroizing;

use crate::error::Result;

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) -> Result<()> {
    todo!("{}", buf.len())
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    todo!("{}", data.len())
}

/// PBKDF2-HMAC-SHA256 into a 32-byte key.
pub fn pbkdf2_hmac_sha256(password: &[u8], salt: &[u8], iterations: u32) -> Zeroizing<[u8; 32]> {
    todo!("{} {} {iterations}", password.len(), salt.len())
}

/// AES-256-GCM encryption; returns ciphertext || 16-byte tag.
pub fn aes256gcm_seal(
    key: &[u8; 32],
    iv: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    todo!(
        "{} {} {} {}",
        key.len(),
        iv.len(),
        aad.len(),
        plaintext.len()
    )
}

/// AES-256-GCM decryption of ciphertext || tag; `None` when it does not authenticate.
pub fn aes256gcm_open(
    key: &[u8; 32],
    iv: &[u8; 12],
    aad: &[u8],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    todo!(
        "{} {} {} {}",
        key.len(),
        iv.len(),
        aad.len(),
        ciphertext.len()
    )
}

/// XChaCha20-Poly1305 encryption (Better Auth's format); returns ciphertext || tag.
pub fn xchacha20poly1305_seal(
    key: &[u8; 32],
    nonce: &[u8; 24],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    todo!("{} {} {}", key.len(), nonce.len(), plaintext.len())
}

/// XChaCha20-Poly1305 decryption of ciphertext || tag; `None` when it does not authenticate.
pub fn xchacha20poly1305_open(
    key: &[u8; 32],
    nonce: &[u8; 24],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    todo!("{} {} {}", key.len(), nonce.len(), ciphertext.len())
}
