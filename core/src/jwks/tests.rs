use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
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

/// The reasons of the keys skipped when parsing `keys`, by index.
fn skips(keys: Vec<Value>) -> Vec<(usize, &'static str)> {
    let set = set(keys).unwrap();
    set.skipped()
        .iter()
        .map(|s| (s.index, s.reason.code()))
        .collect()
}

#[test]
fn document_shape_is_checked() {
    for doc in [
        json!([]),
        json!({}),
        json!({"keys": {}}),
        json!({"keys": [1]}),
        json!({"keys": [ed(), "a key"]}),
        json!({"keys": null}),
    ] {
        assert_eq!(code(KeySet::from_value(&doc)), "ERR_JWKS_INVALID", "{doc}");
    }
    for text in [
        r#"{"keys":[],"keys":[]}"#,
        r#"{"keys":[{"kty":"EC","kty":"EC"}]}"#,
        "{",
        "",
    ] {
        assert_eq!(code(KeySet::from_json(text)), "ERR_JWKS_INVALID", "{text}");
    }
    assert!(set(vec![]).unwrap().is_empty());
}

#[test]
fn private_members_skip_the_key_and_say_so() {
    for member in PRIVATE_MEMBERS {
        let key = with(ec(), member, json!("AAAA"));
        assert_eq!(
            skips(vec![key, ed()]),
            [(0, "private_key_published")],
            "{member}"
        );
    }
    let oct = json!({"kty":"oct","k":"AAAA","kid":"h","alg":"HS256"});
    assert_eq!(skips(vec![oct]), [(0, "private_key_published")]);
    // The leak wins over every other reason: it is the one that needs action.
    let enc_leak = with(with(rsa(), "use", json!("enc")), "d", json!("AAAA"));
    assert_eq!(skips(vec![enc_leak]), [(0, "private_key_published")]);
}

#[test]
fn use_and_key_ops_must_allow_verification() {
    for (member, value, reason) in [
        ("use", json!("enc"), "use_not_sig"),
        ("use", json!("SIG"), "use_not_sig"),
        ("use", json!(1), "use_not_sig"),
        ("key_ops", json!(["encrypt"]), "key_ops_without_verify"),
        ("key_ops", json!(["sign"]), "key_ops_without_verify"),
        ("key_ops", json!("verify"), "key_ops_without_verify"),
        ("key_ops", json!(["verify", 1]), "key_ops_without_verify"),
    ] {
        let key = with(ec(), member, value.clone());
        assert_eq!(skips(vec![key]), [(0, reason)], "{member} {value}");
    }
    let ok = with(
        with(ec(), "use", json!("sig")),
        "key_ops",
        json!(["sign", "verify"]),
    );
    assert_eq!(set(vec![ok]).unwrap().len(), 1);
}

#[test]
fn unusable_keys_are_skipped_with_their_reason() {
    let keys = set(vec![
        json!({"kty":"oct","kid":"o"}),
        json!({"kty":"OKP","crv":"X25519","x":ED_X}),
        json!({"kty":"OKP","crv":"Ed448","x":ED_X}),
        json!({"kty":"EC","crv":"secp256k1","x":P256_X,"y":P256_Y}),
        json!({"kty":"AKP","kid":"pq"}),
        with(ec(), "alg", json!("ES256K")),
        with(rsa(), "alg", json!("RSA-OAEP")),
        with(rsa(), "alg", json!("RSA-OAEP-256")),
        with(ec(), "alg", json!("ECDH-ES+A128KW")),
        with(ec(), "alg", json!(256)),
        with(ed(), "kid", json!(7)),
        json!({"crv":"Ed25519","x":ED_X}),
        ed(),
    ])
    .unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys.kids().collect::<Vec<_>>(), ["ed"]);
    let reasons: Vec<(usize, &str)> = keys
        .skipped()
        .iter()
        .map(|s| (s.index, s.reason.code()))
        .collect();
    assert_eq!(
        reasons,
        [
            (0, "unsupported_key_type"),
            (1, "unsupported_key_type"),
            (2, "unsupported_key_type"),
            (3, "unsupported_key_type"),
            (4, "unsupported_key_type"),
            (5, "unsupported_alg"),
            (6, "encryption_alg"),
            (7, "encryption_alg"),
            (8, "encryption_alg"),
            (9, "malformed_key"),
            (10, "malformed_key"),
            (11, "malformed_key"),
        ]
    );
    assert_eq!(keys.skipped()[0].kid.as_deref(), Some("o"));
    assert_eq!(
        keys.skipped()[10].kid,
        None,
        "a kid that is not a string is not reported"
    );
}

