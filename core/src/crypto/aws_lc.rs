//! The `aws-lc` backend: aws-lc-rs handles, parsed once.
//!
//! RSA private members cross aws-lc-rs as DER: it imports them from components and exports them as
//! PKCS#8, which the `pkcs1` crate reads back into JWK members.

use aws_lc_rs::digest;
use aws_lc_rs::encoding::{AsBigEndian, AsDer};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPairComponents, KeySize};
use aws_lc_rs::signature::{
    self as sig, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, Ed25519KeyPair,
    KeyPair as _, ParsedPublicKey, RsaEncoding, RsaKeyPair, RsaParameters, RsaPublicKeyComponents,
};
use pkcs1::der::asn1::UintRef;
use pkcs1::der::{Decode, Encode, Header, SliceWriter, Tag};
use zeroize::Zeroizing;

use super::{invalid_private_key, left_pad, public_mismatch};
use crate::alg::{Algorithm, EcCurve, KeyKind, KeyPairConfig};
use crate::error::{Error, Result};
use crate::jwk::{PrivateJwk, PrivateParts, PublicJwk};

/// A parsed aws-lc private key with the padding or curve its algorithm needs.
pub(super) enum Signer {
    Ed25519(Ed25519KeyPair),
    Ecdsa(EcdsaKeyPair, EcCurve),
    Rsa(RsaKeyPair, &'static dyn RsaEncoding),
}

impl Signer {
    pub(super) fn generate(config: &KeyPairConfig) -> Result<(Self, PublicJwk)> {
        let failed = || Error::InvalidConfig(format!("key generation failed for {}", config.alg));
        match config.alg.key_kind() {
            KeyKind::Ed25519 => {
                let pair = Ed25519KeyPair::generate().map_err(|_| failed())?;
                Self::from_ed25519(pair)
            }
            KeyKind::Ec(crv) => {
                let pair = EcdsaKeyPair::generate(signing_alg(crv)).map_err(|_| failed())?;
                let public = ec_public(crv, pair.public_key().as_ref())?;
                Ok((Signer::Ecdsa(pair, crv), public))
            }
            KeyKind::Rsa => {
                let size = match config.modulus_length {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    bits => {
                        return Err(Error::InvalidConfig(format!(
                            "modulusLength {bits} cannot be generated: use 2048, 3072 or 4096"
                        )))
                    }
                };
                let pair = RsaKeyPair::generate(size).map_err(|_| failed())?;
                let public = rsa_public(&pair)?;
                Ok((Signer::Rsa(pair, rsa_encoding(config.alg)), public))
            }
        }
    }

    pub(super) fn from_private_jwk(jwk: &PrivateJwk, alg: Algorithm) -> Result<(Self, PublicJwk)> {
        match (jwk.public(), jwk.secret()) {
            (PublicJwk::Ed25519 { .. }, PrivateParts::Ed25519 { d }) => {
                let pair = Ed25519KeyPair::from_seed_unchecked(d)
                    .map_err(|_| invalid_private_key("Ed25519"))?;
                Self::from_ed25519(pair)
            }
            (PublicJwk::Ec { crv, x, y }, PrivateParts::Ec { d }) => {
                let point = [&[4u8][..], x, y].concat();
                let pair =
                    EcdsaKeyPair::from_private_key_and_public_key(signing_alg(*crv), d, &point)
                        .map_err(|e| {
                            if e.description_() == "InconsistentComponents" {
                                public_mismatch()
                            } else {
                                invalid_private_key(crv.name())
                            }
                        })?;
                // aws-lc refused any pair whose public point is not the one `d` derives.
                let public = ec_public(*crv, pair.public_key().as_ref())?;
                Ok((Signer::Ecdsa(pair, *crv), public))
            }
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
                // RSA_check_key: n == p*q, d*e == 1 mod (p-1) and (q-1), and the CRT values agree,
                // so (n, e) are the public key the private members make.
                let components = KeyPairComponents {
                    public_key: RsaPublicKeyComponents {
                        n: n.as_slice(),
                        e: e.as_slice(),
                    },
                    d: d.as_slice(),
                    p: p.as_slice(),
                    q: q.as_slice(),
                    dP: dp.as_slice(),
                    dQ: dq.as_slice(),
                    qInv: qi.as_slice(),
                };
                let pair = RsaKeyPair::from_components(&components)
                    .map_err(|_| invalid_private_key("RSA"))?;
                let public = rsa_public(&pair)?;
                Ok((Signer::Rsa(pair, rsa_encoding(alg)), public))
            }
            _ => Err(Error::JwksInvalid(
                "private JWK members do not belong to its key type".to_owned(),
            )),
        }
    }

