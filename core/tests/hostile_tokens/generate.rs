//! Writes `tests/data/hostile_tokens.json`: run once by hand, commit the output.
//!
//! `cargo test -p authjwt-core --test hostile_tokens -- --ignored regenerate_hostile_token_table`
//!
//! Keys are the RFCs' example keys (RFC 8037 A.1 Ed25519, RFC 7515 A.2 RSA, A.3 P-256, A.4 P-521)
//! so the table is reproducible in spirit; ECDSA signatures are randomized, so a rerun changes
//! bytes but not verdicts. Every case carries a fixed `currentDate`.

use authjwt_core::alg::{Algorithm, KeyPairConfig};
use authjwt_core::crypto::SigningKey;
use authjwt_core::jwk::{PrivateJwk, PublicJwk};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Map, Value};

#[path = "cases_body.rs"]
mod cases_body;
#[path = "cases_header.rs"]
mod cases_header;

pub const NOW: i64 = 1_700_000_000;

const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The Ed25519 group order L, little-endian.
const ED25519_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

struct Gen {
    ed: SigningKey,
    ec: SigningKey,
    p521: SigningKey,
    rsa: SigningKey,
    attacker_ed: SigningKey,
    attacker_ec: SigningKey,
    cases: Vec<Value>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn rfc_key(file: &str, pick: impl Fn(&Value) -> Option<&Value>, alg: Algorithm) -> SigningKey {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let jwk = pick(&doc).unwrap().to_string();
    SigningKey::from_private_jwk(&PrivateJwk::from_json(&jwk).unwrap(), alg).unwrap()
}

fn rfc7515_key(id: &str, alg: Algorithm) -> SigningKey {
    rfc_key(
        "rfc7515_appendix_a.json",
        |d| {
            d["cases"]
                .as_array()?
                .iter()
                .find(|c| c["id"] == id)
                .map(|c| &c["key_jwk"])
        },
        alg,
    )
}

fn public(key: &SigningKey, kid: &str, alg: Option<&str>) -> Value {
    let mut map: Map<String, Value> = key.public_jwk().to_map();
    map.insert("kid".into(), kid.into());
    if let Some(alg) = alg {
        map.insert("alg".into(), alg.into());
    }
    Value::Object(map)
}

fn claims() -> Value {
    json!({"sub":"user-1","iss":"https://auth.example.com","aud":"api","iat":NOW - 60,"exp":NOW + 600})
}

fn with_claim(name: &str, value: Value) -> Value {
    let mut c = claims();
    c[name] = value;
    c
}

fn without_claim(name: &str) -> Value {
    let mut c = claims();
    c.as_object_mut().unwrap().remove(name);
    c
}

/// `{"currentDate": NOW}` plus `extra`.
fn options(extra: Value) -> Value {
    let mut o = json!({ "currentDate": NOW });
    if let Value::Object(extra) = extra {
        o.as_object_mut().unwrap().extend(extra);
    }
    o
}

fn raw(header: &[u8], payload: &[u8], sig: &[u8]) -> String {
    format!("{}.{}.{}", b64(header), b64(payload), b64(sig))
}

fn signed_bytes(key: &SigningKey, header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(&sig))
}

fn signed(key: &SigningKey, header: Value, payload: Value) -> String {
    signed_bytes(
        key,
        header.to_string().as_bytes(),
        payload.to_string().as_bytes(),
    )
}

fn hmac(alg: jsonwebtoken::Algorithm, secret: &[u8], header: Value, payload: Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let key = jsonwebtoken::EncodingKey::from_secret(secret);
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &key, alg).unwrap();
    format!("{input}.{sig}")
}

fn split_sig(token: &str) -> (String, Vec<u8>) {
    let (input, sig) = token.rsplit_once('.').unwrap();
    (input.to_owned(), URL_SAFE_NO_PAD.decode(sig).unwrap())
}

