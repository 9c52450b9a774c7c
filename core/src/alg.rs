//! Signing algorithms, the key type each needs, and key-pair configuration (Better Auth's
//! `keyPairConfig`).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Smallest RSA modulus authjwt generates or accepts, in bits.
pub const MIN_RSA_BITS: u32 = 2048;
/// RSA modulus generated when `modulusLength` is not given (as Better Auth).
pub const DEFAULT_RSA_BITS: u32 = 2048;
/// Largest RSA modulus accepted, in bits; bigger keys are a denial-of-service lever.
pub const MAX_RSA_BITS: u32 = 8192;
/// RSA modulus lengths authjwt generates: the sizes both crypto backends make (aws-lc-rs has fixed
/// sizes). Keys of other sizes from 2048 to [`MAX_RSA_BITS`] bits are still imported.
pub const GENERATED_RSA_BITS: [u32; 3] = [2048, 3072, 4096];

/// A JWS signature algorithm authjwt signs and verifies with (RFC 7518, RFC 8037, RFC 9864).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// EdDSA over Ed25519 (RFC 8037); Better Auth's default.
    EdDSA,
    /// The fully specified name for EdDSA over Ed25519 (RFC 9864); same keys as [`Algorithm::EdDSA`].
    Ed25519,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// ECDSA P-521 with SHA-512.
    ES512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (salt length 32).
    PS256,
    /// RSASSA-PSS with SHA-384 (salt length 48).
    PS384,
    /// RSASSA-PSS with SHA-512 (salt length 64).
    PS512,
}

/// The elliptic curves of the ECDSA algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcCurve {
    /// NIST P-256 (`crv: "P-256"`).
    P256,
    /// NIST P-384 (`crv: "P-384"`).
    P384,
    /// NIST P-521 (`crv: "P-521"`).
    P521,
}

/// The key a family of algorithms signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// An Ed25519 key (`kty: "OKP"`, `crv: "Ed25519"`).
    Ed25519,
    /// An EC key on the given curve (`kty: "EC"`).
    Ec(EcCurve),
    /// An RSA key (`kty: "RSA"`).
    Rsa,
}

/// Every algorithm authjwt supports, in the order documentation lists them.
pub const ALL_ALGORITHMS: [Algorithm; 11] = [
    Algorithm::EdDSA,
    Algorithm::Ed25519,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

impl Algorithm {
    /// The JWS `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::EdDSA => "EdDSA",
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
        }
    }

    /// The algorithm a JWS `alg` names exactly (case-sensitive, as RFC 7515 requires), if supported.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        ALL_ALGORITHMS.into_iter().find(|a| a.name() == name)
    }

    /// The key this algorithm signs with.
    pub fn key_kind(self) -> KeyKind {
        match self {
            Algorithm::EdDSA | Algorithm::Ed25519 => KeyKind::Ed25519,
            Algorithm::ES256 => KeyKind::Ec(EcCurve::P256),
            Algorithm::ES384 => KeyKind::Ec(EcCurve::P384),
            Algorithm::ES512 => KeyKind::Ec(EcCurve::P521),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => KeyKind::Rsa,
        }
    }

    /// The `crv` Better Auth stores in the row for this algorithm, if its keys have one.
    pub fn crv(self) -> Option<&'static str> {
        match self.key_kind() {
            KeyKind::Ed25519 => Some("Ed25519"),
            KeyKind::Ec(curve) => Some(curve.name()),
            KeyKind::Rsa => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a configured algorithm name; anything that cannot sign is [`Error::InvalidConfig`].
impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        if let Some(alg) = Algorithm::from_name(name) {
            return Ok(alg);
        }
        let why = if name.starts_with("ECDH-ES") {
            format!("{name} is a key-agreement algorithm and cannot sign")
        } else if name == "Ed448" {
            "Ed448 keys are not supported".to_owned()
        } else if name.starts_with("HS") {
            format!("{name} is a shared-secret algorithm; authjwt signs only with key pairs")
        } else if name.eq_ignore_ascii_case("none") {
            "unsigned tokens (alg none) are never issued".to_owned()
        } else {
            format!("unknown algorithm {name:?}")
        };
        Err(Error::InvalidConfig(format!(
            "{why}; supported: {}",
            supported_names()
        )))
    }
}

fn supported_names() -> String {
    ALL_ALGORITHMS.map(Algorithm::name).join(", ")
}

impl EcCurve {
    /// The JWK `crv` name.
    pub fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
        }
    }

    /// The curve a JWK `crv` names, if supported.
    pub fn from_name(name: &str) -> Option<EcCurve> {
        match name {
            "P-256" => Some(EcCurve::P256),
            "P-384" => Some(EcCurve::P384),
            "P-521" => Some(EcCurve::P521),
            _ => None,
        }
    }

    /// Length in bytes of a coordinate or scalar (and half of a JOSE ECDSA signature).
    pub fn field_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }
}

