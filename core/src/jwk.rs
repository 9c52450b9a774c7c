//! Public and private JWKs (RFC 7517): parsing, export in Better Auth's exact member order, RFC 7638
//! thumbprints, and the key-strength rules applied on import.
//!
//! Errors on import: a member that is missing, of the wrong JSON type, not strict base64url (RFC 7515
//! §2: URL-safe alphabet, no padding, no stray bits) or of the wrong length is
//! [`Error::JwksInvalid`]; a `kty` or `crv` authjwt does not sign with (`oct`, `Ed448`, `X25519`,
//! `secp256k1`, multi-prime RSA...) is [`Error::NotSupported`]; a well-formed key that is too weak
//! (RSA under 2048 bits, even or tiny `e`, small-order or non-canonical Ed25519 point) is
//! [`Error::WeakKey`]. Whether an EC or Ed25519 point lies on its curve is checked when a key is
//! parsed for use ([`crate::crypto::VerifyingKey::from_public_jwk`], also [`Error::WeakKey`]).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use crate::alg::{EcCurve, KeyKind, MAX_RSA_BITS, MIN_RSA_BITS};
use crate::crypto::ed25519_encoding_is_weak;
use crate::error::{Error, Result};

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
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::JwksInvalid(format!("JWK is not valid JSON: {e}")))?;
        match value {
            Value::Object(obj) => Self::from_map(&obj),
            _ => Err(Error::JwksInvalid("JWK must be a JSON object".to_owned())),
        }
    }

    /// Parses a public JWK from an already parsed JSON object.
    pub fn from_map(obj: &Map<String, Value>) -> Result<Self> {
        let jwk = match str_member(obj, "kty")? {
            "OKP" => {
                let crv = str_member(obj, "crv")?;
                if crv != "Ed25519" {
                    return Err(Error::NotSupported(format!(
                        "OKP curve {crv:?}: only Ed25519 keys are supported"
                    )));
                }
                let x = fixed_member(obj, "x", 32)?;
                let mut bytes = [0u8; 32];
                bytes.copy_from_slice(&x);
                PublicJwk::Ed25519 { x: bytes }
            }
            "EC" => {
                let name = str_member(obj, "crv")?;
                let crv = EcCurve::from_name(name).ok_or_else(|| {
                    Error::NotSupported(format!(
                        "EC curve {name:?}: supported curves are P-256, P-384 and P-521"
                    ))
                })?;
                let x = fixed_member(obj, "x", crv.field_len())?;
                let y = fixed_member(obj, "y", crv.field_len())?;
                PublicJwk::Ec { crv, x, y }
            }
            "RSA" => {
                if obj.contains_key("oth") {
                    return Err(Error::NotSupported(
                        "multi-prime RSA keys (\"oth\") are not supported".to_owned(),
                    ));
                }
                let n = strip_leading_zeros(b64_member(obj, "n")?);
                let e = strip_leading_zeros(b64_member(obj, "e")?);
                PublicJwk::Rsa { n, e }
            }
            other => {
                return Err(Error::NotSupported(format!(
                    "kty {other:?}: supported key types are OKP (Ed25519), EC and RSA"
                )))
            }
        };
        jwk.check_strength()?;
        Ok(jwk)
    }

    /// Which key this is.
    pub fn kind(&self) -> KeyKind {
        match self {
            PublicJwk::Ed25519 { .. } => KeyKind::Ed25519,
            PublicJwk::Ec { crv, .. } => KeyKind::Ec(*crv),
            PublicJwk::Rsa { .. } => KeyKind::Rsa,
        }
    }

    /// The JWK `kty`: `OKP`, `EC` or `RSA`.
    pub fn kty(&self) -> &'static str {
        match self {
            PublicJwk::Ed25519 { .. } => "OKP",
            PublicJwk::Ec { .. } => "EC",
            PublicJwk::Rsa { .. } => "RSA",
        }
    }

    /// The JWK `crv`, for keys that have one.
    pub fn crv(&self) -> Option<&'static str> {
        match self {
            PublicJwk::Ed25519 { .. } => Some("Ed25519"),
            PublicJwk::Ec { crv, .. } => Some(crv.name()),
            PublicJwk::Rsa { .. } => None,
        }
    }

    /// The RSA modulus length in bits (0 for other keys).
    pub fn rsa_bits(&self) -> u32 {
        match self {
            PublicJwk::Rsa { n, .. } => bit_len(n),
            _ => 0,
        }
    }

    /// The JSON Better Auth stores in `publicKey`, members in its order.
    pub fn to_json(&self) -> String {
        Value::Object(self.to_map()).to_string()
    }

    /// The JWK as an ordered JSON object (same members and order as [`PublicJwk::to_json`]).
    pub fn to_map(&self) -> Map<String, Value> {
        // jose's exportJWK (Node's KeyObject JWK export) emits these orders; Better Auth stores them.
        let mut m = Map::new();
        match self {
            PublicJwk::Ed25519 { x } => {
                m.insert("crv".into(), "Ed25519".into());
                m.insert("x".into(), b64(x).into());
                m.insert("kty".into(), "OKP".into());
            }
            PublicJwk::Ec { crv, x, y } => {
                m.insert("kty".into(), "EC".into());
                m.insert("x".into(), b64(x).into());
                m.insert("y".into(), b64(y).into());
                m.insert("crv".into(), crv.name().into());
            }
            PublicJwk::Rsa { n, e } => {
                m.insert("kty".into(), "RSA".into());
                m.insert("n".into(), b64(n).into());
                m.insert("e".into(), b64(e).into());
            }
        }
        m
    }

    /// RFC 7638 SHA-256 thumbprint, base64url without padding.
    pub fn thumbprint(&self) -> String {
        // RFC 7638 §3.2: required members only, lexicographic order, no whitespace. base64url
        // values and the fixed names need no JSON escaping.
        let canonical = match self {
            PublicJwk::Ed25519 { x } => {
                format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(x))
            }
            PublicJwk::Ec { crv, x, y } => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                crv.name(),
                b64(x),
                b64(y)
            ),
            PublicJwk::Rsa { n, e } => {
                format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(e), b64(n))
            }
        };
        b64(&crate::crypto::sha256(canonical.as_bytes()))
    }

    /// The strength rules every imported public key passes ([`Error::WeakKey`] otherwise).
    pub(crate) fn check_strength(&self) -> Result<()> {
        match self {
            PublicJwk::Ed25519 { x } => {
                if ed25519_encoding_is_weak(x) {
                    return Err(Error::WeakKey(
                        "Ed25519 public key is a small-order point or a non-canonical encoding"
                            .to_owned(),
                    ));
                }
            }
            PublicJwk::Ec { .. } => {}
            PublicJwk::Rsa { n, e } => {
                let bits = bit_len(n);
                if bits < MIN_RSA_BITS {
                    return Err(Error::WeakKey(format!(
                        "RSA modulus of {bits} bits: at least {MIN_RSA_BITS} bits are required"
                    )));
                }
                if bits > MAX_RSA_BITS {
                    return Err(Error::WeakKey(format!(
                        "RSA modulus of {bits} bits: at most {MAX_RSA_BITS} bits are accepted"
                    )));
                }
                if n.last().is_none_or(|b| b & 1 == 0) {
                    return Err(Error::WeakKey("RSA modulus is even".to_owned()));
                }
                // Both backends cap e at 33 bits; 1 and even exponents are not RSA keys.
                let e_bits = bit_len(e);
                let odd = e.last().is_some_and(|b| b & 1 == 1);
                if !odd || !(2..=33).contains(&e_bits) {
                    return Err(Error::WeakKey(
                        "RSA public exponent must be odd, greater than 1 and below 2^33".to_owned(),
                    ));
                }
            }
        }
        Ok(())
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

impl std::fmt::Debug for PrivateParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateParts(<redacted>)")
    }
}

