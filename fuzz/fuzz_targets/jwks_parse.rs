//! JWKS parsing and validation: must never panic; an accepted set has only usable algorithms.
#![no_main]

use authjwt_core::jwks::KeySet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    if let Ok(set) = KeySet::from_json(json) {
        let _ = set.algorithms();
        assert!(set.len() <= json.len());
    }
});
