//! The `rust-crypto` backend of the symmetric primitives: sha2, pbkdf2, hkdf, aes-gcm, getrandom.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::Aes256Gcm;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub(super) fn fill_random(buf: &mut [u8]) -> Result<(), ()> {
    getrandom::fill(buf).map_err(|_| ())
}

pub(super) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub(super) fn pbkdf2_hmac_sha256(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    // Generic code is compiled in this crate: unoptimized debug builds take ~1 s for 600k
    // iterations here (release: ~70 ms).
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, out.as_mut());
    out
}

pub(super) fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF's limit (255 blocks), so expand cannot fail.
    let expanded = hkdf::Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, out.as_mut());
    debug_assert!(expanded.is_ok());
    out
}

pub(super) fn aes256gcm_seal(
    key: &[u8; 32],
    iv: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Option<Vec<u8>> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let mut buf = Vec::with_capacity(plaintext.len() + 16);
    buf.extend_from_slice(plaintext);
    match cipher.encrypt_in_place(&(*iv).into(), aad, &mut buf) {
        Ok(()) => Some(buf),
        Err(_) => {
            zeroize::Zeroize::zeroize(&mut buf);
            None
        }
    }
}

pub(super) fn aes256gcm_open(
    key: &[u8; 32],
    iv: &[u8; 12],
    aad: &[u8],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place(&(*iv).into(), aad, &mut *buf)
        .ok()?;
    Some(buf)
}