/// How to generate signing keys: Better Auth's `keyPairConfig` (`{ alg, crv?, modulusLength? }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPairConfig {
    /// The signing algorithm.
    pub alg: Algorithm,
    /// RSA modulus length in bits (RSA algorithms only); defaults to 2048.
    pub modulus_length: u32,
}

impl Default for KeyPairConfig {
    /// EdDSA over Ed25519, Better Auth's default.
    fn default() -> Self {
        KeyPairConfig {
            alg: Algorithm::EdDSA,
            modulus_length: DEFAULT_RSA_BITS,
        }
    }
}

impl KeyPairConfig {
    /// Builds and checks a configuration from Better Auth's fields; fails with
    /// [`Error::InvalidConfig`] for anything that cannot sign or is too weak.
    pub fn new(alg: &str, crv: Option<&str>, modulus_length: Option<u32>) -> Result<Self> {
        let alg: Algorithm = alg.parse()?;
        if let Some(crv) = crv {
            if Some(crv) != alg.crv() {
                let expected = alg
                    .crv()
                    .map_or("no crv".to_owned(), |c| format!("crv {c}"));
                return Err(Error::InvalidConfig(format!(
                    "crv {crv} does not fit {alg}: it needs {expected}"
                )));
            }
        }
        let modulus_length = match (alg.key_kind(), modulus_length) {
            (KeyKind::Rsa, Some(bits)) if bits < MIN_RSA_BITS => {
                return Err(Error::InvalidConfig(format!(
                    "modulusLength {bits} is too short: RSA keys need at least {MIN_RSA_BITS} bits"
                )))
            }
            (KeyKind::Rsa, Some(bits)) if !GENERATED_RSA_BITS.contains(&bits) => {
                return Err(Error::InvalidConfig(format!(
                    "modulusLength {bits} is not supported: use 2048, 3072 or 4096"
                )))
            }
            (KeyKind::Rsa, Some(bits)) => bits,
            (_, Some(_)) => {
                return Err(Error::InvalidConfig(format!(
                    "modulusLength applies to RSA algorithms only, not {alg}"
                )))
            }
            (_, None) => DEFAULT_RSA_BITS,
        };
        Ok(KeyPairConfig {
            alg,
            modulus_length,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_round_trips_by_name() {
        for alg in ALL_ALGORITHMS {
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
            assert_eq!(alg.name().parse::<Algorithm>().ok(), Some(alg));
        }
        assert_eq!(
            Algorithm::from_name("eddsa"),
            None,
            "alg names are case-sensitive"
        );
    }

    #[test]
    fn ed25519_names_the_same_keys_as_eddsa() {
        assert_eq!(Algorithm::Ed25519.key_kind(), Algorithm::EdDSA.key_kind());
    }

    #[test]
    fn unsupported_configurations_fail_at_build_time() {
        for (alg, needle) in [
            ("ECDH-ES", "key-agreement"),
            ("ECDH-ES+A256KW", "key-agreement"),
            ("Ed448", "Ed448"),
            ("HS256", "shared-secret"),
            ("none", "never"),
            ("XYZ", "unknown"),
        ] {
            let err = KeyPairConfig::new(alg, None, None).err();
            let err = err.map(|e| (e.code(), e.to_string()));
            assert!(
                matches!(&err, Some((code, msg)) if *code == "ERR_INVALID_CONFIG"
                    && msg.contains(needle) && msg.contains("supported: EdDSA")),
                "{alg}: {err:?}"
            );
        }
    }

    #[test]
    fn rsa_under_2048_bits_is_refused() {
        let err = KeyPairConfig::new("RS256", None, Some(1024))
            .err()
            .map(|e| e.code());
        assert_eq!(err, Some("ERR_INVALID_CONFIG"));
        assert!(KeyPairConfig::new("PS256", None, Some(3072)).is_ok());
        assert!(KeyPairConfig::new("EdDSA", None, Some(2048)).is_err());
        assert!(KeyPairConfig::new("RS256", None, Some(2056)).is_err());
        assert!(KeyPairConfig::new("RS256", None, Some(8192)).is_err());
    }

    #[test]
    fn crv_must_fit_the_algorithm() {
        assert!(KeyPairConfig::new("EdDSA", Some("Ed25519"), None).is_ok());
        assert!(KeyPairConfig::new("EdDSA", Some("Ed448"), None).is_err());
        assert!(KeyPairConfig::new("ES256", Some("P-384"), None).is_err());
    }
}
