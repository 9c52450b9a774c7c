//! What an external signer (a KMS) is given and what it gives back, at the byte level: the digest
//! of the JWS signing input for digest signing (AWS KMS `MessageType: DIGEST`, Google Cloud KMS
//! `digest`), and the JOSE form of its signature. KMS ECDSA answers are DER `ECDSA-Sig-Value`s
//! (RFC 3279 §2.2.3), which JWS does not accept (RFC 7518 §3.4 wants `R || S`).

use crate::alg::{Algorithm, EcCurve, KeyKind};

/// The hash an algorithm signs the input through; `None` for EdDSA, which signs the message itself.
pub fn signing_hash(alg: Algorithm) -> Option<&'static str> {
    match alg {
        Algorithm::EdDSA | Algorithm::Ed25519 => None,
        Algorithm::ES256 | Algorithm::RS256 | Algorithm::PS256 => Some("SHA-256"),
        Algorithm::ES384 | Algorithm::RS384 | Algorithm::PS384 => Some("SHA-384"),
        Algorithm::ES512 | Algorithm::RS512 | Algorithm::PS512 => Some("SHA-512"),
    }
}

/// The digest of `input` under `alg`'s hash ([`signing_hash`]); `None` for EdDSA.
pub fn signing_digest(alg: Algorithm, input: &[u8]) -> Option<Vec<u8>> {
    let bits = match signing_hash(alg)? {
        "SHA-256" => 256,
        "SHA-384" => 384,
        _ => 512,
    };
    Some(hash(bits, input))
}

#[cfg(feature = "aws-lc")]
fn hash(bits: u16, input: &[u8]) -> Vec<u8> {
    use aws_lc_rs::digest;
    let alg = match bits {
        256 => &digest::SHA256,
        384 => &digest::SHA384,
        _ => &digest::SHA512,
    };
    digest::digest(alg, input).as_ref().to_vec()
}

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
fn hash(bits: u16, input: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    match bits {
        256 => sha2::Sha256::digest(input).to_vec(),
        384 => sha2::Sha384::digest(input).to_vec(),
        _ => sha2::Sha512::digest(input).to_vec(),
    }
}

/// Why a signer's answer is not a signature of its algorithm (for the error message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureShapeError {
    /// The answer is empty.
    Empty,
    /// Neither the JOSE length nor a DER `ECDSA-Sig-Value` of the curve.
    NotEcdsa {
        /// Bytes received.
        got: usize,
        /// The JOSE length (`2 × field length`).
        jose: usize,
    },
    /// An Ed25519 signature is exactly 64 bytes.
    NotEd25519 {
        /// Bytes received.
        got: usize,
    },
    /// Not the length of the RSA modulus.
    NotRsa {
        /// Bytes received.
        got: usize,
        /// The accepted lengths, as text (`256` or `256..=2048`).
        want: String,
    },
}

impl std::fmt::Display for SignatureShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureShapeError::Empty => f.write_str("the signature is empty"),
            SignatureShapeError::NotEcdsa { got, jose } => write!(
                f,
                "{got} bytes are neither a JOSE R || S signature ({jose} bytes) nor a DER \
                 ECDSA-Sig-Value of the curve"
            ),
            SignatureShapeError::NotEd25519 { got } => {
                write!(f, "an Ed25519 signature is 64 bytes, not {got}")
            }
            SignatureShapeError::NotRsa { got, want } => {
                write!(f, "an RSA signature here is {want} bytes, not {got}")
            }
        }
    }
}

/// The JOSE form of a signer's answer for `alg`: ECDSA as DER (what AWS and Google Cloud KMS
/// return) becomes `R || S`, each left-padded to the field length; a JOSE-form answer is kept.
/// Lengths are checked per algorithm; `rsa_len` is the modulus length in bytes when the public
/// key is known (otherwise any length of an RSA key authjwt accepts, 2048 to 16384 bits).
pub fn jose_signature(
    alg: Algorithm,
    signature: Vec<u8>,
    rsa_len: Option<usize>,
) -> Result<Vec<u8>, SignatureShapeError> {
    if signature.is_empty() {
        return Err(SignatureShapeError::Empty);
    }
    let got = signature.len();
    match alg.key_kind() {
        KeyKind::Ed25519 if got == 64 => Ok(signature),
        KeyKind::Ed25519 => Err(SignatureShapeError::NotEd25519 { got }),
        KeyKind::Ec(crv) => {
            // DER first: a DER answer of exactly 2n bytes exists (short R and S), while a JOSE
            // R || S that is also a complete, canonical DER SEQUENCE of two INTEGERs does not
            // happen in practice (it needs a dozen fixed bytes in the right places).
            if let Some(rs) = ecdsa_der_to_jose(&signature, crv) {
                return Ok(rs);
            }
            let jose = 2 * crv.field_len();
            if got == jose {
                Ok(signature)
            } else {
                Err(SignatureShapeError::NotEcdsa { got, jose })
            }
        }
        KeyKind::Rsa => {
            let ok = match rsa_len {
                Some(n) => got == n,
                None => (256..=2048).contains(&got),
            };
            if ok {
                Ok(signature)
            } else {
                let want = rsa_len.map_or_else(|| "256..=2048".to_owned(), |n| n.to_string());
                Err(SignatureShapeError::NotRsa { got, want })
            }
        }
    }
}