impl PrivateJwk {
    /// Assembles a private JWK from its public and secret parts (the crypto backends' export).
    pub fn from_parts(public: PublicJwk, secret: PrivateParts) -> Self {
        PrivateJwk { public, secret }
    }

    /// Parses a private JWK JSON object. The public members are read but not trusted: a signing key
    /// built from this checks them against the key it derives.
    pub fn from_json(json: &str) -> Result<Self> {
        // The parsed tree holds the secret members as strings: wipe them whatever happens.
        let mut value: Value = serde_json::from_str(json)
            .map_err(|_| Error::JwksInvalid("private JWK is not valid JSON".to_owned()))?;
        let parsed = match &value {
            Value::Object(obj) => Self::from_map(obj),
            _ => Err(Error::JwksInvalid(
                "private JWK must be a JSON object".to_owned(),
            )),
        };
        wipe_strings(&mut value);
        parsed
    }

    /// Parses a private JWK from an already parsed JSON object (the caller wipes the object).
    pub fn from_map(obj: &Map<String, Value>) -> Result<Self> {
        let public = PublicJwk::from_map(obj)?;
        let secret = match &public {
            PublicJwk::Ed25519 { .. } => PrivateParts::Ed25519 {
                d: secret_member(obj, "d", Some(32))?,
            },
            PublicJwk::Ec { crv, .. } => PrivateParts::Ec {
                d: secret_member(obj, "d", Some(crv.field_len()))?,
            },
            PublicJwk::Rsa { .. } => PrivateParts::Rsa {
                d: secret_member(obj, "d", None)?,
                p: secret_member(obj, "p", None)?,
                q: secret_member(obj, "q", None)?,
                dp: secret_member(obj, "dp", None)?,
                dq: secret_member(obj, "dq", None)?,
                qi: secret_member(obj, "qi", None)?,
            },
        };
        Ok(PrivateJwk { public, secret })
    }

