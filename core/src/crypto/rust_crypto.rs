//! The `rust-crypto` backend: ed25519-dalek, p256/p384/p521 (ecdsa), rsa; pure Rust.

use ed25519_dalek::Signer as _;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use sha2_010::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{invalid_private_key, public_mismatch};
use crate::alg::{Algorithm, EcCurve, KeyKind, KeyPairConfig, MAX_RSA_BITS};
use crate::error::{Error, Result};
use crate::jwk::{PrivateJwk, PrivateParts, PublicJwk};

/// A parsed RustCrypto private key.
pub(super) enum Signer {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Rsa(Box<RsaPrivateKey>, RsaScheme),
}

/// A parsed RustCrypto public key.
pub(super) enum Verifier {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Rsa(RsaPublicKey, RsaScheme),
}

/// RSA padding and hash of an RS*/PS* algorithm.
#[derive(Clone, Copy)]
pub(super) struct RsaScheme {
    pss: bool,
    hash: u16,
}

impl Signer {
    pub(super) fn generate(config: &KeyPairConfig) -> Result<(Self, PublicJwk)> {
        let failed = || Error::InvalidConfig(format!("key generation failed for {}", config.alg));
        match config.alg.key_kind() {
            KeyKind::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut()).map_err(|_| failed())?;
                Ok(Self::from_seed(&seed))
            }
            KeyKind::Ec(crv) => {
                // Rejection sampling of the scalar: P-256/P-384 almost never retry; P-521 keeps
                // its top byte to the one bit the order allows.
                let mut d = Zeroizing::new(vec![0u8; crv.field_len()]);
                for _ in 0..128 {
                    getrandom::fill(&mut d).map_err(|_| failed())?;
                    if crv == EcCurve::P521 {
                        d[0] &= 0x01;
                    }
                    if let Ok(pair) = Self::from_ec_scalar(crv, &d) {
                        return Ok(pair);
                    }
                }
                Err(failed())
            }
            KeyKind::Rsa => {
                let bits = config.modulus_length as usize;
                let key = RsaPrivateKey::new(&mut rand_core::OsRng, bits).map_err(|_| failed())?;
                let public = rsa_public(key.n(), key.e());
                Ok((Signer::Rsa(Box::new(key), scheme(config.alg)), public))
            }
        }
    }

    pub(super) fn from_private_jwk(jwk: &PrivateJwk, alg: Algorithm) -> Result<(Self, PublicJwk)> {
        match (jwk.public(), jwk.secret()) {
            (PublicJwk::Ed25519 { .. }, PrivateParts::Ed25519 { d }) => {
                let seed = <&[u8; 32]>::try_from(d.as_slice())
                    .map_err(|_| invalid_private_key("Ed25519"))?;
                Ok(Self::from_seed(seed))
            }
            (PublicJwk::Ec { crv, .. }, PrivateParts::Ec { d }) => Self::from_ec_scalar(*crv, d),
            (
                PublicJwk::Rsa { n, e },
                PrivateParts::Rsa {
                    d,
                    p,
                    q,
                    dp,
                    dq,
                    qi,
                },
            ) => {
                let int = |v: &[u8]| BigUint::from_bytes_be(v);
                let key =
                    RsaPrivateKey::from_components(int(n), int(e), int(d), vec![int(p), int(q)])
                        .map_err(|_| invalid_private_key("RSA"))?;
                // rsa recomputes the CRT values; the JWK's must be the same numbers (aws-lc
                // refuses inconsistent ones too, so both backends accept the same keys), and the
                // primes must stay in the JWK's order so that export gives the same JWK back.
                let [kp, kq] = key.primes() else {
                    return Err(invalid_private_key("RSA"));
                };
                let crt_matches = [
                    (Some(kp.to_bytes_be()), p),
                    (Some(kq.to_bytes_be()), q),
                    (key.dp().map(BigUint::to_bytes_be), dp),
                    (key.dq().map(BigUint::to_bytes_be), dq),
                    (key.crt_coefficient().map(|c| c.to_bytes_be()), qi),
                ]
                .into_iter()
                .all(|(derived, given)| {
                    let derived = Zeroizing::new(derived.unwrap_or_default());
                    let given = strip_zeros(given);
                    derived.len() == given.len() && bool::from(derived.ct_eq(given))
                });
                if !crt_matches {
                    return Err(invalid_private_key("RSA"));
                }
                let public = rsa_public(key.n(), key.e());
                Ok((Signer::Rsa(Box::new(key), scheme(alg)), public))
            }
            _ => Err(Error::JwksInvalid(
                "private JWK members do not belong to its key type".to_owned(),
            )),
        }
    }

    fn from_seed(seed: &[u8; 32]) -> (Self, PublicJwk) {
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        let x = key.verifying_key().to_bytes();
        (Signer::Ed25519(Box::new(key)), PublicJwk::Ed25519 { x })
    }

    fn from_ec_scalar(crv: EcCurve, d: &[u8]) -> Result<(Self, PublicJwk)> {
        let bad = |_| invalid_private_key(crv.name());
        let (signer, point) = match crv {
            EcCurve::P256 => {
                let key = p256::ecdsa::SigningKey::from_slice(d).map_err(bad)?;
                let point = key.verifying_key().to_sec1_point(false);
                (Signer::P256(key), point.as_bytes().to_vec())
            }
            EcCurve::P384 => {
                let key = p384::ecdsa::SigningKey::from_slice(d).map_err(bad)?;
                let point = key.verifying_key().to_sec1_point(false);
                (Signer::P384(key), point.as_bytes().to_vec())
            }
            EcCurve::P521 => {
                let key = p521::ecdsa::SigningKey::from_slice(d).map_err(bad)?;
                let point = key.verifying_key().to_sec1_point(false);
                (Signer::P521(key), point.as_bytes().to_vec())
            }
        };
        let len = crv.field_len();
        match point.split_first() {
            Some((4, xy)) if xy.len() == 2 * len => Ok((
                signer,
                PublicJwk::Ec {
                    crv,
                    x: xy[..len].to_vec(),
                    y: xy[len..].to_vec(),
                },
            )),
            _ => Err(public_mismatch()),
        }
    }

    pub(super) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let failed =
            || Error::WeakKey("the crypto backend refused to sign with this key".to_owned());
        match self {
            Signer::Ed25519(key) => {
                Ok(key.try_sign(msg).map_err(|_| failed())?.to_bytes().to_vec())
            }
            Signer::P256(key) => {
                let sig: p256::ecdsa::Signature =
                    p256::ecdsa::signature::Signer::try_sign(key, msg).map_err(|_| failed())?;
                Ok(sig.to_bytes().to_vec())
            }
            Signer::P384(key) => {
                let sig: p384::ecdsa::Signature =
                    p384::ecdsa::signature::Signer::try_sign(key, msg).map_err(|_| failed())?;
                Ok(sig.to_bytes().to_vec())
            }
            Signer::P521(key) => {
                let sig: p521::ecdsa::Signature =
                    p521::ecdsa::signature::Signer::try_sign(key, msg).map_err(|_| failed())?;
                Ok(sig.to_bytes().to_vec())
            }
            Signer::Rsa(key, scheme) => {
                // Blinded private operation (rng given), as RUSTSEC-2023-0071 advises.
                let digest = scheme.digest(msg);
                let result = if scheme.pss {
                    key.sign_with_rng(&mut rand_core::OsRng, scheme.pss_padding(), &digest)
                } else {
                    key.sign_with_rng(&mut rand_core::OsRng, scheme.pkcs1_padding(), &digest)
                };
                result.map_err(|_| failed())
            }
        }
    }

    pub(super) fn private_parts(&self) -> Result<PrivateParts> {
        let failed = || Error::WeakKey("the private key cannot be exported".to_owned());
        let secret = |v: Vec<u8>| Zeroizing::new(v);
        Ok(match self {
            Signer::Ed25519(key) => PrivateParts::Ed25519 {
                d: secret(key.to_bytes().to_vec()),
            },
            Signer::P256(key) => PrivateParts::Ec {
                d: secret(key.to_bytes().to_vec()),
            },
            Signer::P384(key) => PrivateParts::Ec {
                d: secret(key.to_bytes().to_vec()),
            },
            Signer::P521(key) => PrivateParts::Ec {
                d: secret(key.to_bytes().to_vec()),
            },
            Signer::Rsa(key, _) => {
                let [p, q] = key.primes() else {
                    return Err(failed());
                };
                PrivateParts::Rsa {
                    d: secret(key.d().to_bytes_be()),
                    p: secret(p.to_bytes_be()),
                    q: secret(q.to_bytes_be()),
                    dp: secret(key.dp().ok_or_else(failed)?.to_bytes_be()),
                    dq: secret(key.dq().ok_or_else(failed)?.to_bytes_be()),
                    qi: secret(key.crt_coefficient().ok_or_else(failed)?.to_bytes_be()),
                }
            }
        })
    }
}

