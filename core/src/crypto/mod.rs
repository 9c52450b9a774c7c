//! The one seam to cryptographic primitives. Nothing outside this module names a crypto crate.
//!
//! Two backends implement the same operations: `aws-lc` (aws-lc-rs) and `rust-crypto` (RustCrypto
//! crates). Both may be compiled at once; [`Backend::preferred`] serves the default API.
//! Symmetric primitives (random, hashing, PBKDF2, AEADs) live in [`symmetric`], with one file per
//! backend as here; the backend-independent Ed25519 point rules in `ed25519`.
//!
//! Keys are parsed once into backend handles ([`SigningKey`], [`VerifyingKey`]); signing and
//! verification never re-parse. The checks that must not depend on a backend's leniency run here,
//! before either backend sees the input: JOSE ECDSA signature length and `1 <= r, s < n`, strict
//! Ed25519 (`S < L`, no small-order or non-canonical `R` or `A`), RSA signature length.

#[cfg(feature = "aws-lc")]
mod aws_lc;
mod ed25519;
#[cfg(feature = "rust-crypto")]
mod rust_crypto;
mod signer_output;
mod symmetric;

pub(crate) use ed25519::ed25519_encoding_is_weak;
#[cfg(test)]
pub(crate) use ed25519::p_plus as ed25519_p_plus;
pub use signer_output::{
    ecdsa_der_to_jose, jose_signature, signing_digest, signing_hash, SignatureShapeError,
};
pub use symmetric::{
    aes256gcm_open, aes256gcm_seal, fill_random, hkdf_sha256, pbkdf2_hmac_sha256, sha256,
    xchacha20poly1305_open, xchacha20poly1305_seal,
};

use crate::alg::{Algorithm, EcCurve, KeyKind, KeyPairConfig, GENERATED_RSA_BITS};
use crate::error::{Error, Result};
use crate::jwk::{PrivateJwk, PublicJwk};
use ed25519::ed25519_is_on_curve;

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
        Backend::all()[0]
    }

    /// Every backend compiled into this build.
    pub fn all() -> &'static [Backend] {
        &[
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc,
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto,
        ]
    }

    /// A short name for messages and test output (`aws-lc`, `rust-crypto`).
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => "aws-lc",
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => "rust-crypto",
        }
    }
}

/// A parsed private key bound to one algorithm. Parse once, sign many times. `Debug` shows no secret.
pub struct SigningKey {
    alg: Algorithm,
    public: PublicJwk,
    inner: SignerHandle,
}

enum SignerHandle {
    #[cfg(feature = "aws-lc")]
    AwsLc(aws_lc::Signer),
    #[cfg(feature = "rust-crypto")]
    RustCrypto(rust_crypto::Signer),
}

impl SigningKey {
    /// Generates a key pair for `config` with the preferred backend.
    pub fn generate(config: &KeyPairConfig) -> Result<Self> {
        Self::generate_with(Backend::preferred(), config)
    }

