//! Independent cross-check with the `jsonwebtoken` crate (11, RustCrypto backend): tokens authjwt
//! signs verify there, and tokens it signs verify here, for EdDSA, ES256, ES384, RS256 and PS256.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{SystemTime, UNIX_EPOCH};

use authjwt_core::alg::{Algorithm, KeyPairConfig};
use authjwt_core::crypto::SigningKey;
use authjwt_core::jwk::{PrivateParts, PublicJwk};
use authjwt_core::jwks::KeySet;
use authjwt_core::jws::encode_compact;
use authjwt_core::verify::{verify_jwt, VerifyOptions};
use jsonwebtoken as jt;
use serde_json::{json, Value};

const ALGS: [(Algorithm, jt::Algorithm); 5] = [
    (Algorithm::EdDSA, jt::Algorithm::EdDSA),
    (Algorithm::ES256, jt::Algorithm::ES256),
    (Algorithm::ES384, jt::Algorithm::ES384),
    (Algorithm::RS256, jt::Algorithm::RS256),
    (Algorithm::PS256, jt::Algorithm::PS256),
];

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims() -> Value {
    let now = now();
    json!({"sub":"user-1","iss":"https://auth.example.com","aud":"api","iat":now,"exp":now + 600,
           "email":"a@example.com"})
}

fn generate(alg: Algorithm) -> SigningKey {
    SigningKey::generate(&KeyPairConfig {
        alg,
        ..KeyPairConfig::default()
    })
    .unwrap()
}

fn validation(alg: jt::Algorithm) -> jt::Validation {
    let mut v = jt::Validation::new(alg);
    v.set_audience(&["api"]);
    v.set_issuer(&["https://auth.example.com"]);
    v
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

/// The private key in the DER form `jsonwebtoken` reads: PKCS#8 for Ed25519 and EC, PKCS#1 for RSA.
fn encoding_key(key: &SigningKey) -> jt::EncodingKey {
    let private = key.to_private_jwk().unwrap();
    match (private.public(), private.secret()) {
        (PublicJwk::Ed25519 { .. }, PrivateParts::Ed25519 { d }) => {
            let algorithm = der(0x30, &der(0x06, &[0x2b, 0x65, 0x70]));
            let pkcs8 = der(
                0x30,
                &[der(0x02, &[0]), algorithm, der(0x04, &der(0x04, d))].concat(),
            );
            jt::EncodingKey::from_ed_der(&pkcs8)
        }
        (PublicJwk::Ec { crv, .. }, PrivateParts::Ec { d }) => {
            let curve: &[u8] = match crv.name() {
                "P-256" => &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
                "P-384" => &[0x2b, 0x81, 0x04, 0x00, 0x22],
                other => panic!("jsonwebtoken has no {other}"),
            };
            let algorithm = der(
                0x30,
                &[
                    der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
                    der(0x06, curve),
                ]
                .concat(),
            );
            let ec_private_key = der(0x30, &[der(0x02, &[1]), der(0x04, d)].concat());
            let pkcs8 = der(
                0x30,
                &[der(0x02, &[0]), algorithm, der(0x04, &ec_private_key)].concat(),
            );
            jt::EncodingKey::from_ec_der(&pkcs8)
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
            let parts: [&[u8]; 9] = [&[0], n, e, d, p, q, dp, dq, qi];
            let pkcs1 = der(0x30, &parts.map(der_uint).concat());
            jt::EncodingKey::from_rsa_der(&pkcs1)
        }
        _ => panic!("mismatched private JWK"),
    }
}

#[test]
fn authjwt_tokens_verify_in_jsonwebtoken() {
    let mut verified = 0;
    for (alg, jt_alg) in ALGS {
        let key = generate(alg);
        let payload = claims();
        let token =
            encode_compact(&key, "kid-1", Some("JWT"), payload.to_string().as_bytes()).unwrap();
        let jwk: jt::jwk::Jwk = serde_json::from_str(&key.public_jwk().to_json()).unwrap();
        let decoding = jt::DecodingKey::from_jwk(&jwk).unwrap();
        let data = jt::decode::<Value>(&token, &decoding, &validation(jt_alg))
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(data.claims, payload, "{alg}");
        assert_eq!(data.header.kid.as_deref(), Some("kid-1"));
        assert_eq!(data.header.typ.as_deref(), Some("JWT"));
        assert_eq!(data.header.alg, jt_alg);
        // A tampered token is refused there too.
        let mut tampered = token.clone();
        tampered.replace_range(token.len() - 4.., "AAAA");
        assert!(jt::decode::<Value>(&tampered, &decoding, &validation(jt_alg)).is_err());
        verified += 1;
    }
    println!("jsonwebtoken verified {verified} authjwt tokens (EdDSA, ES256, ES384, RS256, PS256)");
}

#[test]
fn jsonwebtoken_tokens_verify_in_authjwt() {
    let mut verified = 0;
    for (alg, jt_alg) in ALGS {
        let key = generate(alg);
        let mut header = jt::Header::new(jt_alg);
        header.kid = Some("jt-1".to_owned());
        let payload = claims();
        let token = jt::encode(&header, &payload, &encoding_key(&key))
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        let mut jwk = key.public_jwk().to_map();
        jwk.insert("kid".into(), "jt-1".into());
        let keys = KeySet::from_value(&json!({ "keys": [jwk] })).unwrap();
        let options = VerifyOptions {
            issuer: Some(vec!["https://auth.example.com".into()]),
            audience: Some(vec!["api".into()]),
            typ: Some("JWT".into()),
            ..VerifyOptions::default()
        };
        let v = verify_jwt(&token, &keys, &options).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(serde_json::Value::Object(v.payload), payload, "{alg}");
        assert_eq!(v.protected_header["alg"], jt_alg_name(jt_alg));
        verified += 1;
    }
    println!("authjwt verified {verified} jsonwebtoken tokens (EdDSA, ES256, ES384, RS256, PS256)");
}

fn jt_alg_name(alg: jt::Algorithm) -> &'static str {
    match alg {
        jt::Algorithm::EdDSA => "EdDSA",
        jt::Algorithm::ES256 => "ES256",
        jt::Algorithm::ES384 => "ES384",
        jt::Algorithm::RS256 => "RS256",
        jt::Algorithm::PS256 => "PS256",
        _ => "other",
    }
}