#[test]
fn weak_or_invalid_material_skips_the_key() {
    let off_curve = with(
        ec(),
        "y",
        json!("x_FEzSu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"),
    );
    let short_x = with(
        ec(),
        "x",
        json!("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE"),
    );
    let padded = with(ec(), "x", json!(format!("{P256_X}=")));
    // The identity point, a small-order Ed25519 key.
    let small_order = with(
        ed(),
        "x",
        json!("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    );
    let exponent_one = with(rsa(), "e", json!("AQ"));
    // A 1024-bit modulus (the top half of the 2048-bit one, made odd).
    let n1024 = {
        let mut n = URL_SAFE_NO_PAD.decode(RSA_N).unwrap();
        n.truncate(128);
        n[127] |= 1;
        URL_SAFE_NO_PAD.encode(n)
    };
    let rsa_1024 = with(rsa(), "n", json!(n1024));
    let alg_mismatch = with(ec(), "alg", json!("ES384"));
    let wrong_family = with(ed(), "alg", json!("RS256"));
    let cases = [
        (off_curve, "weak_key"),
        (short_x, "malformed_key"),
        (padded, "malformed_key"),
        (small_order, "weak_key"),
        (exponent_one, "weak_key"),
        (rsa_1024, "weak_key"),
        (alg_mismatch, "alg_mismatch"),
        (wrong_family, "alg_mismatch"),
    ];
    for (key, reason) in cases {
        let keys = set(vec![key.clone(), with(ed(), "kid", json!("good"))]).unwrap();
        let got: Vec<&str> = keys.skipped().iter().map(|s| s.reason.code()).collect();
        assert_eq!(got, [reason], "{key}");
        assert_eq!(keys.kids().collect::<Vec<_>>(), ["good"], "{key}");
    }
}

#[test]
fn roca_moduli_are_skipped_as_weak() {
    let n = "AanFpofbj7KjD4Lf-N2hVMKR7yewSyXhhbirIMTGpfYEhZ_lnt5UoK98DnKIgArXGTu3MaW_HhFw16HGaTDUHqPrId7fe4r11CqRw09yBFuW79V8sYIwHdzCaWflUI6auImYbVfoN9_nD5n8N8SY9DwXw7mwZM9wREPXoDPgOoIWl6q_MPsp7n0zs3Z5ZaiQWOOzl1S9OhwAfSiiOwz6efnXEaxuTEtPd7BjSx7NaFka8Dx9U7YqXy2RFj1O9PjyaDGuRh7YXsX3iMUSP_wSyHQg_c_qHRtKUsNSGCT7OZg0hzm2KphtjnayKJvC64vAbROBR4Ubg6Bxg9IQVZ-QYyE";
    assert_eq!(skips(vec![with(rsa(), "n", json!(n))]), [(0, "weak_key")]);
}

#[test]
fn a_set_of_only_unusable_keys_is_empty_and_matches_no_token() {
    let keys = set(vec![
        with(rsa(), "use", json!("enc")),
        json!({"kty":"OKP","crv":"X25519","x":ED_X,"kid":"x"}),
    ])
    .unwrap();
    assert!(keys.is_empty());
    assert_eq!(keys.skipped().len(), 2);
    assert!(keys.algorithms().is_empty());
    for (alg, kid) in [(Algorithm::RS256, Some("rsa")), (Algorithm::EdDSA, None)] {
        let err = keys.candidates(alg, kid).err().map(|e| e.code());
        assert_eq!(err, Some("ERR_JWKS_NO_MATCHING_KEY"));
    }
}

#[test]
fn a_skipped_kid_matches_no_token() {
    let keys = set(vec![with(ec(), "use", json!("enc")), ed()]).unwrap();
    assert!(!keys.contains_kid("ec"));
    let err = keys
        .candidates(Algorithm::ES256, Some("ec"))
        .err()
        .map(|e| e.code());
    assert_eq!(err, Some("ERR_JWKS_NO_MATCHING_KEY"));
}

#[test]
fn duplicate_kids_are_all_candidates_in_order_and_bounded() {
    let other_ec = json!({"kty":"EC","crv":"P-256","kid":"ec",
        "x":"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
        "y":"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"});
    let keys = set(vec![ec(), with(ed(), "kid", json!("ec")), other_ec.clone()]).unwrap();
    assert_eq!(keys.len(), 3);
    assert_eq!(
        keys.candidates(Algorithm::ES256, Some("ec")).unwrap().len(),
        2
    );
    assert_eq!(
        keys.candidates(Algorithm::EdDSA, Some("ec")).unwrap().len(),
        1
    );
    // A skipped twin does not hide the usable key of the same kid.
    let x25519 = json!({"kty":"OKP","crv":"X25519","x":ED_X,"kid":"ec"});
    let keys = set(vec![x25519, ec()]).unwrap();
    assert_eq!(
        keys.candidates(Algorithm::ES256, Some("ec")).unwrap().len(),
        1
    );
    // More than MAX_CANDIDATES keys of one kid fitting the token: refused, not tried.
    let many = set(vec![ec(), other_ec.clone(), ec(), other_ec]).unwrap();
    let err = many
        .candidates(Algorithm::ES256, Some("ec"))
        .err()
        .map(|e| e.code());
    assert_eq!(err, Some("ERR_JWKS_MULTIPLE_MATCHING_KEYS"));
}

#[test]
fn skips_are_reported_once_each_without_material() {
    use crate::events::{Emitter, Event, EventSink};
    use std::sync::Mutex;
    #[derive(Default)]
    struct Recorder(Mutex<Vec<Event>>);
    impl EventSink for Recorder {
        fn on_event(&self, event: &Event) {
            self.0.lock().unwrap().push(event.clone());
        }
    }
    let secret = "c2VjcmV0LXNjYWxhci1vZi10aGUtbGVha2VkLWtleQ";
    let doc =
        json!({"keys": [with(ec(), "d", json!(secret)), ed(), with(rsa(), "use", json!("enc"))]});
    let rec = Arc::new(Recorder::default());
    let keys = KeySet::from_json_reporting(&doc.to_string(), Some(rec.clone())).unwrap();
    assert_eq!(keys.kids().collect::<Vec<_>>(), ["ed"]);
    let events = rec.0.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            Event::JwksKeySkipped {
                index: 0,
                kid: Some("ec".into()),
                reason: SkipReason::PrivateKeyPublished
            },
            Event::JwksKeySkipped {
                index: 2,
                kid: Some("rsa".into()),
                reason: SkipReason::NotForSignatures
            },
        ]
    );
    let json = events[0].to_json();
    assert_eq!(json["type"], "jwks.key_skipped");
    assert_eq!(json["index"], 0);
    assert_eq!(json["reason"], "private_key_published");
    assert!(json["message"].as_str().unwrap().contains("compromised"));
    let shown = format!("{events:?} {} {keys:?}", json);
    assert!(
        !shown.contains(secret) && !shown.contains(P256_X),
        "{shown}"
    );
    // Parsing without a sink reports nothing; reporting again is the caller's choice.
    let quiet = KeySet::from_json(&doc.to_string()).unwrap();
    assert_eq!(quiet.skipped().len(), 2);
    quiet.report_skipped(&Emitter::new(Some(rec.clone())));
    assert_eq!(rec.0.lock().unwrap().len(), 4);
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
    assert_eq!(MAX_CANDIDATES, 3);
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
