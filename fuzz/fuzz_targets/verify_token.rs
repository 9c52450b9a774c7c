//! Compact token parse + verify against a fixed key set (Ed25519, P-256, RSA): must never panic,
//! anything it accepts must carry a known algorithm, and the two verifiers (`verify_jwt` builds
//! `Map`s, `verify_jwt_json` scans the header and claims from their text) must give the same
//! outcome: the same error code, or the same header and claims.
#![no_main]

use std::sync::OnceLock;

use authjwt_core::jwks::KeySet;
use authjwt_core::verify::{verify_jwt, verify_jwt_json, VerifyOptions};
use libfuzzer_sys::fuzz_target;

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| match KeySet::from_json(include_str!("keys.json")) {
        Ok(keys) => keys,
        Err(e) => panic!("fixed key set must parse: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let options = VerifyOptions { require_exp: false, ..VerifyOptions::default() };
    match (verify_jwt(token, keys(), &options), verify_jwt_json(token, keys(), &options)) {
        (Ok(verified), Ok(text)) => {
            assert!(verified.protected_header.get("alg").is_some_and(|a| a.is_string()));
            let doc: serde_json::Value = match serde_json::from_str(&text) {
                Ok(doc) => doc,
                Err(e) => panic!("verify_jwt_json returned invalid JSON: {e}"),
            };
            assert_eq!(doc["payload"], serde_json::Value::Object(verified.payload));
            assert_eq!(doc["protectedHeader"], serde_json::Value::Object(verified.protected_header));
        }
        (Err(a), Err(b)) => assert_eq!((a.code(), a.claim(), a.reason()), (b.code(), b.claim(), b.reason())),
        (a, b) => panic!("verify_jwt ok={} but verify_jwt_json ok={}", a.is_ok(), b.is_ok()),
    }
});