    /// Generates a key pair with a given backend.
    pub fn generate_with(backend: Backend, config: &KeyPairConfig) -> Result<Self> {
        let alg = config.alg;
        if alg.key_kind() == KeyKind::Rsa && !GENERATED_RSA_BITS.contains(&config.modulus_length) {
            return Err(Error::InvalidConfig(format!(
                "modulusLength {} is not supported: use 2048, 3072 or 4096",
                config.modulus_length
            )));
        }
        let (inner, public) = match backend {
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => {
                let (signer, public) = aws_lc::Signer::generate(config)?;
                (SignerHandle::AwsLc(signer), public)
            }
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => {
                let (signer, public) = rust_crypto::Signer::generate(config)?;
                (SignerHandle::RustCrypto(signer), public)
            }
        };
        Ok(SigningKey { alg, public, inner })
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
        check_fits(jwk.public(), alg)?;
        jwk.public().check_strength()?;
        let (inner, derived) = match backend {
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => {
                let (signer, public) = aws_lc::Signer::from_private_jwk(jwk, alg)?;
                (SignerHandle::AwsLc(signer), public)
            }
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => {
                let (signer, public) = rust_crypto::Signer::from_private_jwk(jwk, alg)?;
                (SignerHandle::RustCrypto(signer), public)
            }
        };
        // The public key is always derived from the private key, never trusted from the caller.
        if &derived != jwk.public() {
            return Err(public_mismatch());
        }
        Ok(SigningKey {
            alg,
            public: derived,
            inner,
        })
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The backend holding this key.
    pub fn backend(&self) -> Backend {
        match self.inner {
            #[cfg(feature = "aws-lc")]
            SignerHandle::AwsLc(_) => Backend::AwsLc,
            #[cfg(feature = "rust-crypto")]
            SignerHandle::RustCrypto(_) => Backend::RustCrypto,
        }
    }

    /// The public key, derived from the private key.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// Exports the private key as a JWK.
    pub fn to_private_jwk(&self) -> Result<PrivateJwk> {
        let secret = match &self.inner {
            #[cfg(feature = "aws-lc")]
            SignerHandle::AwsLc(signer) => signer.private_parts()?,
            #[cfg(feature = "rust-crypto")]
            SignerHandle::RustCrypto(signer) => signer.private_parts()?,
        };
        Ok(PrivateJwk::from_parts(self.public.clone(), secret))
    }

    /// Signs the JWS signing input; ECDSA signatures come in the fixed-size JOSE form (r || s).
    pub fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>> {
        match &self.inner {
            #[cfg(feature = "aws-lc")]
            SignerHandle::AwsLc(signer) => signer.sign(signing_input),
            #[cfg(feature = "rust-crypto")]
            SignerHandle::RustCrypto(signer) => signer.sign(signing_input),
        }
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("backend", &self.backend())
            .field("public", &self.public)
            .field("private", &"<redacted>")
            .finish()
    }
}

/// A parsed public key bound to one algorithm.
pub struct VerifyingKey {
    alg: Algorithm,
    public: PublicJwk,
    inner: VerifierHandle,
}

enum VerifierHandle {
    #[cfg(feature = "aws-lc")]
    AwsLc(aws_lc::Verifier),
    #[cfg(feature = "rust-crypto")]
    RustCrypto(rust_crypto::Verifier),
}

impl VerifyingKey {
    /// Imports a public JWK for `alg` with the preferred backend; the key must fit the algorithm and
    /// pass the strength rules ([`crate::error::Error::WeakKey`]).
    pub fn from_public_jwk(jwk: &PublicJwk, alg: Algorithm) -> Result<Self> {
        Self::from_public_jwk_with(Backend::preferred(), jwk, alg)
    }

    /// [`VerifyingKey::from_public_jwk`] with a given backend.
    ///
    /// A key of another type than `alg` needs is [`Error::JwksInvalid`]; an EC point that is not
    /// on its curve, and any key failing the strength rules, is [`Error::WeakKey`].
    pub fn from_public_jwk_with(backend: Backend, jwk: &PublicJwk, alg: Algorithm) -> Result<Self> {
        check_fits(jwk, alg)?;
        jwk.check_strength()?;
        // aws-lc would accept an undecodable Ed25519 key and fail every verification; refuse it
        // here so both backends treat it as the bad point it is.
        if let PublicJwk::Ed25519 { x } = jwk {
            if !ed25519_is_on_curve(x) {
                return Err(Error::WeakKey(
                    "Ed25519 public key is not a point on the curve".to_owned(),
                ));
            }
        }
        let inner = match backend {
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => VerifierHandle::AwsLc(aws_lc::Verifier::new(jwk, alg)?),
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => {
                VerifierHandle::RustCrypto(rust_crypto::Verifier::new(jwk, alg)?)
            }
        };
        Ok(VerifyingKey {
            alg,
            public: jwk.clone(),
            inner,
        })
    }

    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The public key this verifier was built from.
    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// The backend holding this key.
    pub fn backend(&self) -> Backend {
        match self.inner {
            #[cfg(feature = "aws-lc")]
            VerifierHandle::AwsLc(_) => Backend::AwsLc,
            #[cfg(feature = "rust-crypto")]
            VerifierHandle::RustCrypto(_) => Backend::RustCrypto,
        }
    }

    /// Verifies a JOSE-form signature; any failure is `SignatureVerificationFailed`.
    pub fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<()> {
        if !self.signature_is_well_formed(signature) {
            return Err(Error::SignatureVerificationFailed);
        }
        let ok = match &self.inner {
            #[cfg(feature = "aws-lc")]
            VerifierHandle::AwsLc(v) => v.verify(signing_input, signature),
            #[cfg(feature = "rust-crypto")]
            VerifierHandle::RustCrypto(v) => v.verify(signing_input, signature),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::SignatureVerificationFailed)
        }
    }

