//! The one seam to cryptographic primitives. Nothing outside this module names a crypto crate.
//!
//! Two backends implement the same operations: `aws-lc` (aws-lc-rs) and `rust-crypto` (RustCrypto
//! crates). Both may be compiled at once; [`Backend::preferred`] serves the default API.

use zeroize::Zeroizing;

use crate::alg::{Algorithm, KeyPairConfig};
use crate::error::Result;
use crate::jwk::{PrivateJwk, PublicJwk};

/// A crypto backend compiled into this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// aws-lc-rs.
    #[cfg(feature = "aws-lc")]
    AwsLc,
    /// RustCrypto crates (pure Rust).
    #[cfg(feature = "rust-crypto")]
    RustCrypto,
}

impl Backend {
    /// `AwsLc` when compiled in, else `RustCrypto`.
    pub fn preferred() -> Backend {
        todo!()
    }

    /// Every backend compiled into this build.
    pub fn all() -> &'static [Backend] {
        todo!()
    }
}

/// A parsed private key bound to one algorithm. Parse once, sign many times. `Debug` shows no secret.
pub struct SigningKey {
    _todo: (),
}

impl SigningKey {
    /// Generates a key pair for `config` with the preferred backend.
    pub fn generate(config: &KeyPairConfig) -> Result<Self> {
        Self::generate_with(Backend::preferred(), config)
    }

    /// Generates a key pair with a given backend.
    pub fn generate_with(backend: Backend, config: &KeyPairConfig) -> Result<Self> {
        todo!("{backend:?} {config:?}")
    }

    /// Imports a private JWK for `alg` (preferred backend): checks strength and that the JWK's public
    /// members equal the public key derived from the private ones.
    pub fn from_private_jwk(jwk: &PrivateJwk, alg: Algorithm) -> Result<Self> {
        Self::from_private_jwk_with(Backend::preferred(), jwk, alg)
    }

    /// [`SigningKey::from_private_jwk`] with a given backend.
    pub fn from_private_jwk_with(
        backend: Backend,
        jwk: &PrivateJwk,
        alg: Algorithm,
    ) -> Result<Self> {
        todo!("{backend:?} {jwk:?} {alg}")
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        todo!()
    }

    /// The public key, derived from the private key.
    pub fn public_jwk(&self) -> &PublicJwk {
        todo!()
    }

    /// Exports the private key as a JWK.
    pub fn to_private_jwk(&self) -> Result<PrivateJwk> {
        todo!()
    }

    /// Signs the JWS signing input; ECDSA signatures come in the fixed-size JOSE form (r || s).
    pub fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>> {
        todo!("{}", signing_input.len())
    }
}

/// A parsed public key bound to one algorithm.
pub struct VerifyingKey {
    _todo: (),
}

impl VerifyingKey {
    /// Imports a public JWK for `alg` with the preferred backend; the key must fit the algorithm and
    /// pass the strength rules ([`crate::error::Error::WeakKey`]).
    pub fn from_public_jwk(jwk: &PublicJwk, alg: Algorithm) -> Result<Self> {
        Self::from_public_jwk_with(Backend::preferred(), jwk, alg)
    }

    /// [`VerifyingKey::from_public_jwk`] with a given backend.
    pub fn from_public_jwk_with(backend: Backend, jwk: &PublicJwk, alg: Algorithm) -> Result<Self> {
        todo!("{backend:?} {jwk:?} {alg}")
    }

    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        todo!()
    }

    /// Verifies a JOSE-form signature; any failure is `SignatureVerificationFailed`.
    pub fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<()> {
        todo!("{} {}", signing_input.len(), signature.len())
    }
}

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