impl Verifier {
    pub(super) fn new(jwk: &PublicJwk, alg: Algorithm) -> Result<Self> {
        let off_curve = |crv: &EcCurve| {
            let name = crv.name();
            move |_| Error::WeakKey(format!("EC public key is not a point on {name}"))
        };
        Ok(match jwk {
            PublicJwk::Ed25519 { x } => Verifier::Ed25519(
                ed25519_dalek::VerifyingKey::from_bytes(x)
                    .map_err(|_| Error::WeakKey("not an Ed25519 public key".to_owned()))?,
            ),
            PublicJwk::Ec { crv, x, y } => {
                let point = [&[4u8][..], x, y].concat();
                match crv {
                    EcCurve::P256 => Verifier::P256(
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                            .map_err(off_curve(crv))?,
                    ),
                    EcCurve::P384 => Verifier::P384(
                        p384::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                            .map_err(off_curve(crv))?,
                    ),
                    EcCurve::P521 => Verifier::P521(
                        p521::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                            .map_err(off_curve(crv))?,
                    ),
                }
            }
            PublicJwk::Rsa { n, e } => {
                let key = RsaPublicKey::new_with_max_size(
                    BigUint::from_bytes_be(n),
                    BigUint::from_bytes_be(e),
                    MAX_RSA_BITS as usize,
                )
                .map_err(|_| Error::WeakKey("not a usable RSA public key".to_owned()))?;
                Verifier::Rsa(key, scheme(alg))
            }
        })
    }

