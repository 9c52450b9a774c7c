//! Policy step 5. Claims: JSON object, exp/nbf/iat/maxTokenAge, iss/aud/sub/typ, types, NumericDates.

use super::*;

#[test]
fn rejects_payload_that_is_not_a_json_object() {
    for payload in [json!([1]), json!("x"), json!(5), json!(null)] {
        let token = ed_token(payload.clone());
        assert_eq!(verify(&token, &opts()), "ERR_JWT_INVALID", "{payload}");
    }
    let raw = sign_raw(&keys().ed, r#"{"alg":"EdDSA","kid":"ed"}"#, b"not json");
    assert_eq!(verify(&raw, &opts()), "ERR_JWT_INVALID");
}

#[test]
fn requires_exp_by_default() {
    let token = ed_token(json!({"sub":"u1"}));
    assert_eq!(
        claim_error(&token, &opts()),
        ("exp".into(), ClaimReason::Missing)
    );
    let lax = VerifyOptions {
        require_exp: false,
        ..opts()
    };
    assert_eq!(verify(&token, &lax), "ok");
}

#[test]
fn rejects_exp_at_or_before_now() {
    assert_eq!(
        verify(&ed_token(json!({"exp": NOW})), &opts()),
        "ERR_JWT_EXPIRED"
    );
    assert_eq!(
        verify(&ed_token(json!({"exp": NOW - 1})), &opts()),
        "ERR_JWT_EXPIRED"
    );
    assert_eq!(verify(&ed_token(json!({"exp": NOW + 1})), &opts()), "ok");
}

#[test]
fn clock_tolerance_extends_exp_nbf_and_iat() {
    let token = ed_token(json!({"exp": NOW - 5, "nbf": NOW + 5, "iat": NOW + 5}));
    let lenient = VerifyOptions {
        clock_tolerance: 10,
        ..opts()
    };
    assert_eq!(verify(&token, &lenient), "ok");
    assert_ne!(verify(&token, &opts()), "ok");
}

#[test]
fn rejects_nbf_in_the_future() {
    let token = ed_token(json!({"exp": NOW + 100, "nbf": NOW + 1}));
    assert_eq!(
        claim_error(&token, &opts()),
        ("nbf".into(), ClaimReason::CheckFailed)
    );
    assert_eq!(
        verify(&ed_token(json!({"exp": NOW + 100, "nbf": NOW})), &opts()),
        "ok"
    );
}

#[test]
fn rejects_iat_in_the_future() {
    let token = ed_token(json!({"exp": NOW + 100, "iat": NOW + 1}));
    assert_eq!(
        claim_error(&token, &opts()),
        ("iat".into(), ClaimReason::CheckFailed)
    );
}

#[test]
fn rejects_token_older_than_max_token_age() {
    let old = ed_token(json!({"exp": NOW + 100, "iat": NOW - 61}));
    let fresh = ed_token(json!({"exp": NOW + 100, "iat": NOW - 60}));
    let o = VerifyOptions {
        max_token_age: Some(60),
        ..opts()
    };
    assert_eq!(verify(&old, &o), "ERR_JWT_EXPIRED");
    assert_eq!(verify(&fresh, &o), "ok");
    let no_iat = ed_token(json!({"exp": NOW + 100}));
    assert_eq!(
        claim_error(&no_iat, &o),
        ("iat".into(), ClaimReason::Missing)
    );
}

#[test]
fn issuer_must_match_exactly() {
    let o = VerifyOptions {
        issuer: Some(vec!["https://auth.example.com".into()]),
        ..opts()
    };
    assert_eq!(verify(&ed_token(good_claims()), &o), "ok");
    for iss in [
        "https://auth.example.com.evil",
        "https://auth.example.co",
        "HTTPS://AUTH.EXAMPLE.COM",
    ] {
        let mut c = good_claims();
        c["iss"] = iss.into();
        assert_eq!(
            claim_error(&ed_token(c), &o),
            ("iss".into(), ClaimReason::CheckFailed),
            "{iss}"
        );
    }
    let mut c = good_claims();
    c.as_object_mut().unwrap().remove("iss");
    assert_eq!(
        claim_error(&ed_token(c), &o),
        ("iss".into(), ClaimReason::Missing)
    );
}

#[test]
fn audience_may_be_a_string_or_an_array_containing_it() {
    let o = VerifyOptions {
        audience: Some(vec!["api".into()]),
        ..opts()
    };
    for (aud, want) in [
        (json!("api"), "ok"),
        (json!(["web", "api"]), "ok"),
        (json!([]), "ERR_JWT_CLAIM_VALIDATION_FAILED"),
        (json!("api2"), "ERR_JWT_CLAIM_VALIDATION_FAILED"),
        (json!("ap"), "ERR_JWT_CLAIM_VALIDATION_FAILED"),
        (json!(["web"]), "ERR_JWT_CLAIM_VALIDATION_FAILED"),
    ] {
        let mut c = good_claims();
        c["aud"] = aud.clone();
        assert_eq!(verify(&ed_token(c), &o), want, "{aud}");
    }
}

#[test]
fn subject_must_match_when_expected() {
    let o = VerifyOptions {
        subject: Some("u1".into()),
        ..opts()
    };
    assert_eq!(verify(&ed_token(good_claims()), &o), "ok");
    let mut c = good_claims();
    c["sub"] = "u2".into();
    assert_eq!(
        claim_error(&ed_token(c), &o),
        ("sub".into(), ClaimReason::CheckFailed)
    );
}

#[test]
fn typ_is_compared_as_a_media_type() {
    let o = VerifyOptions {
        typ: Some("application/jwt".into()),
        ..opts()
    };
    for (typ, ok) in [
        (json!("JWT"), true),
        (json!("jwt"), true),
        (json!("application/JWT"), true),
        (json!("at+jwt"), false),
        (json!(1), false),
    ] {
        let token = sign(
            &keys().ed,
            json!({"alg":"EdDSA","kid":"ed","typ":typ}),
            good_claims(),
        );
        let got = verify(&token, &o);
        assert_eq!(got == "ok", ok, "{typ}: {got}");
    }
    let untyped = ed_token(good_claims());
    assert_eq!(
        claim_error(&untyped, &o),
        ("typ".into(), ClaimReason::CheckFailed)
    );
}

#[test]
fn required_claims_must_be_present() {
    let o = VerifyOptions {
        required_claims: Some(vec!["email".into()]),
        ..opts()
    };
    assert_eq!(
        claim_error(&ed_token(good_claims()), &o),
        ("email".into(), ClaimReason::Missing)
    );
    let mut c = good_claims();
    c["email"] = "a@b.c".into();
    assert_eq!(verify(&ed_token(c), &o), "ok");
}

#[test]
fn claims_of_the_wrong_type_are_invalid_not_missing() {
    let o = VerifyOptions {
        issuer: Some(vec!["https://auth.example.com".into()]),
        audience: Some(vec!["api".into()]),
        subject: Some("u1".into()),
        ..opts()
    };
    for (claim, value) in [
        ("exp", json!("9999999999")),
        ("exp", json!(true)),
        ("nbf", json!("0")),
        ("iat", json!(null)),
        ("iss", json!(["https://auth.example.com"])),
        ("sub", json!(1)),
        ("aud", json!(1)),
        ("aud", json!(["api", 1])),
        ("jti", json!(5)),
    ] {
        let mut c = good_claims();
        c[claim] = value.clone();
        assert_eq!(
            claim_error(&ed_token(c), &o),
            (claim.into(), ClaimReason::Invalid),
            "{claim}: {value}"
        );
    }
}

#[test]
fn numeric_dates_may_be_non_integers() {
    let token = ed_token(json!({"exp": NOW as f64 + 0.5, "iat": NOW as f64 - 0.25}));
    assert_eq!(verify(&token, &opts()), "ok");
    let token = ed_token(json!({"exp": NOW as f64 - 0.5}));
    assert_eq!(verify(&token, &opts()), "ERR_JWT_EXPIRED");
}

#[test]
fn huge_numeric_dates_do_not_overflow() {
    assert_eq!(verify(&ed_token(json!({"exp": 1e300})), &opts()), "ok");
    assert_eq!(verify(&ed_token(json!({"exp": u64::MAX})), &opts()), "ok");
    assert_eq!(
        verify(&ed_token(json!({"exp": -1e300})), &opts()),
        "ERR_JWT_EXPIRED"
    );
    let token = ed_token(json!({"exp": 1e300, "nbf": 1e300}));
    assert_eq!(
        claim_error(&token, &opts()),
        ("nbf".into(), ClaimReason::CheckFailed)
    );
    let far = VerifyOptions {
        current_date: Some(i64::MAX),
        clock_tolerance: i64::MAX,
        max_token_age: Some(i64::MAX),
        ..VerifyOptions::default()
    };
    assert_eq!(
        verify(&ed_token(json!({"exp": i64::MAX, "iat": 0})), &far),
        "ok"
    );
}

#[test]
fn verified_token_returns_payload_and_protected_header() {
    let token = sign(
        &keys().ed,
        json!({"alg":"EdDSA","kid":"ed","typ":"JWT"}),
        good_claims(),
    );
    let v = verify_jwt(&token, &set(), &opts()).unwrap();
    assert_eq!(Value::Object(v.payload), good_claims());
    assert_eq!(v.protected_header["typ"], "JWT");
    assert_eq!(v.protected_header["kid"], "ed");
}

#[test]
fn standard_base64_in_payload_is_refused() {
    // A payload containing '/' or '+' under the standard alphabet never decodes as base64url.
    let claims = json!({"exp": NOW + 100, "x": "\u{ff}\u{fe}?>"});
    let std = STANDARD
        .encode(claims.to_string())
        .trim_end_matches('=')
        .to_owned();
    assert!(std.contains(['+', '/']));
    let token = format!("{}.{std}.AA", b64(br#"{"alg":"EdDSA","kid":"ed"}"#));
    assert_eq!(verify(&token, &opts()), "ERR_JWS_INVALID");
}
