//! JWK import: public and private JWK JSON into verifying and signing keys for every algorithm.
//! Never panics; an imported private key's public half equals the derived one.
#![no_main]

use authjwt_core::alg::ALL_ALGORITHMS;
use authjwt_core::crypto::{SigningKey, VerifyingKey};
use authjwt_core::jwk::{PrivateJwk, PublicJwk};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    if let Ok(public) = PublicJwk::from_json(json) {
        for alg in ALL_ALGORITHMS {
            let _ = VerifyingKey::from_public_jwk(&public, alg);
        }
        let _ = public.thumbprint();
    }
    if let Ok(private) = PrivateJwk::from_json(json) {
        for alg in ALL_ALGORITHMS {
            if let Ok(key) = SigningKey::from_private_jwk(&private, alg) {
                assert_eq!(key.public_jwk(), private.public());
            }
        }
    }
});
