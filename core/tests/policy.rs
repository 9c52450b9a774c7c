//! One test per rule of DESIGN.md's verification policy. Each test builds a token that passes every
//! other rule, so it fails if its own rule is removed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use authjwt_core::alg::{Algorithm, KeyPairConfig};
use authjwt_core::crypto::SigningKey;
use authjwt_core::jwks::KeySet;
use authjwt_core::verify::{verify_jwt, verify_jwt_json, VerifyOptions};
use authjwt_core::ClaimReason;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};

const NOW: i64 = 1_700_000_000;

struct Keys {
    ed: SigningKey,
    ec: SigningKey,
    rsa: SigningKey,
    attacker: SigningKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let gen = |alg| {
            SigningKey::generate(&KeyPairConfig {
                alg,
                ..KeyPairConfig::default()
            })
        };
        Keys {
            ed: gen(Algorithm::EdDSA).unwrap(),
            ec: gen(Algorithm::ES256).unwrap(),
            rsa: gen(Algorithm::RS256).unwrap(),
            attacker: gen(Algorithm::EdDSA).unwrap(),
        }
    })
}

fn jwk(key: &SigningKey, kid: &str, alg: Option<&str>) -> Value {
    let mut map = key.public_jwk().to_map();
    map.insert("kid".into(), kid.into());
    if let Some(alg) = alg {
        map.insert("alg".into(), alg.into());
    }
    Value::Object(map)
}

/// The usual set: an Ed25519 key "ed", a P-256 key "ec" and an RSA key "rsa".
fn set() -> KeySet {
    let k = keys();
    KeySet::from_value(&json!({"keys": [
        jwk(&k.ed, "ed", None),
        jwk(&k.ec, "ec", Some("ES256")),
        jwk(&k.rsa, "rsa", None),
    ]}))
    .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs exactly this header and payload text.
fn sign_raw(key: &SigningKey, header: &str, payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload));
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(&sig))
}

fn sign(key: &SigningKey, header: Value, payload: Value) -> String {
    sign_raw(key, &header.to_string(), payload.to_string().as_bytes())
}

fn ed_token(payload: Value) -> String {
    sign(&keys().ed, json!({"alg":"EdDSA","kid":"ed"}), payload)
}

fn good_claims() -> Value {
    json!({"sub":"u1","iss":"https://auth.example.com","aud":"api","iat":NOW - 10,"exp":NOW + 600})
}

fn opts() -> VerifyOptions {
    VerifyOptions {
        current_date: Some(NOW),
        ..VerifyOptions::default()
    }
}

fn verify(token: &str, options: &VerifyOptions) -> &'static str {
    verify_with(token, &set(), options)
}

fn verify_with(token: &str, keys: &KeySet, options: &VerifyOptions) -> &'static str {
    let code = match verify_jwt(token, keys, options) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    };
    // The JSON-text variant (the Node binding's path) applies the same policy.
    let json_code = match verify_jwt_json(token, keys, options) {
        Ok(_) => "ok",
        Err(e) => e.code(),
    };
    assert_eq!(json_code, code, "verify_jwt_json disagrees with verify_jwt");
    code
}

fn claim_error(token: &str, options: &VerifyOptions) -> (String, ClaimReason) {
    let via_json = verify_jwt_json(token, &set(), options).unwrap_err();
    let e = verify_jwt(token, &set(), options).unwrap_err();
    assert_eq!(
        (via_json.code(), via_json.claim(), via_json.reason()),
        (e.code(), e.claim(), e.reason())
    );
    assert_eq!(e.code(), "ERR_JWT_CLAIM_VALIDATION_FAILED", "{e}");
    (e.claim().unwrap().to_owned(), e.reason().unwrap())
}

fn segments(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

#[path = "policy/claims.rs"]
mod claims;
#[path = "policy/header.rs"]
mod header;
#[path = "policy/key.rs"]
mod key;
#[path = "policy/options.rs"]
mod options;
#[path = "policy/parse.rs"]
mod parse;
#[path = "policy/signature.rs"]
mod signature;
