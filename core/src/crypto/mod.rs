//! The one seam to cryptographic primitives. Nothing outside this module names a crypto crate.
//!
//! Two backends implement the same operations: `aws-lc` (aws-lc-rs) and `rust-crypto` (RustCrypto
//! crates). Both may be compiled at once; [`Backend::preferred`] serves the default API.
//! Symmetric primitives (random, hashing, PBKDF2, AEADs) live in [`symmetric`].

mod symmetric;

pub use symmetric::{
    aes256gcm_open, aes256gcm_seal, fill_random, pbkdf2_hmac_sha256, sha256, xchacha20poly1305_open,
    xchacha20poly1305_seal,
};

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

