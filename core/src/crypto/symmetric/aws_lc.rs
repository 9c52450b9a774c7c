//! The `aws-lc` backend of the symmetric primitives (aws-lc-rs).

use std::num::NonZeroU32;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::{digest, hkdf, pbkdf2, rand};
use zeroize::Zeroizing;

pub(super) fn fill_random(buf: &mut [u8]) -> Result<(), ()> {
    rand::fill(buf).map_err(|_| ())
}

pub(super) fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

pub(super) fn pbkdf2_hmac_sha256(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let iterations = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        password,
        out.as_mut(),
    );
    out
}

pub(super) fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    let info = [info];
    // `HKDF_SHA256` as the key type asks for exactly its digest length (32 bytes), which
    // expand and fill always accept; the error arms cannot be reached.
    let filled = hkdf::Salt::new(hkdf::HKDF_SHA256, salt)
        .extract(ikm)
        .expand(&info, hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(out.as_mut()));
    debug_assert!(filled.is_ok());
    out
}

fn aes_key(key: &[u8; 32]) -> Option<LessSafeKey> {
    UnboundKey::new(&AES_256_GCM, key)
        .ok()
        .map(LessSafeKey::new)
}

pub(super) fn aes256gcm_seal(
    key: &[u8; 32],
    iv: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Option<Vec<u8>> {
    let key = aes_key(key)?;
    // Room for the tag up front, so the buffer holding the plaintext is never reallocated.
    let mut buf = Vec::with_capacity(plaintext.len() + AES_256_GCM.tag_len());
    buf.extend_from_slice(plaintext);
    match key.seal_in_place_append_tag(Nonce::assume_unique_for_key(*iv), Aad::from(aad), &mut buf)
    {
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
    let key = aes_key(key)?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let len = key
        .open_in_place(Nonce::assume_unique_for_key(*iv), Aad::from(aad), &mut buf)
        .ok()?
        .len();
    buf.truncate(len);
    Some(buf)
}
