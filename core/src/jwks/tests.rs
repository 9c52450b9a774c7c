use super::*;
use serde_json::json;

const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const P256_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const P256_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const RSA_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

fn ed() -> Value {
    json!({"kty":"OKP","crv":"Ed25519","x":ED_X,"kid":"ed"})
}
fn ec() -> Value {
    json!({"kty":"EC","crv":"P-256","x":P256_X,"y":P256_Y,"kid":"ec"})
}
fn rsa() -> Value {
    json!({"kty":"RSA","n":RSA_N,"e":"AQAB","kid":"rsa"})
}

fn set(keys: Vec<Value>) -> Result<KeySet> {
    KeySet::from_value(&json!({ "keys": keys }))
}

fn code(r: Result<KeySet>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

fn with(mut key: Value, member: &str, value: Value) -> Value {
    key[member] = value;
    key
}

#[test]
fn parses_a_set_and_derives_its_algorithms() {
    let keys = set(vec![ed(), with(ec(), "alg", json!("ES256")), rsa()]).unwrap();
    assert_eq!(keys.len(), 3);
    assert_eq!(keys.kids().collect::<Vec<_>>(), ["ed", "ec", "rsa"]);
    use Algorithm::*;
    assert_eq!(
        keys.algorithms(),
        [EdDSA, Ed25519, ES256, RS256, RS384, RS512, PS256, PS384, PS512]
    );
}

#[test]
fn document_shape_is_checked() {
    for doc in [
        json!([]),
        json!({}),
        json!({"keys": {}}),
        json!({"keys": [1]}),
        json!({"keys": [with(ed(), "kid", json!(7))]}),
    ] {
        assert_eq!(code(KeySet::from_value(&doc)), "ERR_JWKS_INVALID", "{doc}");
    }
    assert_eq!(
        code(KeySet::from_json(r#"{"keys":[],"keys":[]}"#)),
        "ERR_JWKS_INVALID"
    );
    assert!(set(vec![]).unwrap().is_empty());
}

#[test]
fn private_members_make_the_set_invalid() {
    for member in PRIVATE_MEMBERS {
        let key = with(ec(), member, json!("AAAA"));
        assert_eq!(code(set(vec![key])), "ERR_JWKS_INVALID", "{member}");
    }
    let oct = json!({"kty":"oct","k":"AAAA","kid":"h"});
    assert_eq!(code(set(vec![oct])), "ERR_JWKS_INVALID");
}

#[test]
fn use_and_key_ops_must_allow_verification() {
    for (member, value) in [
        ("use", json!("enc")),
        ("use", json!("SIG")),
        ("use", json!(1)),
        ("key_ops", json!(["encrypt"])),
        ("key_ops", json!(["sign"])),
        ("key_ops", json!("verify")),
        ("key_ops", json!(["verify", 1])),
    ] {
        let key = with(ec(), member, value.clone());
        assert_eq!(code(set(vec![key])), "ERR_JWKS_INVALID", "{member} {value}");
    }
    let ok = with(
        with(ec(), "use", json!("sig")),
        "key_ops",
        json!(["verify"]),
    );
    assert_eq!(code(set(vec![ok])), "ok");
}

#[test]
fn duplicate_kids_make_the_set_invalid() {
    assert_eq!(
        code(set(vec![ec(), with(ed(), "kid", json!("ec"))])),
        "ERR_JWKS_INVALID"
    );
    // Even when one of the two would be skipped as unusable.
    let x25519 = json!({"kty":"OKP","crv":"X25519","x":ED_X,"kid":"ec"});
    assert_eq!(code(set(vec![ec(), x25519])), "ERR_JWKS_INVALID");
}

#[test]
fn unusable_keys_are_skipped() {
    let keys = set(vec![
        json!({"kty":"oct","kid":"o"}),
        json!({"kty":"OKP","crv":"X25519","x":ED_X}),
        json!({"kty":"EC","crv":"secp256k1","x":P256_X,"y":P256_Y}),
        with(ec(), "alg", json!("ES256K")),
        with(rsa(), "alg", json!("RSA-OAEP")),
        ed(),
    ])
    .unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys.kids().collect::<Vec<_>>(), ["ed"]);
}

#[test]
fn bad_key_material_makes_the_set_invalid() {
    let off_curve = with(
        ec(),
        "y",
        json!("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1"),
    );
    let short_x = with(
        ec(),
        "x",
        json!("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE"),
    );
    let exponent_one = with(rsa(), "e", json!("AQ"));
    let alg_mismatch = with(ec(), "alg", json!("ES384"));
    let wrong_family = with(ed(), "alg", json!("RS256"));
    for key in [off_curve, short_x, exponent_one, alg_mismatch, wrong_family] {
        assert_eq!(code(set(vec![key.clone()])), "ERR_JWKS_INVALID", "{key}");
    }
}

#[test]
fn roca_moduli_make_the_set_invalid() {
    let n = "AanFpofbj7KjD4Lf-N2hVMKR7yewSyXhhbirIMTGpfYEhZ_lnt5UoK98DnKIgArXGTu3MaW_HhFw16HGaTDUHqPrId7fe4r11CqRw09yBFuW79V8sYIwHdzCaWflUI6auImYbVfoN9_nD5n8N8SY9DwXw7mwZM9wREPXoDPgOoIWl6q_MPsp7n0zs3Z5ZaiQWOOzl1S9OhwAfSiiOwz6efnXEaxuTEtPd7BjSx7NaFka8Dx9U7YqXy2RFj1O9PjyaDGuRh7YXsX3iMUSP_wSyHQg_c_qHRtKUsNSGCT7OZg0hzm2KphtjnayKJvC64vAbROBR4Ubg6Bxg9IQVZ-QYyE";
    let err = set(vec![with(rsa(), "n", json!(n))]).unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_INVALID");
    assert!(err.to_string().contains("ROCA"), "{err}");
}

#[test]
fn candidates_follow_kid_and_key_fit() {
    let keys = set(vec![ed(), with(ec(), "alg", json!("ES256")), rsa()]).unwrap();
    let code_of = |alg, kid| keys.candidates(alg, kid).err().map_or("ok", |e| e.code());
    assert_eq!(code_of(Algorithm::EdDSA, Some("ed")), "ok");
    assert_eq!(code_of(Algorithm::Ed25519, Some("ed")), "ok");
    assert_eq!(
        code_of(Algorithm::ES256, Some("ed")),
        "ERR_JWKS_NO_MATCHING_KEY"
    );
    assert_eq!(code_of(Algorithm::PS256, Some("rsa")), "ok");
    assert_eq!(
        code_of(Algorithm::EdDSA, Some("nope")),
        "ERR_JWKS_NO_MATCHING_KEY"
    );
    assert_eq!(code_of(Algorithm::ES384, None), "ERR_JWKS_NO_MATCHING_KEY");
    assert_eq!(keys.candidates(Algorithm::ES256, None).unwrap().len(), 1);
}

#[test]
fn kidless_tokens_try_at_most_three_keys() {
    let many: Vec<Value> = (0..4)
        .map(|i| with(ed(), "kid", json!(format!("k{i}"))))
        .collect();
    let four = set(many.clone()).unwrap();
    let err = four
        .candidates(Algorithm::EdDSA, None)
        .err()
        .map(|e| e.code());
    assert_eq!(err, Some("ERR_JWKS_MULTIPLE_MATCHING_KEYS"));
    let three = set(many[..3].to_vec()).unwrap();
    assert_eq!(three.candidates(Algorithm::EdDSA, None).unwrap().len(), 3);
}

#[test]
fn eddsa_and_ed25519_name_the_same_jwk_alg() {
    let keys = set(vec![with(ed(), "alg", json!("Ed25519"))]).unwrap();
    assert!(keys.candidates(Algorithm::EdDSA, Some("ed")).is_ok());
    assert_eq!(keys.algorithms(), [Algorithm::EdDSA, Algorithm::Ed25519]);
}

fn row(id: &str, public: &Value, alg: Option<&str>, expires_at: Option<i64>) -> JwkRow {
    JwkRow {
        id: id.to_owned(),
        public_key: public.to_string(),
        private_key: String::new(),
        created_at: 0,
        expires_at,
        alg: alg.map(str::to_owned),
        crv: None,
    }
}

fn public_ed() -> Value {
    json!({"crv":"Ed25519","x":ED_X,"kty":"OKP"})
}

#[test]
fn rows_become_keys_bound_to_their_algorithm() {
    let rows = [
        row("a", &public_ed(), None, None),
        row("a", &public_ed(), None, None),
        row(
            "b",
            &json!({"kty":"RSA","n":RSA_N,"e":"AQAB"}),
            Some("PS256"),
            None,
        ),
        row("c", &public_ed(), Some("ECDH-ES"), None),
    ];
    let keys = KeySet::from_rows(&rows, Algorithm::EdDSA).unwrap();
    assert_eq!(keys.kids().collect::<Vec<_>>(), ["a", "b"]);
    assert!(keys.candidates(Algorithm::PS256, Some("b")).is_ok());
    assert!(keys.candidates(Algorithm::RS256, Some("b")).is_err());
    let clash = [
        row("a", &public_ed(), None, None),
        row(
            "a",
            &json!({"kty":"RSA","n":RSA_N,"e":"AQAB"}),
            Some("RS256"),
            None,
        ),
    ];
    assert_eq!(
        code(KeySet::from_rows(&clash, Algorithm::EdDSA)),
        "ERR_JWKS_INVALID"
    );
    let wrong = [row("a", &public_ed(), Some("ES256"), None)];
    assert_eq!(
        code(KeySet::from_rows(&wrong, Algorithm::EdDSA)),
        "ERR_JWKS_INVALID"
    );
}

#[test]
fn build_jwks_matches_better_auth_and_filters_by_grace_period() {
    let now = 1_700_000_000_000;
    let rsa_public = json!({"kty":"RSA","n":RSA_N,"e":"AQAB"});
    let rows = [
        row("live", &public_ed(), None, None),
        row("grace", &public_ed(), Some("EdDSA"), Some(now - 10_000)),
        row("gone", &public_ed(), Some("EdDSA"), Some(now - 60_000)),
        row("rsa", &rsa_public, Some("RS256"), Some(now + 1)),
    ];
    let doc = build_jwks(&rows, Algorithm::EdDSA, now, 60).unwrap();
    let keys = doc["keys"].as_array().unwrap();
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, ["live", "grace", "rsa"]);
    assert_eq!(
        keys[0].to_string(),
        format!(
            r#"{{"alg":"EdDSA","crv":"Ed25519","x":"{ED_X}","kty":"OKP","kid":"live","use":"sig"}}"#
        )
    );
    let rsa_members: Vec<&String> = keys[2].as_object().unwrap().keys().collect();
    assert_eq!(rsa_members, ["alg", "kty", "n", "e", "kid", "use"]);
    // The published document is itself a valid key set.
    assert_eq!(KeySet::from_value(&doc).unwrap().len(), 3);
}

#[test]
fn build_jwks_never_publishes_private_members() {
    let leaked = json!({"crv":"Ed25519","x":ED_X,"kty":"OKP","d":"AAAA"});
    let err = build_jwks(&[row("a", &leaked, None, None)], Algorithm::EdDSA, 0, 0).unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_INVALID");
    assert!(!err.to_string().contains("AAAA"));
}

#[test]
fn key_sets_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<KeySet>();
}
