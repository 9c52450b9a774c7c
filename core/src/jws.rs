//! Compact JWS encode and decode (RFC 7515 §7.1): strict base64url, exactly two dots, size cap,
//! JSON objects without duplicate members, header rules.
//!
//! Decoding is structural only: the header is parsed here, the header *rules* (`alg`, `crit`,
//! `kid`...) are applied by [`crate::verify`], and the payload stays bytes until the signature has
//! been checked.

pub mod json;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::alg::{Algorithm, KeyKind};
use crate::crypto::SigningKey;
use crate::error::{Error, Result};

/// Default cap on a token's length in bytes.
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 16 * 1024;

/// Longest accepted `kid`, in bytes: longer ones are refused on decode and on encode.
pub const MAX_KID_LEN: usize = 256;

/// A decoded compact JWS; the signature is not checked yet.
#[derive(Debug)]
pub struct DecodedJws<'t> {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The decoded payload bytes.
    pub payload: Vec<u8>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, borrowed from the token.
    pub signing_input: &'t [u8],
    /// The decoded signature.
    pub signature: Vec<u8>,
}

/// Decodes a compact JWS under the structural rules; failures are `ERR_JWS_INVALID`.
///
/// Rules: at most `max_size` bytes; exactly three segments; each segment strict base64url
/// (RFC 7515 §2: no padding, URL-safe alphabet only, canonical trailing bits); the header a JSON
/// object (valid UTF-8, no duplicate member names, bounded depth). The payload may be empty.
pub fn decode_compact(token: &str, max_size: usize) -> Result<DecodedJws<'_>> {
    let parts = split_compact(token, max_size)?;
    Ok(DecodedJws {
        header: parse_header(&parts.header_json)?,
        payload: parts.payload,
        signing_input: parts.signing_input,
        signature: parts.signature,
    })
}

/// A compact JWS cut into its decoded segments, the header still JSON text (the verifier reads it
/// without building a `Map` when it can); the signature is not checked yet.
pub(crate) struct CompactParts<'t> {
    pub(crate) header_json: Vec<u8>,
    pub(crate) payload: Vec<u8>,
    pub(crate) signing_input: &'t [u8],
    pub(crate) signature: Vec<u8>,
}

/// [`decode_compact`]'s rules up to the header's JSON, which [`parse_header`] checks.
pub(crate) fn split_compact(token: &str, max_size: usize) -> Result<CompactParts<'_>> {
    if token.len() > max_size {
        return Err(invalid(format!(
            "token is {} bytes, more than the {max_size}-byte limit",
            token.len()
        )));
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "a compact JWS has exactly three segments separated by two dots",
        ));
    };
    Ok(CompactParts {
        header_json: decode_segment(header_b64, "header")?,
        payload: decode_segment(payload_b64, "payload")?,
        signing_input: &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()],
        signature: decode_segment(signature_b64, "signature")?,
    })
}

/// The protected header's JSON as a `Map`: an object without duplicate members.
pub(crate) fn parse_header(json: &[u8]) -> Result<Map<String, Value>> {
    json::parse_object(json).map_err(|e| invalid(format!("protected header: {e}")))
}

/// A protected header `{"alg":..,"kid":..[,"typ":..]}` already base64url-encoded: build it once per
/// signing key and reuse it for every token ([`encode_with_header`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedHeader {
    alg: Algorithm,
    b64: String,
}

impl EncodedHeader {
    /// Encodes the header of tokens signed with `alg` under `kid`, with `typ` when given. A `kid`
    /// longer than [`MAX_KID_LEN`] is [`Error::InvalidConfig`]: verifiers would refuse its tokens.
    pub fn new(alg: Algorithm, kid: &str, typ: Option<&str>) -> Result<EncodedHeader> {
        if kid.len() > MAX_KID_LEN {
            return Err(Error::InvalidConfig(format!(
                "kid is {} bytes; at most {MAX_KID_LEN} are accepted",
                kid.len()
            )));
        }
        let mut json = String::with_capacity(32 + kid.len() + typ.map_or(0, |t| t.len() + 10));
        json.push_str("{\"alg\":\"");
        json.push_str(alg.name());
        json.push_str("\",\"kid\":");
        push_json_string(&mut json, kid);
        if let Some(typ) = typ {
            json.push_str(",\"typ\":");
            push_json_string(&mut json, typ);
        }
        json.push('}');
        Ok(EncodedHeader {
            alg,
            b64: URL_SAFE_NO_PAD.encode(json.as_bytes()),
        })
    }

    /// The algorithm named in the header.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The base64url text of the header (the token's first segment).
    pub fn as_str(&self) -> &str {
        &self.b64
    }
}

/// Signs `payload_json` (a serialized JSON object) under a header `{alg, kid[, typ]}`.
pub fn encode_compact(
    key: &SigningKey,
    kid: &str,
    typ: Option<&str>,
    payload_json: &[u8],
) -> Result<String> {
    let header = EncodedHeader::new(key.algorithm(), kid, typ)?;
    encode_with_header(key, &header, payload_json)
}