    fn from_ed25519(pair: Ed25519KeyPair) -> Result<(Self, PublicJwk)> {
        let x = <[u8; 32]>::try_from(pair.public_key().as_ref())
            .map_err(|_| invalid_private_key("Ed25519"))?;
        Ok((Signer::Ed25519(pair), PublicJwk::Ed25519 { x }))
    }

    pub(super) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let failed =
            |_| Error::WeakKey("the crypto backend refused to sign with this key".to_owned());
        match self {
            Signer::Ed25519(pair) => Ok(pair.try_sign(msg).map_err(failed)?.as_ref().to_vec()),
            Signer::Ecdsa(pair, _) => Ok(pair
                .sign(&SystemRandom::new(), msg)
                .map_err(failed)?
                .as_ref()
                .to_vec()),
            Signer::Rsa(pair, encoding) => {
                let mut out = vec![0u8; pair.public_modulus_len()];
                pair.sign(*encoding, &SystemRandom::new(), msg, &mut out)
                    .map_err(failed)?;
                Ok(out)
            }
        }
    }

    pub(super) fn private_parts(&self) -> Result<PrivateParts> {
        let failed = || Error::WeakKey("the private key cannot be exported".to_owned());
        match self {
            Signer::Ed25519(pair) => {
                let seed = pair.seed().map_err(|_| failed())?;
                let seed = seed.as_be_bytes().map_err(|_| failed())?;
                Ok(PrivateParts::Ed25519 {
                    d: Zeroizing::new(seed.as_ref().to_vec()),
                })
            }
            Signer::Ecdsa(pair, crv) => {
                let d = pair.private_key().as_be_bytes().map_err(|_| failed())?;
                let d = left_pad(d.as_ref(), crv.field_len()).ok_or_else(failed)?;
                Ok(PrivateParts::Ec { d })
            }
            Signer::Rsa(pair, _) => {
                let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> =
                    pair.as_der().map_err(|_| failed())?;
                let info = pkcs8::PrivateKeyInfo::from_der(der.as_ref()).map_err(|_| failed())?;
                let key = pkcs1::RsaPrivateKey::from_der(info.private_key).map_err(|_| failed())?;
                let part = |v: pkcs1::UintRef<'_>| Zeroizing::new(v.as_bytes().to_vec());
                Ok(PrivateParts::Rsa {
                    d: part(key.private_exponent),
                    p: part(key.prime1),
                    q: part(key.prime2),
                    dp: part(key.exponent1),
                    dq: part(key.exponent2),
                    qi: part(key.coefficient),
                })
            }
        }
    }
}

/// A parsed aws-lc public key.
///
/// RSA and ECDSA signatures are checked against a digest taken here (a stack context), which spares
/// aws-lc an `EVP_MD_CTX` per call; ECDSA's JOSE `R || S` reaches aws-lc as DER written on the stack,
/// where aws-lc-rs's fixed-format verify would build it through heap `BIGNUM`s (49 allocations per
/// ES256 verify before, 31 after; bench/HISTORY.md section 7).
pub(super) enum Verifier {
    /// Ed25519 signs the message itself, not a digest.
    Ed25519(ParsedPublicKey),
    Rsa(ParsedPublicKey, &'static digest::Algorithm),
    Ecdsa(ParsedPublicKey, EcCurve),
}

impl Verifier {
    pub(super) fn new(jwk: &PublicJwk, alg: Algorithm) -> Result<Self> {
        Ok(match jwk {
            PublicJwk::Ed25519 { x } => Verifier::Ed25519(
                ParsedPublicKey::new(&sig::ED25519, x)
                    .map_err(|_| Error::WeakKey("not an Ed25519 public key".to_owned()))?,
            ),
            PublicJwk::Ec { crv, x, y } => {
                let point = [&[4u8][..], x, y].concat();
                let parsed = ParsedPublicKey::new(verification_alg(*crv), point).map_err(|_| {
                    Error::WeakKey(format!("EC public key is not a point on {}", crv.name()))
                })?;
                Verifier::Ecdsa(parsed, *crv)
            }
            PublicJwk::Rsa { n, e } => Verifier::Rsa(
                RsaPublicKeyComponents {
                    n: n.as_slice(),
                    e: e.as_slice(),
                }
                .to_parsed_public_key(rsa_parameters(alg))
                .map_err(|_| Error::WeakKey("not a usable RSA public key".to_owned()))?,
                rsa_digest(alg),
            ),
        })
    }