/// A DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (strict DER: minimal lengths,
/// canonical positive integers, nothing after) as JOSE `R || S` for `crv`; `None` if `der` is not
/// one, or R or S is zero or longer than the curve's field.
pub fn ecdsa_der_to_jose(der: &[u8], crv: EcCurve) -> Option<Vec<u8>> {
    use der::asn1::UintRef;
    use der::{Decode as _, Reader as _, SliceReader};

    let mut reader = SliceReader::new(der).ok()?;
    let (r, s) = reader
        .sequence(|seq| {
            let r = UintRef::decode(seq)?;
            let s = UintRef::decode(seq)?;
            Ok::<_, der::Error>((r, s))
        })
        .ok()?;
    reader.finish().ok()?;
    let n = crv.field_len();
    let mut out = vec![0u8; 2 * n];
    for (half, int) in out.chunks_exact_mut(n).zip([r, s]) {
        let bytes = int.as_bytes();
        if bytes.len() > n || bytes.iter().all(|&b| b == 0) {
            return None;
        }
        half[n - bytes.len()..].copy_from_slice(bytes);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
        let int = |v: &[u8]| {
            let mut out = vec![2u8];
            let pad = v[0] & 0x80 != 0;
            out.push((v.len() + usize::from(pad)) as u8);
            if pad {
                out.push(0);
            }
            out.extend_from_slice(v);
            out
        };
        let body = [int(r), int(s)].concat();
        let mut out = vec![0x30];
        if body.len() > 127 {
            out.push(0x81);
        }
        out.push(body.len() as u8);
        out.extend(body);
        out
    }

    #[test]
    fn der_with_high_bits_and_short_integers_becomes_padded_r_s() {
        let r = [0x80u8; 32];
        let s = [0x01u8, 0x02];
        let rs = ecdsa_der_to_jose(&der(&r, &s), EcCurve::P256).unwrap();
        assert_eq!(rs.len(), 64);
        assert_eq!(&rs[..32], &r);
        assert_eq!(&rs[32..62], &[0u8; 30]);
        assert_eq!(&rs[62..], &s);
    }

    #[test]
    fn p521_der_uses_the_long_length_form() {
        let r = [0x01u8; 66];
        let s = [0xffu8; 65];
        let encoded = der(&r, &s);
        assert_eq!(encoded[1], 0x81);
        let rs = ecdsa_der_to_jose(&encoded, EcCurve::P521).unwrap();
        assert_eq!(rs.len(), 132);
        assert_eq!(&rs[67..], &s);
    }

    #[test]
    fn malformed_der_is_refused() {
        let good = der(&[0x11; 32], &[0x22; 32]);
        // Trailing byte, truncation, a wrong tag, a negative integer, integers too long for P-256.
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(ecdsa_der_to_jose(&trailing, EcCurve::P256), None);
        assert_eq!(
            ecdsa_der_to_jose(&good[..good.len() - 1], EcCurve::P256),
            None
        );
        let mut tag = good.clone();
        tag[0] = 0x31;
        assert_eq!(ecdsa_der_to_jose(&tag, EcCurve::P256), None);
        let negative = [0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01];
        assert_eq!(ecdsa_der_to_jose(&negative, EcCurve::P256), None);
        let zero = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01];
        assert_eq!(ecdsa_der_to_jose(&zero, EcCurve::P256), None);
        assert_eq!(
            ecdsa_der_to_jose(&der(&[0x11; 33], &[0x22; 32]), EcCurve::P256),
            None
        );
        // A non-minimal integer (a superfluous leading zero).
        let padded = [0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01];
        assert_eq!(ecdsa_der_to_jose(&padded, EcCurve::P256), None);
    }

    #[test]
    fn lengths_are_checked_per_algorithm() {
        use SignatureShapeError as E;
        assert_eq!(
            jose_signature(Algorithm::ES256, vec![], None),
            Err(E::Empty)
        );
        assert_eq!(
            jose_signature(Algorithm::ES256, vec![1; 10], None),
            Err(E::NotEcdsa { got: 10, jose: 64 })
        );
        assert!(jose_signature(Algorithm::ES256, vec![1; 64], None).is_ok());
        assert!(jose_signature(Algorithm::ES384, vec![1; 64], None).is_err());
        assert_eq!(
            jose_signature(Algorithm::EdDSA, vec![1; 63], None),
            Err(E::NotEd25519 { got: 63 })
        );
        assert!(jose_signature(Algorithm::RS256, vec![1; 256], Some(256)).is_ok());
        assert!(jose_signature(Algorithm::RS256, vec![1; 255], Some(256)).is_err());
        assert!(jose_signature(Algorithm::RS256, vec![1; 128], None).is_err());
        let der72 = der(&[0x81; 32], &[0x82; 32]);
        assert_eq!(der72.len(), 72);
        assert_eq!(
            jose_signature(Algorithm::ES256, der72, None).map(|v| v.len()),
            Ok(64)
        );
    }

    #[test]
    fn digests_follow_the_algorithm_hash() {
        assert_eq!(signing_digest(Algorithm::EdDSA, b"x"), None);
        assert_eq!(
            signing_digest(Algorithm::ES256, b"abc").map(|d| d.len()),
            Some(32)
        );
        assert_eq!(
            signing_digest(Algorithm::PS384, b"abc").map(|d| d.len()),
            Some(48)
        );
        assert_eq!(
            signing_digest(Algorithm::ES512, b"abc").map(|d| d.len()),
            Some(64)
        );
        assert_eq!(
            signing_digest(Algorithm::RS256, b"abc"),
            Some(super::super::sha256(b"abc").to_vec())
        );
    }
}