/// Signs `payload_json` under a prepared header: the issuer's hot path. One allocation for the
/// token (sized up front, base64 written straight into it) plus the signature bytes.
pub fn encode_with_header(
    key: &SigningKey,
    header: &EncodedHeader,
    payload_json: &[u8],
) -> Result<String> {
    if header.alg != key.algorithm() {
        return Err(Error::InvalidConfig(format!(
            "header names {} but the key signs {}",
            header.alg,
            key.algorithm()
        )));
    }
    let payload_len = b64_len(payload_json.len());
    let capacity = header.b64.len() + 2 + payload_len + b64_len(signature_len(key, header.alg));
    // Base64 is written straight into the token's buffer (`encode_slice`): `encode_string`'s
    // chunked encoder cost ~1.4k instructions per call in the profile (bench/HISTORY.md).
    let mut token = Vec::with_capacity(capacity);
    token.extend_from_slice(header.b64.as_bytes());
    token.push(b'.');
    append_b64(&mut token, payload_json, payload_len)?;
    let signature = key.sign(&token)?;
    token.push(b'.');
    append_b64(&mut token, &signature, b64_len(signature.len()))?;
    // Base64url and the header's base64 are ASCII, so this check cannot fail.
    String::from_utf8(token).map_err(|_| Error::InvalidConfig("the token is not ASCII".to_owned()))
}

/// Appends the unpadded base64url of `bytes` (`len` = its encoded length) to `out`.
fn append_b64(out: &mut Vec<u8>, bytes: &[u8], len: usize) -> Result<()> {
    let start = out.len();
    out.resize(start + len, 0);
    URL_SAFE_NO_PAD
        .encode_slice(bytes, &mut out[start..])
        .map_err(|_| Error::InvalidConfig("base64 buffer too small".to_owned()))?;
    Ok(())
}

/// The protected header and the claims of a compact JWT WITHOUT verifying its signature or claims
/// (jose's `decodeJwt`; never use the result for access decisions). The token must pass
/// [`decode_compact`]'s structural rules; a payload that is not a JSON object is
/// `ERR_JWT_INVALID`. Duplicate payload members are kept last-wins, like `JSON.parse`.
pub fn decode_unverified(token: &str) -> Result<(Map<String, Value>, Map<String, Value>)> {
    let jws = decode_compact(token, DEFAULT_MAX_TOKEN_SIZE)?;
    match serde_json::from_slice::<Value>(&jws.payload) {
        Ok(Value::Object(payload)) => Ok((jws.header, payload)),
        _ => Err(Error::JwtInvalid(
            "the payload is not a JSON object".to_owned(),
        )),
    }
}

/// The protected header of a compact JWS WITHOUT verifying it (jose's `decodeProtectedHeader`, to
/// read `kid` or `alg`); the payload may be anything, as for any JWS.
pub fn decode_unverified_header(token: &str) -> Result<Map<String, Value>> {
    Ok(decode_compact(token, DEFAULT_MAX_TOKEN_SIZE)?.header)
}

/// Decodes one strict base64url segment.
pub fn decode_segment(segment: &str, what: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| invalid(format!("{what} is not strict base64url (RFC 7515 §2)")))
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::JwsInvalid(msg.into())
}

/// Length of unpadded base64 for `n` bytes.
fn b64_len(n: usize) -> usize {
    n.div_ceil(3) * 4 - (3 - n % 3) % 3
}

/// The signature's length in bytes, for sizing the token buffer.
fn signature_len(key: &SigningKey, alg: Algorithm) -> usize {
    match alg.key_kind() {
        KeyKind::Ed25519 => 64,
        KeyKind::Ec(curve) => 2 * curve.field_len(),
        KeyKind::Rsa => match key.public_jwk() {
            crate::jwk::PublicJwk::Rsa { n, .. } => n.len(),
            _ => 512,
        },
    }
}

