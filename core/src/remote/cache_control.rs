//! How long a JWKS answer says it stays fresh (RFC 9111 §4.2.1 as a private cache reads it):
//! `Cache-Control: max-age`, less the `Age` the answer already spent in caches on the way; or
//! zero for `no-cache` / `no-store`. `s-maxage` is for shared caches and is not ours.

use std::time::Duration;

use reqwest::header::{HeaderMap, AGE, CACHE_CONTROL};

/// The freshness lifetime the answer's headers give, or `None` when they say nothing about it.
pub(super) fn server_lifetime(headers: &HeaderMap) -> Option<Duration> {
    let mut max_age: Option<u64> = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(text) = value.to_str() else { continue };
        for directive in text.split(',') {
            let (name, argument) = match directive.split_once('=') {
                Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
                return Some(Duration::ZERO);
            }
            if name.eq_ignore_ascii_case("max-age") {
                // A malformed max-age is stale (RFC 9111 §4.2.1); the least one given wins.
                let seconds = argument.and_then(|a| a.parse::<u64>().ok()).unwrap_or(0);
                max_age = Some(max_age.map_or(seconds, |m| m.min(seconds)));
            }
        }
    }
    let age = headers
        .get(AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    max_age.map(|m| Duration::from_secs(m.saturating_sub(age)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn lifetime(pairs: &[(&'static str, &'static str)]) -> Option<Duration> {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        server_lifetime(&h)
    }

    #[test]
    fn reads_max_age_less_age() {
        let s = Duration::from_secs;
        assert_eq!(lifetime(&[]), None);
        assert_eq!(lifetime(&[("cache-control", "public")]), None);
        assert_eq!(
            lifetime(&[("cache-control", "public, max-age=300")]),
            Some(s(300))
        );
        assert_eq!(
            lifetime(&[("cache-control", "Max-Age=\"60\", must-revalidate")]),
            Some(s(60))
        );
        assert_eq!(
            lifetime(&[("cache-control", "max-age=300"), ("age", "100")]),
            Some(s(200))
        );
        assert_eq!(
            lifetime(&[("cache-control", "max-age=30"), ("age", "100")]),
            Some(s(0))
        );
        assert_eq!(
            lifetime(&[
                ("cache-control", "max-age=300"),
                ("cache-control", "max-age=30")
            ]),
            Some(s(30))
        );
        assert_eq!(
            lifetime(&[("cache-control", "s-maxage=900")]),
            None,
            "s-maxage is for shared caches"
        );
    }

    #[test]
    fn no_cache_and_bad_values_are_stale_now() {
        assert_eq!(
            lifetime(&[("cache-control", "max-age=600, no-cache")]),
            Some(Duration::ZERO)
        );
        assert_eq!(
            lifetime(&[("cache-control", "no-store")]),
            Some(Duration::ZERO)
        );
        assert_eq!(
            lifetime(&[("cache-control", "max-age=soon")]),
            Some(Duration::ZERO)
        );
        assert_eq!(
            lifetime(&[("cache-control", "max-age=-5")]),
            Some(Duration::ZERO)
        );
    }
}
