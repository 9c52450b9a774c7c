//! Compact token parse + verify against a fixed key set (Ed25519, P-256, RSA): must never panic,
//! and anything it accepts must carry a known algorithm.
#![no_main]

use std::sync::OnceLock;

use authjwt_core::jwks::KeySet;
use authjwt_core::verify::{verify_jwt, VerifyOptions};
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
    if let Ok(verified) = verify_jwt(token, keys(), &options) {
        assert!(verified.protected_header.get("alg").is_some_and(|a| a.is_string()));
    }
});