/// Appends `s` as a JSON string literal (quoted and escaped).
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn code(r: Result<DecodedJws<'_>>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    #[test]
    fn decode_unverified_needs_a_json_object_payload() {
        let header = b64(r#"{"alg":"EdDSA","kid":"k"}"#);
        let token = format!("{header}.{}.c2ln", b64(r#"{"sub":"u"}"#));
        let (h, p) = decode_unverified(&token).unwrap();
        assert_eq!(
            (h["kid"].as_str(), p["sub"].as_str()),
            (Some("k"), Some("u"))
        );
        for payload in ["[1]", "\"x\"", "not json", ""] {
            let token = format!("{header}.{}.c2ln", b64(payload));
            let e = decode_unverified(&token).unwrap_err();
            assert_eq!(e.code(), "ERR_JWT_INVALID", "{payload}");
            // The header alone does not care what the payload is.
            assert_eq!(decode_unverified_header(&token).unwrap()["kid"], "k");
        }
        assert_eq!(
            decode_unverified("a.b").unwrap_err().code(),
            "ERR_JWS_INVALID"
        );
    }

    #[test]
    fn decodes_three_segments() {
        let token = format!("{}.{}.AQID", b64(r#"{"alg":"EdDSA"}"#), b64("hello"));
        let d = decode_compact(&token, DEFAULT_MAX_TOKEN_SIZE).unwrap();
        assert_eq!(d.header["alg"], "EdDSA");
        assert_eq!(d.payload, b"hello");
        assert_eq!(d.signature, [1, 2, 3]);
        assert_eq!(
            d.signing_input,
            token.rsplit_once('.').unwrap().0.as_bytes()
        );
    }

    #[test]
    fn rejects_wrong_segment_counts() {
        let h = b64(r#"{"alg":"EdDSA"}"#);
        for t in [
            String::new(),
            h.clone(),
            format!("{h}.e30"),
            format!("{h}.e30.AA.AA"),
            format!("{h}.e30.AA."),
            format!("{h}..e30.AA"),
        ] {
            assert_eq!(
                code(decode_compact(&t, DEFAULT_MAX_TOKEN_SIZE)),
                "ERR_JWS_INVALID",
                "{t}"
            );
        }
    }

    #[test]
    fn rejects_padding_non_alphabet_and_non_canonical_bits() {
        let h = b64(r#"{"alg":"EdDSA"}"#);
        for sig in ["AQ==", "AQ=", "A+B/", "AQ\u{0}", "AQ ", "AR"] {
            let t = format!("{h}.e30.{sig}");
            assert_eq!(
                code(decode_compact(&t, DEFAULT_MAX_TOKEN_SIZE)),
                "ERR_JWS_INVALID",
                "{sig:?}"
            );
        }
        // "AQ" is canonical for [1]; "AR" sets trailing bits and was refused above.
        assert_eq!(
            code(decode_compact(
                &format!("{h}.e30.AQ"),
                DEFAULT_MAX_TOKEN_SIZE
            )),
            "ok"
        );
    }

    #[test]
    fn rejects_oversize_tokens_before_decoding() {
        let t = format!("{}.{}.AA", b64(r#"{"alg":"EdDSA"}"#), "A".repeat(20_000));
        let err = decode_compact(&t, DEFAULT_MAX_TOKEN_SIZE).unwrap_err();
        assert_eq!(err.code(), "ERR_JWS_INVALID");
        assert!(err.to_string().contains("limit"));
    }

    #[test]
    fn header_must_be_a_strict_json_object() {
        for h in [
            "[]",
            "\"alg\"",
            "null",
            r#"{"alg":"EdDSA","alg":"none"}"#,
            "{\"alg\":\"\u{0}",
        ] {
            let t = format!("{}.e30.AA", b64(h));
            assert_eq!(
                code(decode_compact(&t, DEFAULT_MAX_TOKEN_SIZE)),
                "ERR_JWS_INVALID",
                "{h}"
            );
        }
        let bad_utf8 = URL_SAFE_NO_PAD.encode(b"{\"alg\":\"\xff\"}");
        assert_eq!(
            code(decode_compact(
                &format!("{bad_utf8}.e30.AA"),
                DEFAULT_MAX_TOKEN_SIZE
            )),
            "ERR_JWS_INVALID"
        );
    }

    #[test]
    fn encoded_header_is_alg_kid_typ_in_order() {
        let h = EncodedHeader::new(Algorithm::ES256, "k\"1", Some("JWT")).unwrap();
        let json = URL_SAFE_NO_PAD.decode(h.as_str()).unwrap();
        assert_eq!(json, br#"{"alg":"ES256","kid":"k\"1","typ":"JWT"}"#);
        let h = EncodedHeader::new(Algorithm::EdDSA, "abc", None).unwrap();
        let json = URL_SAFE_NO_PAD.decode(h.as_str()).unwrap();
        assert_eq!(json, br#"{"alg":"EdDSA","kid":"abc"}"#);
        let parsed = json::parse_object(&json).unwrap();
        assert_eq!(parsed["kid"], "abc");
    }

    #[test]
    fn control_characters_in_kid_are_escaped() {
        let h = EncodedHeader::new(Algorithm::EdDSA, "a\u{1}\n\\", None).unwrap();
        let json = URL_SAFE_NO_PAD.decode(h.as_str()).unwrap();
        let parsed = json::parse_object(&json).unwrap();
        assert_eq!(parsed["kid"], "a\u{1}\n\\");
    }

    #[test]
    fn overlong_kid_is_refused_on_encode() {
        let kid = "k".repeat(MAX_KID_LEN + 1);
        let err = EncodedHeader::new(Algorithm::EdDSA, &kid, None).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_CONFIG");
    }

    #[test]
    fn b64_len_matches_the_encoder() {
        for n in 0..200 {
            assert_eq!(
                b64_len(n),
                URL_SAFE_NO_PAD.encode(vec![0u8; n]).len(),
                "{n}"
            );
        }
    }
}