    /// Backend-independent checks on the signature bytes (RFC 7518 §3.4, RFC 8032 §5.1.7).
    fn signature_is_well_formed(&self, sig: &[u8]) -> bool {
        match &self.public {
            PublicJwk::Ed25519 { .. } => ed25519_signature_is_canonical(sig),
            PublicJwk::Ec { crv, .. } => ecdsa_signature_in_range(*crv, sig),
            PublicJwk::Rsa { n, .. } => sig.len() == n.len(),
        }
    }
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("alg", &self.alg)
            .field("backend", &self.backend())
            .field("public", &self.public)
            .finish()
    }
}

fn check_fits(jwk: &PublicJwk, alg: Algorithm) -> Result<()> {
    if jwk.kind() == alg.key_kind() {
        return Ok(());
    }
    let want = match alg.key_kind() {
        KeyKind::Ed25519 => "an OKP Ed25519 key".to_owned(),
        KeyKind::Ec(crv) => format!("an EC {} key", crv.name()),
        KeyKind::Rsa => "an RSA key".to_owned(),
    };
    let have = match jwk.crv() {
        Some(crv) => format!("{} {crv}", jwk.kty()),
        None => jwk.kty().to_owned(),
    };
    Err(Error::JwksInvalid(format!(
        "{alg} needs {want}, not a {have} key"
    )))
}

fn public_mismatch() -> Error {
    Error::WeakKey(
        "the private JWK's public members do not match the public key derived from its private \
         members (the public key is always derived from the private key, never trusted)"
            .to_owned(),
    )
}

/// Maps a backend's refusal of a private key to a clear error.
fn invalid_private_key(what: &str) -> Error {
    Error::WeakKey(format!(
        "invalid {what} private key: its members do not form a valid key pair"
    ))
}

/// The group order L of Ed25519, little-endian (RFC 8032 §5.1).
const ED25519_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Strict Ed25519 signature shape: 64 bytes, `S < L`, and `R` neither small-order nor
/// non-canonical (ed25519-speccheck). aws-lc checks `S < L` itself but accepts small-order `R`.
fn ed25519_signature_is_canonical(sig: &[u8]) -> bool {
    let Ok(sig) = <&[u8; 64]>::try_from(sig) else {
        return false;
    };
    let mut r = [0u8; 32];
    r.copy_from_slice(&sig[..32]);
    // S < L, compared from the most significant byte (little-endian encoding).
    let s_below_l = sig[32..]
        .iter()
        .rev()
        .zip(ED25519_L.iter().rev())
        .find(|(s, l)| s != l)
        .is_some_and(|(s, l)| s < l);
    s_below_l && !ed25519_encoding_is_weak(&r)
}

/// JOSE ECDSA signatures are exactly r || s, each `field_len` bytes, with 1 <= r, s < n
/// (RFC 7518 §3.4; CVE-2022-21449 is what skipping this costs).
fn ecdsa_signature_in_range(crv: EcCurve, sig: &[u8]) -> bool {
    let len = crv.field_len();
    if sig.len() != 2 * len {
        return false;
    }
    let order = curve_order(crv);
    let (r, s) = sig.split_at(len);
    [r, s]
        .iter()
        .all(|v| v.iter().any(|&b| b != 0) && *v < order)
}

/// The group order n of a NIST curve, big-endian, `field_len` bytes.
fn curve_order(crv: EcCurve) -> &'static [u8] {
    const P256: [u8; 32] =
        hex_bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const P384: [u8; 48] = hex_bytes(
        "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    );
    const P521: [u8; 66] = hex_bytes(
        "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    );
    match crv {
        EcCurve::P256 => &P256,
        EcCurve::P384 => &P384,
        EcCurve::P521 => &P521,
    }
}

/// Decodes a lowercase hex constant at compile time (a bad constant fails the build).
const fn hex_bytes<const N: usize>(hex: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => [0u8][c as usize], // out-of-bounds index: compile-time error for a bad digit
        }
    }
    let bytes = hex.as_bytes();
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = nibble(bytes[2 * i]) << 4 | nibble(bytes[2 * i + 1]);
        i += 1;
    }
    out
}

/// Left-pads a big-endian integer to `len` bytes (backends may drop leading zeros).
#[cfg_attr(not(feature = "aws-lc"), allow(dead_code))]
fn left_pad(bytes: &[u8], len: usize) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    let bytes = &bytes[bytes.iter().take_while(|&&b| b == 0).count()..];
    if bytes.len() > len {
        return None;
    }
    let mut out = zeroize::Zeroizing::new(vec![0u8; len]);
    out[len - bytes.len()..].copy_from_slice(bytes);
    Some(out)
}

#[cfg(test)]
mod tests;