    pub(super) fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier as _;
        match self {
            Verifier::Ed25519(key) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|sig| key.verify_strict(msg, &sig).is_ok()),
            Verifier::P256(key) => p256::ecdsa::Signature::from_slice(sig)
                .is_ok_and(|sig| key.verify(msg, &sig).is_ok()),
            Verifier::P384(key) => p384::ecdsa::Signature::from_slice(sig)
                .is_ok_and(|sig| key.verify(msg, &sig).is_ok()),
            Verifier::P521(key) => p521::ecdsa::Signature::from_slice(sig)
                .is_ok_and(|sig| key.verify(msg, &sig).is_ok()),
            Verifier::Rsa(key, scheme) => {
                let digest = scheme.digest(msg);
                if scheme.pss {
                    key.verify(scheme.pss_padding(), &digest, sig).is_ok()
                } else {
                    key.verify(scheme.pkcs1_padding(), &digest, sig).is_ok()
                }
            }
        }
    }
}

fn scheme(alg: Algorithm) -> RsaScheme {
    let pss = matches!(alg, Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512);
    let hash = match alg {
        Algorithm::RS384 | Algorithm::PS384 => 384,
        Algorithm::RS512 | Algorithm::PS512 => 512,
        _ => 256,
    };
    RsaScheme { pss, hash }
}

impl RsaScheme {
    fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self.hash {
            384 => Sha384::digest(msg).to_vec(),
            512 => Sha512::digest(msg).to_vec(),
            _ => Sha256::digest(msg).to_vec(),
        }
    }

    fn pkcs1_padding(self) -> Pkcs1v15Sign {
        match self.hash {
            384 => Pkcs1v15Sign::new::<Sha384>(),
            512 => Pkcs1v15Sign::new::<Sha512>(),
            _ => Pkcs1v15Sign::new::<Sha256>(),
        }
    }

    /// PSS with salt length = hash length and MGF1 over the same hash (RFC 7518 §3.5).
    fn pss_padding(self) -> Pss {
        match self.hash {
            384 => Pss::new::<Sha384>(),
            512 => Pss::new::<Sha512>(),
            _ => Pss::new::<Sha256>(),
        }
    }
}

fn rsa_public(n: &BigUint, e: &BigUint) -> PublicJwk {
    PublicJwk::Rsa {
        n: n.to_bytes_be(),
        e: e.to_bytes_be(),
    }
}

fn strip_zeros(v: &[u8]) -> &[u8] {
    &v[v.iter().take_while(|&&b| b == 0).count()..]
}
