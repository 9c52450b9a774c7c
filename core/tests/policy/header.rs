//! Policy step 2. Header: alg allowlist, none and HS* never, crit and b64, kid, embedded keys.

use super::*;

#[test]
fn rejects_alg_none_in_every_casing() {
    let claims = b64(good_claims().to_string().as_bytes());
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = b64(json!({"alg": alg, "kid": "ed"}).to_string().as_bytes());
        for sig in ["", "AA"] {
            let token = format!("{header}.{claims}.{sig}");
            assert_eq!(verify(&token, &opts()), "ERR_JOSE_ALG_NOT_ALLOWED", "{alg}");
        }
    }
}

#[test]
fn rejects_hmac_algorithms() {
    let claims = b64(good_claims().to_string().as_bytes());
    for alg in ["HS256", "HS384", "HS512", "hs256"] {
        let header = b64(json!({"alg": alg, "kid": "ed"}).to_string().as_bytes());
        let token = format!("{header}.{claims}.{}", b64(&[7; 32]));
        assert_eq!(verify(&token, &opts()), "ERR_JOSE_ALG_NOT_ALLOWED", "{alg}");
    }
}

#[test]
fn rejects_algorithm_outside_the_explicit_allowlist() {
    let token = ed_token(good_claims());
    let es_only = VerifyOptions {
        algorithms: Some(vec![Algorithm::ES256]),
        ..opts()
    };
    assert_eq!(verify(&token, &es_only), "ERR_JOSE_ALG_NOT_ALLOWED");
    let ed_only = VerifyOptions {
        algorithms: Some(vec![Algorithm::EdDSA]),
        ..opts()
    };
    assert_eq!(verify(&token, &ed_only), "ok");
}

#[test]
fn default_allowlist_is_the_algorithms_of_the_key_set() {
    // Only an Ed25519 key: an ES256 token (even validly signed by some P-256 key) finds no key.
    let only_ed = KeySet::from_value(&json!({"keys":[jwk(&keys().ed, "ed", None)]})).unwrap();
    assert_eq!(only_ed.algorithms(), [Algorithm::EdDSA, Algorithm::Ed25519]);
    let es = sign(&keys().ec, json!({"alg":"ES256"}), good_claims());
    assert_eq!(
        verify_with(&es, &only_ed, &opts()),
        "ERR_JWKS_NO_MATCHING_KEY"
    );
    assert_eq!(verify(&es, &opts()), "ok");
}

#[test]
fn rejects_unknown_algorithm_as_not_supported() {
    let token = sign(
        &keys().ec,
        json!({"alg":"ES256K","kid":"ec"}),
        good_claims(),
    );
    assert_eq!(verify(&token, &opts()), "ERR_JOSE_NOT_SUPPORTED");
    let listed = VerifyOptions {
        algorithms: Some(vec![Algorithm::ES256]),
        ..opts()
    };
    assert_eq!(verify(&token, &listed), "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[test]
fn rejects_missing_or_non_string_alg() {
    for header in [
        json!({"kid":"ed"}),
        json!({"alg":1,"kid":"ed"}),
        json!({"alg":"","kid":"ed"}),
    ] {
        let token = sign(&keys().ed, header.clone(), good_claims());
        assert_eq!(verify(&token, &opts()), "ERR_JWS_INVALID", "{header}");
    }
}

#[test]
fn rejects_crit_header() {
    for crit in [json!(["exp"]), json!([]), json!("b64")] {
        let token = sign(
            &keys().ed,
            json!({"alg":"EdDSA","kid":"ed","crit":crit}),
            good_claims(),
        );
        assert_eq!(verify(&token, &opts()), "ERR_JOSE_NOT_SUPPORTED");
    }
}

#[test]
fn rejects_b64_header() {
    for b64_value in [json!(true), json!(false)] {
        let token = sign(
            &keys().ed,
            json!({"alg":"EdDSA","kid":"ed","b64":b64_value}),
            good_claims(),
        );
        assert_eq!(verify(&token, &opts()), "ERR_JOSE_NOT_SUPPORTED");
    }
}

#[test]
fn rejects_non_string_or_overlong_kid() {
    for kid in [json!(1), json!(["ed"]), json!(null), json!({"kid":"ed"})] {
        let token = sign(&keys().ed, json!({"alg":"EdDSA","kid":kid}), good_claims());
        assert_eq!(verify(&token, &opts()), "ERR_JWS_INVALID", "{kid}");
    }
    let long = "e".repeat(257);
    let keys_long = KeySet::from_value(&json!({"keys":[jwk(&keys().ed, &long, None)]})).unwrap();
    let token = sign(&keys().ed, json!({"alg":"EdDSA","kid":long}), good_claims());
    assert_eq!(verify_with(&token, &keys_long, &opts()), "ERR_JWS_INVALID");
    let at_cap = "e".repeat(256);
    let keys_cap = KeySet::from_value(&json!({"keys":[jwk(&keys().ed, &at_cap, None)]})).unwrap();
    let token = sign(
        &keys().ed,
        json!({"alg":"EdDSA","kid":at_cap}),
        good_claims(),
    );
    assert_eq!(verify_with(&token, &keys_cap, &opts()), "ok");
}

#[test]
fn never_trusts_an_embedded_jwk() {
    let attacker = &keys().attacker;
    let token = sign(
        attacker,
        json!({"alg":"EdDSA","kid":"ed","jwk":jwk(attacker, "ed", None)}),
        good_claims(),
    );
    assert_eq!(
        verify(&token, &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
    let kidless = sign(
        attacker,
        json!({"alg":"EdDSA","jwk":jwk(attacker, "x", None)}),
        good_claims(),
    );
    assert_eq!(
        verify(&kidless, &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}

#[test]
fn never_fetches_jku_x5u_or_uses_x5c() {
    // The URLs point at a closed port: a fetch would fail; the local key decides.
    let token = sign(
        &keys().ed,
        json!({"alg":"EdDSA","kid":"ed","jku":"http://127.0.0.1:9/jwks","x5u":"http://127.0.0.1:9/c",
               "x5c":["MIIB"]}),
        good_claims(),
    );
    assert_eq!(verify(&token, &opts()), "ok");
    let forged = sign(
        &keys().attacker,
        json!({"alg":"EdDSA","kid":"ed","jku":"http://127.0.0.1:9/jwks"}),
        good_claims(),
    );
    assert_eq!(
        verify(&forged, &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}