    /// The JSON of the private JWK (public members, then secret ones), as Better Auth writes it.
    pub fn to_json(&self) -> Zeroizing<String> {
        // Member orders of jose's exportJWK for private keys: OKP {crv,d,x,kty}, EC {kty,x,y,crv,d},
        // RSA {kty,n,e,d,p,q,dp,dq,qi}. Written by hand into one pre-sized buffer so no copy of a
        // secret is left behind by a reallocation.
        let mut out = Zeroizing::new(String::with_capacity(self.json_capacity()));
        out.push('{');
        match (&self.public, &self.secret) {
            (PublicJwk::Ed25519 { x }, PrivateParts::Ed25519 { d }) => {
                push_str(&mut out, "crv", "Ed25519");
                push_b64(&mut out, "d", d);
                push_b64(&mut out, "x", x);
                push_str(&mut out, "kty", "OKP");
            }
            (PublicJwk::Ec { crv, x, y }, PrivateParts::Ec { d }) => {
                push_str(&mut out, "kty", "EC");
                push_b64(&mut out, "x", x);
                push_b64(&mut out, "y", y);
                push_str(&mut out, "crv", crv.name());
                push_b64(&mut out, "d", d);
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
                push_str(&mut out, "kty", "RSA");
                push_b64(&mut out, "n", n);
                push_b64(&mut out, "e", e);
                for (name, v) in [("d", d), ("p", p), ("q", q), ("dp", dp), ("dq", dq)] {
                    push_b64(&mut out, name, v);
                }
                push_b64(&mut out, "qi", qi);
            }
            // from_parts with mismatched kinds: export the public members only rather than panic.
            (public, _) => {
                let public = public.to_json();
                out.push_str(&public[1..public.len().saturating_sub(1)]);
                out.push(',');
            }
        }
        if out.ends_with(',') {
            out.pop();
        }
        out.push('}');
        out
    }

    /// The public members.
    pub fn public(&self) -> &PublicJwk {
        &self.public
    }

    /// The secret members.
    pub fn secret(&self) -> &PrivateParts {
        &self.secret
    }

    fn json_capacity(&self) -> usize {
        let enc = |len: usize| len.div_ceil(3) * 4 + 12;
        let public = match &self.public {
            PublicJwk::Ed25519 { .. } => enc(32) + 40,
            PublicJwk::Ec { x, y, .. } => enc(x.len()) + enc(y.len()) + 40,
            PublicJwk::Rsa { n, e } => enc(n.len()) + enc(e.len()) + 20,
        };
        let secret = match &self.secret {
            PrivateParts::Ed25519 { d } | PrivateParts::Ec { d } => enc(d.len()),
            PrivateParts::Rsa {
                d,
                p,
                q,
                dp,
                dq,
                qi,
            } => [d, p, q, dp, dq, qi].iter().map(|v| enc(v.len())).sum(),
        };
        public + secret + 8
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

/// Strict base64url (RFC 7515 §2) without padding, as every JWK member is written.
fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn str_member<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str> {
    match obj.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Error::JwksInvalid(format!(
            "JWK member \"{name}\" must be a string"
        ))),
        None => Err(Error::JwksInvalid(format!(
            "JWK member \"{name}\" is missing"
        ))),
    }
}

fn b64_member(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(str_member(obj, name)?)
        .map_err(|_| not_b64(name))
}

fn fixed_member(obj: &Map<String, Value>, name: &str, len: usize) -> Result<Vec<u8>> {
    let bytes = b64_member(obj, name)?;
    if bytes.len() != len {
        return Err(Error::JwksInvalid(format!(
            "JWK member \"{name}\" must be {len} bytes, not {}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// Decodes a secret member straight into zeroized memory; `len` is the exact length required.
fn secret_member(
    obj: &Map<String, Value>,
    name: &str,
    len: Option<usize>,
) -> Result<Zeroizing<Vec<u8>>> {
    let text = str_member(obj, name)?;
    let mut out = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
    URL_SAFE_NO_PAD
        .decode_vec(text, &mut out)
        .map_err(|_| not_b64(name))?;
    match len {
        Some(len) if out.len() != len => Err(Error::JwksInvalid(format!(
            "JWK member \"{name}\" has the wrong length for this key"
        ))),
        None if out.iter().all(|&b| b == 0) => Err(Error::JwksInvalid(format!(
            "JWK member \"{name}\" is empty or zero"
        ))),
        _ => Ok(out),
    }
}

fn not_b64(name: &str) -> Error {
    Error::JwksInvalid(format!(
        "JWK member \"{name}\" is not base64url without padding (RFC 7515 §2)"
    ))
}

fn strip_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.drain(..zeros);
    bytes
}

/// Bit length of a big-endian unsigned integer.
fn bit_len(bytes: &[u8]) -> u32 {
    match bytes.iter().position(|&b| b != 0) {
        Some(i) => (bytes.len() - i - 1) as u32 * 8 + (8 - bytes[i].leading_zeros()),
        None => 0,
    }
}

fn push_str(out: &mut String, name: &str, value: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":\"");
    out.push_str(value);
    out.push_str("\",");
}

fn push_b64(out: &mut String, name: &str, value: &[u8]) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":\"");
    URL_SAFE_NO_PAD.encode_string(value, out);
    out.push_str("\",");
}

fn wipe_strings(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_strings),
        Value::Object(obj) => obj.values_mut().for_each(wipe_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
