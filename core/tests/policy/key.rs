//! Policy step 3. Key: by kid, family and JWK alg fit, use/key_ops, kid-less tokens.

use super::*;

#[test]
fn selects_the_key_named_by_kid() {
    let k = keys();
    let two =
        KeySet::from_value(&json!({"keys":[jwk(&k.attacker, "a", None), jwk(&k.ed, "b", None)]}))
            .unwrap();
    let right = sign(&k.ed, json!({"alg":"EdDSA","kid":"b"}), good_claims());
    let wrong = sign(&k.ed, json!({"alg":"EdDSA","kid":"a"}), good_claims());
    assert_eq!(verify_with(&right, &two, &opts()), "ok");
    assert_eq!(
        verify_with(&wrong, &two, &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}

#[test]
fn rejects_unknown_kid() {
    let token = sign(
        &keys().ed,
        json!({"alg":"EdDSA","kid":"nope"}),
        good_claims(),
    );
    assert_eq!(verify(&token, &opts()), "ERR_JWKS_NO_MATCHING_KEY");
}

#[test]
fn rejects_key_of_another_family_than_the_alg() {
    // ES256 header pointing at the Ed25519 and RSA keys.
    for kid in ["ed", "rsa"] {
        let token = sign(&keys().ec, json!({"alg":"ES256","kid":kid}), good_claims());
        assert_eq!(verify(&token, &opts()), "ERR_JWKS_NO_MATCHING_KEY", "{kid}");
    }
}

#[test]
fn rejects_key_whose_jwk_alg_differs_from_the_token_alg() {
    let k = keys();
    let pinned = KeySet::from_value(&json!({"keys":[jwk(&k.rsa, "rsa", Some("PS256"))]})).unwrap();
    let rs = sign(&k.rsa, json!({"alg":"RS256","kid":"rsa"}), good_claims());
    assert_eq!(
        verify_with(&rs, &pinned, &opts()),
        "ERR_JWKS_NO_MATCHING_KEY"
    );
    let free = KeySet::from_value(&json!({"keys":[jwk(&k.rsa, "rsa", None)]})).unwrap();
    assert_eq!(verify_with(&rs, &free, &opts()), "ok");
}

#[test]
fn eddsa_and_ed25519_are_one_algorithm_for_ed25519_keys() {
    let k = keys();
    let named = KeySet::from_value(&json!({"keys":[jwk(&k.ed, "ed", Some("Ed25519"))]})).unwrap();
    let token = sign(&k.ed, json!({"alg":"EdDSA","kid":"ed"}), good_claims());
    assert_eq!(verify_with(&token, &named, &opts()), "ok");
    let token = sign(&k.ed, json!({"alg":"Ed25519","kid":"ed"}), good_claims());
    assert_eq!(verify_with(&token, &set(), &opts()), "ok");
}

#[test]
fn keys_with_use_enc_or_key_ops_without_verify_are_skipped_and_match_no_token() {
    let k = keys();
    let mut enc = jwk(&k.ed, "ed", None);
    enc["use"] = "enc".into();
    let mut ops = jwk(&k.ed, "ed", None);
    ops["key_ops"] = json!(["sign"]);
    let token = sign(&k.ed, json!({"alg":"EdDSA","kid":"ed"}), good_claims());
    for key in [enc, ops] {
        let set = KeySet::from_value(&json!({ "keys": [key] })).unwrap();
        assert!(set.is_empty());
        assert_eq!(
            verify_with(&token, &set, &opts()),
            "ERR_JWKS_NO_MATCHING_KEY"
        );
    }
}

#[test]
fn keys_sharing_a_kid_are_tried_in_order() {
    let k = keys();
    let twins = KeySet::from_value(
        &json!({"keys":[jwk(&k.attacker, "same", None), jwk(&k.ed, "same", None)]}),
    )
    .unwrap();
    let good = sign(&k.ed, json!({"alg":"EdDSA","kid":"same"}), good_claims());
    assert_eq!(verify_with(&good, &twins, &opts()), "ok");
    let other = SigningKey::generate(&KeyPairConfig::default()).unwrap();
    let bad = sign(&other, json!({"alg":"EdDSA","kid":"same"}), good_claims());
    assert_eq!(
        verify_with(&bad, &twins, &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}

#[test]
fn kidless_token_uses_the_single_fitting_key() {
    let token = sign(&keys().ed, json!({"alg":"EdDSA"}), good_claims());
    assert_eq!(verify(&token, &opts()), "ok");
}

#[test]
fn kidless_token_with_several_fitting_keys_is_multiple_matching_when_none_verifies() {
    let k = keys();
    let two =
        KeySet::from_value(&json!({"keys":[jwk(&k.attacker, "a", None), jwk(&k.ed, "b", None)]}))
            .unwrap();
    let good = sign(&k.ed, json!({"alg":"EdDSA"}), good_claims());
    assert_eq!(verify_with(&good, &two, &opts()), "ok");
    let other = SigningKey::generate(&KeyPairConfig::default()).unwrap();
    let bad = sign(&other, json!({"alg":"EdDSA"}), good_claims());
    assert_eq!(
        verify_with(&bad, &two, &opts()),
        "ERR_JWKS_MULTIPLE_MATCHING_KEYS"
    );
}

#[test]
fn kidless_token_is_refused_when_more_than_three_keys_fit() {
    // Trying a whole set for every kid-less token is a CPU lever; beyond three keys the token
    // must name its key, even when one of them would verify it.
    let k = keys();
    let mut list = vec![jwk(&k.ed, "real", None)];
    for i in 0..3 {
        let other = SigningKey::generate(&KeyPairConfig::default()).unwrap();
        list.push(jwk(&other, &format!("other-{i}"), None));
    }
    let four = KeySet::from_value(&json!({ "keys": list })).unwrap();
    let token = sign(&k.ed, json!({"alg":"EdDSA"}), good_claims());
    assert_eq!(
        verify_with(&token, &four, &opts()),
        "ERR_JWKS_MULTIPLE_MATCHING_KEYS"
    );
    let named = sign(&k.ed, json!({"alg":"EdDSA","kid":"real"}), good_claims());
    assert_eq!(verify_with(&named, &four, &opts()), "ok");
}
