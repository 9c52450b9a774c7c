//! The expiration-time grammar: never panics; resolving any parsed span saturates.
#![no_main]

use authjwt_core::claims::{parse_timespan, ExpirationTime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(span) = std::str::from_utf8(data) else { return };
    let seconds = parse_timespan(span);
    let parsed = ExpirationTime::parse_span(span);
    assert_eq!(seconds.is_ok(), parsed.is_ok());
    if let Ok(exp) = parsed {
        let _ = exp.resolve(i64::MAX);
        let _ = exp.resolve(i64::MIN);
    }
});