fn resign(input: &str, sig: &[u8]) -> String {
    format!("{input}.{}", b64(sig))
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

fn der_uint(v: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    if v.first().is_none_or(|&b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    der(0x02, &v)
}

fn rsa_public_pem(key: &SigningKey) -> String {
    let PublicJwk::Rsa { n, e } = key.public_jwk() else {
        panic!("not an RSA key")
    };
    let rsa_public_key = der(0x30, &[der_uint(n), der_uint(e)].concat());
    let algorithm = der(
        0x30,
        &[
            der(
                0x06,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
            ),
            vec![0x05, 0x00],
        ]
        .concat(),
    );
    let bits = der(0x03, &[&[0u8][..], &rsa_public_key].concat());
    let spki = der(0x30, &[algorithm, bits].concat());
    let body = STANDARD.encode(spki);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

/// Big-endian a - b for equal-length numbers with a >= b.
fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b).rev() {
        let d = i16::from(x) - i16::from(y) - borrow;
        *o = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    out
}

impl Gen {
    fn new() -> Gen {
        let gen = |alg| {
            SigningKey::generate(&KeyPairConfig {
                alg,
                ..KeyPairConfig::default()
            })
        };
        Gen {
            ed: rfc_key(
                "rfc8037_a4_ed25519.json",
                |d| d.get("A.1_private_jwk"),
                Algorithm::EdDSA,
            ),
            ec: rfc7515_key("RFC7515-A.3", Algorithm::ES256),
            p521: rfc7515_key("RFC7515-A.4", Algorithm::ES512),
            rsa: rfc7515_key("RFC7515-A.2", Algorithm::RS256),
            attacker_ed: gen(Algorithm::EdDSA).unwrap(),
            attacker_ec: gen(Algorithm::ES256).unwrap(),
            cases: Vec::new(),
        }
    }

    fn keys(&self) -> Value {
        json!({"keys": [
            public(&self.ed, "ed", None),
            public(&self.ec, "ec", Some("ES256")),
            public(&self.p521, "p521", None),
            public(&self.rsa, "rsa", Some("RS256")),
        ]})
    }

    fn add(&mut self, name: &str, token: String, opts: Value, expect: &str) {
        assert!(
            !self.cases.iter().any(|c| c["name"] == name),
            "duplicate case {name}"
        );
        self.cases
            .push(json!({"name": name, "token": token, "options": opts, "expect": expect}));
    }

    fn add_claim(&mut self, name: &str, token: String, opts: Value, claim: &str, reason: &str) {
        self.add(name, token, opts, "ERR_JWT_CLAIM_VALIDATION_FAILED");
        let last = self.cases.last_mut().unwrap();
        last["claim"] = claim.into();
        last["reason"] = reason.into();
    }

    fn ed_token(&self, payload: Value) -> String {
        signed(&self.ed, json!({"alg":"EdDSA","kid":"ed"}), payload)
    }

    fn es_token(&self) -> String {
        signed(&self.ec, json!({"alg":"ES256","kid":"ec"}), claims())
    }
}

/// Builds the whole table.
pub fn table() -> Value {
    let mut g = Gen::new();
    g.controls();
    g.algorithms();
    g.embedded_keys_and_kids();
    g.signatures();
    g.encoding();
    g.json();
    g.claims_edges();
    g.option_rules();
    json!({
        "description": "Hostile and malformed compact JWTs with the exact authjwt error code expected \
            (\"ok\" = must accept). Shared by the Rust, Node and Python suites. Keys are the RFC \
            example keys (RFC 8037 A.1, RFC 7515 A.2-A.4). A case with its own \"keys\" uses that \
            JWKS instead, and expects the error of loading it. Options use jose's names; \
            currentDate and durations are seconds. Claim failures name their claim and reason.",
        "generator": "core/tests/hostile_tokens/generate.rs",
        "keys": g.keys(),
        "cases": g.cases,
    })
}
