//! The option rules, checked before any token is looked at: a list option given empty, an empty
//! expected string or a negative duration is `ERR_INVALID_CONFIG` naming the option, never "not
//! checked" (a token with any `iss`/`aud` would otherwise pass). And the order of the claim
//! checks: times before identity.

use super::*;

/// The error of verifying a good token under `o`, with its message; checks both verify paths.
fn config_error(o: &VerifyOptions) -> String {
    let token = ed_token(good_claims());
    let e = verify_jwt(&token, &set(), o).unwrap_err();
    let via_json = verify_jwt_json(&token, &set(), o).unwrap_err();
    assert_eq!(
        (e.code(), via_json.code()),
        ("ERR_INVALID_CONFIG", "ERR_INVALID_CONFIG"),
        "{e}"
    );
    e.to_string()
}

#[test]
fn empty_issuer_or_audience_list_is_invalid_config_not_unchecked() {
    for (o, name) in [
        (
            VerifyOptions {
                issuer: Some(vec![]),
                ..opts()
            },
            "issuer",
        ),
        (
            VerifyOptions {
                audience: Some(vec![]),
                ..opts()
            },
            "audience",
        ),
        (
            VerifyOptions {
                required_claims: Some(vec![]),
                ..opts()
            },
            "requiredClaims",
        ),
        (
            VerifyOptions {
                algorithms: Some(vec![]),
                ..opts()
            },
            "algorithms",
        ),
        (
            VerifyOptions {
                issuer: Some(vec![String::new()]),
                ..opts()
            },
            "issuer",
        ),
        (
            VerifyOptions {
                audience: Some(vec!["api".into(), String::new()]),
                ..opts()
            },
            "audience",
        ),
        (
            VerifyOptions {
                typ: Some(String::new()),
                ..opts()
            },
            "typ",
        ),
        (
            VerifyOptions {
                subject: Some(String::new()),
                ..opts()
            },
            "subject",
        ),
        (
            VerifyOptions {
                max_token_size: 0,
                ..opts()
            },
            "maxTokenSize",
        ),
    ] {
        let message = config_error(&o);
        assert!(message.contains(name), "{name}: {message}");
    }
}

#[test]
fn negative_clock_tolerance_or_max_token_age_is_invalid_config() {
    for tolerance in [-1, -600, i64::MIN] {
        let o = VerifyOptions {
            clock_tolerance: tolerance,
            ..opts()
        };
        assert!(config_error(&o).contains("clockTolerance"), "{tolerance}");
    }
    let o = VerifyOptions {
        max_token_age: Some(-1),
        ..opts()
    };
    assert!(config_error(&o).contains("maxTokenAge"));
    // Zero stays valid for both.
    let zero = VerifyOptions {
        clock_tolerance: 0,
        max_token_age: Some(3600),
        ..opts()
    };
    assert_eq!(verify(&ed_token(good_claims()), &zero), "ok");
}

#[test]
fn a_bad_option_is_reported_before_the_token_is_read() {
    let o = VerifyOptions {
        issuer: Some(vec![]),
        ..opts()
    };
    for token in ["", "not.a.token", "a.b"] {
        assert_eq!(verify(token, &o), "ERR_INVALID_CONFIG", "{token:?}");
    }
}

#[test]
fn an_expired_token_is_expired_whatever_its_iss_aud_or_sub() {
    let strict = VerifyOptions {
        issuer: Some(vec!["https://auth.example.com".into()]),
        audience: Some(vec!["api".into()]),
        subject: Some("u1".into()),
        ..opts()
    };
    let mut expired = good_claims();
    expired["exp"] = json!(NOW - 60);
    for (claim, wrong) in [
        ("aud", "elsewhere"),
        ("iss", "https://evil.example"),
        ("sub", "u2"),
    ] {
        let mut c = expired.clone();
        c[claim] = json!(wrong);
        let token = ed_token(c);
        assert_eq!(verify(&token, &strict), "ERR_JWT_EXPIRED", "{claim}");
        let e = verify_jwt(&token, &set(), &strict).unwrap_err();
        assert_eq!(e.claim(), Some("exp"));
    }
    // A token not yet valid is reported as such before a wrong audience, too.
    let mut early = good_claims();
    early["nbf"] = json!(NOW + 60);
    early["aud"] = json!("elsewhere");
    assert_eq!(
        claim_error(&ed_token(early), &strict),
        ("nbf".into(), ClaimReason::CheckFailed)
    );
}