    pub(super) fn verify(&self, msg: &[u8], signature: &[u8]) -> bool {
        match self {
            Verifier::Ed25519(key) => key.verify_sig(msg, signature).is_ok(),
            Verifier::Rsa(key, hash) => key
                .verify_digest_sig(&digest::digest(hash, msg), signature)
                .is_ok(),
            Verifier::Ecdsa(key, crv) => {
                // RFC 7518 §3.4: exactly R and S, each the curve's field length.
                if signature.len() != 2 * crv.field_len() {
                    return false;
                }
                let mut der = [0u8; ECDSA_DER_MAX];
                let Some(der) = ecdsa_der(signature, &mut der) else {
                    return false;
                };
                let digest = digest::digest(digest_alg(*crv), msg);
                key.verify_digest_sig(&digest, der).is_ok()
            }
        }
    }
}

/// The longest DER `ECDSA-Sig-Value` (P-521): a 3-byte SEQUENCE header and two INTEGERs of
/// 2 + 1 + 66 bytes.
const ECDSA_DER_MAX: usize = 3 + 2 * (2 + 1 + 66);

/// The DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3) of a JOSE `R || S` signature of even length.
fn ecdsa_der<'b>(rs: &[u8], buf: &'b mut [u8; ECDSA_DER_MAX]) -> Option<&'b [u8]> {
    let (r, s) = rs.split_at(rs.len() / 2);
    let (r, s) = (UintRef::new(r).ok()?, UintRef::new(s).ok()?);
    let body = (r.encoded_len().ok()? + s.encoded_len().ok()?).ok()?;
    let mut writer = SliceWriter::new(buf);
    writer
        .encode(&Header::new(Tag::Sequence, body).ok()?)
        .ok()?;
    writer.encode(&r).ok()?;
    writer.encode(&s).ok()?;
    writer.finish().ok()
}

fn ec_public(crv: EcCurve, point: &[u8]) -> Result<PublicJwk> {
    let len = crv.field_len();
    match point.split_first() {
        Some((4, xy)) if xy.len() == 2 * len => Ok(PublicJwk::Ec {
            crv,
            x: xy[..len].to_vec(),
            y: xy[len..].to_vec(),
        }),
        _ => Err(invalid_private_key(crv.name())),
    }
}

fn rsa_public(pair: &RsaKeyPair) -> Result<PublicJwk> {
    // The public key's bytes are a DER RSAPublicKey (RFC 8017 A.1.1).
    let key = pkcs1::RsaPublicKey::from_der(pair.public_key().as_ref())
        .map_err(|_| invalid_private_key("RSA"))?;
    Ok(PublicJwk::Rsa {
        n: key.modulus.as_bytes().to_vec(),
        e: key.public_exponent.as_bytes().to_vec(),
    })
}

fn signing_alg(crv: EcCurve) -> &'static EcdsaSigningAlgorithm {
    match crv {
        EcCurve::P256 => &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
        EcCurve::P384 => &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
        EcCurve::P521 => &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
    }
}

fn verification_alg(crv: EcCurve) -> &'static EcdsaVerificationAlgorithm {
    match crv {
        EcCurve::P256 => &sig::ECDSA_P256_SHA256_ASN1,
        EcCurve::P384 => &sig::ECDSA_P384_SHA384_ASN1,
        EcCurve::P521 => &sig::ECDSA_P521_SHA512_ASN1,
    }
}

/// The hash of each ECDSA curve's JWS algorithm (RFC 7518 §3.4).
fn digest_alg(crv: EcCurve) -> &'static digest::Algorithm {
    match crv {
        EcCurve::P256 => &digest::SHA256,
        EcCurve::P384 => &digest::SHA384,
        EcCurve::P521 => &digest::SHA512,
    }
}

/// PKCS#1 v1.5 or PSS (salt length = hash length, MGF1 with the same hash; RFC 7518 §3.5).
fn rsa_encoding(alg: Algorithm) -> &'static dyn RsaEncoding {
    match alg {
        Algorithm::RS384 => &sig::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_SHA512,
        _ => &sig::RSA_PKCS1_SHA256,
    }
}

/// The hash of each RSA JWS algorithm (RFC 7518 §3.3, §3.5).
fn rsa_digest(alg: Algorithm) -> &'static digest::Algorithm {
    match alg {
        Algorithm::RS384 | Algorithm::PS384 => &digest::SHA384,
        Algorithm::RS512 | Algorithm::PS512 => &digest::SHA512,
        _ => &digest::SHA256,
    }
}

fn rsa_parameters(alg: Algorithm) -> &'static RsaParameters {
    match alg {
        Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
        _ => &sig::RSA_PKCS1_2048_8192_SHA256,
    }
}
