//! Public and private JWKs (RFC 7517): parsing, export in Better Auth's exact member order, RFC 7638
//! thumbprints, and the key-strength rules applied on import.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::alg::{EcCurve, KeyKind};
use crate::error::Result;

/// A public key as a JWK. Bytes are the decoded base64url members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicJwk {
    /// `{"crv":"Ed25519","x":..,"kty":"OKP"}`
    Ed25519 {
        /// The 32-byte public key.
        x: [u8; 32],
    },
    /// `{"kty":"EC","x":..,"y":..,"crv":..}`
    Ec {
        /// The curve.
        crv: EcCurve,
        /// Affine x, `crv.field_len()` bytes.
        x: Vec<u8>,
        /// Affine y, `crv.field_len()` bytes.
        y: Vec<u8>,
    },
    /// `{"kty":"RSA","n":..,"e":..}`
    Rsa {
        /// Modulus, big-endian, no leading zero.
        n: Vec<u8>,
        /// Public exponent, big-endian, no leading zero.
        e: Vec<u8>,
    },
}

impl PublicJwk {
    /// Parses a public JWK JSON object; extra members (kid, alg, use...) are ignored here.
    pub fn from_json(json: &str) -> Result<Self> {
        todo!("{json}")
    }

    /// Parses a public JWK from an already parsed JSON object.
    pub fn from_map(obj: &Map<String, Value>) -> Result<Self> {
        todo!("{obj:?}")
    }

    /// Which key this is.
    pub fn kind(&self) -> KeyKind {
        todo!()
    }

    /// The JSON Better Auth stores in `publicKey`, members in its order.
    pub fn to_json(&self) -> String {
        todo!()
    }

    /// The JWK as an ordered JSON object (same members and order as [`PublicJwk::to_json`]).
    pub fn to_map(&self) -> Map<String, Value> {
        todo!()
    }

    /// RFC 7638 SHA-256 thumbprint, base64url without padding.
    pub fn thumbprint(&self) -> String {
        todo!()
    }
}

/// A private key as a JWK. Secret members are zeroized on drop and never shown by `Debug`.
#[derive(Clone)]
pub struct PrivateJwk {
    public: PublicJwk,
    secret: PrivateParts,
}

/// The secret members of a private JWK.
#[derive(Clone)]
pub enum PrivateParts {
    /// Ed25519 seed `d`.
    Ed25519 {
        /// 32-byte seed.
        d: Zeroizing<Vec<u8>>,
    },
    /// EC private scalar `d`.
    Ec {
        /// Scalar, `crv.field_len()` bytes.
        d: Zeroizing<Vec<u8>>,
    },
    /// RSA private members.
    Rsa {
        /// Private exponent.
        d: Zeroizing<Vec<u8>>,
        /// First prime.
        p: Zeroizing<Vec<u8>>,
        /// Second prime.
        q: Zeroizing<Vec<u8>>,
        /// d mod (p-1).
        dp: Zeroizing<Vec<u8>>,
        /// d mod (q-1).
        dq: Zeroizing<Vec<u8>>,
        /// q^-1 mod p.
        qi: Zeroizing<Vec<u8>>,
    },
}

impl PrivateJwk {
    /// Assembles a private JWK from its public and secret parts (the crypto backends' export).
    pub fn from_parts(public: PublicJwk, secret: PrivateParts) -> Self {
        PrivateJwk { public, secret }
    }

    /// Parses a private JWK JSON object. The public members are read but not trusted: a signing key
    /// built from this checks them against the key it derives.
    pub fn from_json(json: &str) -> Result<Self> {
        todo!("{}", json.len())
    }

    /// The JSON of the private JWK (public members, then secret ones), as Better Auth writes it.
    pub fn to_json(&self) -> Zeroizing<String> {
        todo!()
    }

    /// The public members.
    pub fn public(&self) -> &PublicJwk {
        &self.public
    }

    /// The secret members.
    pub fn secret(&self) -> &PrivateParts {
        &self.secret
    }
}

impl std::fmt::Debug for PrivateJwk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateJwk")
            .field("public", &self.public)
            .field("secret", &"<redacted>")
            .finish()
    }
}
