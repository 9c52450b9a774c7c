//! The hostile-token table (`tests/data/hostile_tokens.json`): every malicious or malformed token
//! gets its exact error code, on every crypto backend. The same file is read by the Node and Python
//! suites through the bindings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "hostile_tokens/generate.rs"]
mod generate;

use std::collections::BTreeMap;

use authjwt_core::alg::Algorithm;
use authjwt_core::crypto::Backend;
use authjwt_core::jwks::KeySet;
use authjwt_core::verify::{verify_jwt, verify_jwt_json, VerifyOptions};
use serde_json::Value;

const TABLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/hostile_tokens.json"
);

fn load() -> Value {
    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| {
        panic!("{TABLE}: {e}; generate it with `cargo test -p authjwt-core --test hostile_tokens -- --ignored regenerate_hostile_token_table`")
    });
    serde_json::from_str(&text).unwrap()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().map(|s| s.as_str().unwrap().to_owned()).collect(),
        Some(other) => panic!("not a string or list: {other}"),
    }
}

/// The table's options, with jose's names, as [`VerifyOptions`].
fn options(o: &Value) -> VerifyOptions {
    let known = [
        "currentDate",
        "clockTolerance",
        "issuer",
        "audience",
        "subject",
        "typ",
        "algorithms",
        "maxTokenAge",
        "requiredClaims",
    ];
    for key in o.as_object().unwrap().keys() {
        assert!(known.contains(&key.as_str()), "unknown option {key}");
    }
    VerifyOptions {
        current_date: Some(o["currentDate"].as_i64().unwrap()),
        clock_tolerance: o.get("clockTolerance").map_or(0, |v| v.as_i64().unwrap()),
        issuer: o.get("issuer").map(|v| strings(Some(v))),
        audience: o.get("audience").map(|v| strings(Some(v))),
        subject: o.get("subject").map(|v| v.as_str().unwrap().to_owned()),
        typ: o.get("typ").map(|v| v.as_str().unwrap().to_owned()),
        algorithms: o.get("algorithms").map(|v| {
            strings(Some(v))
                .iter()
                .map(|a| Algorithm::from_name(a).unwrap())
                .collect()
        }),
        max_token_age: o.get("maxTokenAge").map(|v| v.as_i64().unwrap()),
        required_claims: o.get("requiredClaims").map(|v| strings(Some(v))),
        ..VerifyOptions::default()
    }
}

/// What a case produced: the code, plus claim and reason for claim failures.
fn outcome(
    case: &Value,
    shared: &KeySet,
    backend: Backend,
) -> (String, Option<String>, Option<String>) {
    let keys = match case.get("keys") {
        None => shared.clone(),
        Some(doc) => match KeySet::from_value_with(backend, doc) {
            Ok(keys) => keys,
            Err(e) => return (e.code().to_owned(), None, None),
        },
    };
    let token = case["token"].as_str().unwrap();
    match verify_jwt(token, &keys, &options(&case["options"])) {
        Ok(_) => ("ok".to_owned(), None, None),
        Err(e) => (
            e.code().to_owned(),
            e.claim().map(str::to_owned),
            e.reason().map(|r| r.as_str().to_owned()),
        ),
    }
}

#[test]
fn every_hostile_token_gets_its_exact_error_code() {
    let table = load();
    let cases = table["cases"].as_array().unwrap();
    for &backend in Backend::all() {
        let shared = KeySet::from_value_with(backend, &table["keys"]).unwrap();
        let mut failures = Vec::new();
        let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let expect = case["expect"].as_str().unwrap();
            let (code, claim, reason) = outcome(case, &shared, backend);
            let want_claim = case.get("claim").and_then(Value::as_str);
            let want_reason = case.get("reason").and_then(Value::as_str);
            let claim_ok = want_claim.is_none_or(|c| claim.as_deref() == Some(c))
                && want_reason.is_none_or(|r| reason.as_deref() == Some(r));
            if code != expect || !claim_ok {
                failures.push(format!(
                    "{name}: expected {expect} {want_claim:?} {want_reason:?}, got {code} {claim:?} {reason:?}"
                ));
            }
            *by_code.entry(code).or_default() += 1;
        }
        println!(
            "hostile tokens ({backend:?}): {} cases, {} failures; by outcome: {by_code:?}",
            cases.len(),
            failures.len()
        );
        assert!(failures.is_empty(), "{backend:?}:\n{}", failures.join("\n"));
    }
}

#[test]
fn verify_jwt_json_agrees_with_verify_jwt_on_every_hostile_token() {
    let table = load();
    let shared = KeySet::from_value(&table["keys"]).unwrap();
    for case in table["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let keys = match case.get("keys") {
            None => shared.clone(),
            Some(doc) => match KeySet::from_value(doc) {
                Ok(keys) => keys,
                Err(_) => continue,
            },
        };
        let token = case["token"].as_str().unwrap();
        let options = options(&case["options"]);
        match (
            verify_jwt(token, &keys, &options),
            verify_jwt_json(token, &keys, &options),
        ) {
            (Ok(v), Ok(text)) => {
                let doc: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(doc["payload"], Value::Object(v.payload), "{name}");
                assert_eq!(
                    doc["protectedHeader"],
                    Value::Object(v.protected_header),
                    "{name}"
                );
            }
            (Err(a), Err(b)) => assert_eq!(
                (a.code(), a.claim(), a.reason()),
                (b.code(), b.claim(), b.reason()),
                "{name}"
            ),
            (a, b) => panic!(
                "{name}: verify_jwt {:?} but verify_jwt_json {:?}",
                a.is_ok(),
                b.is_ok()
            ),
        }
    }
}

#[test]
fn the_table_covers_every_class_of_issue_8() {
    let table = load();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "case names must be unique");
    for needle in [
        "alg_none",
        "hs256_keyed_with_ed25519_public_key_bytes",
        "hs256_keyed_with_rsa_public_key_pem",
        "hs256_keyed_with_ec_public_jwk_json",
        "pointing_at",
        "embedded_jwk",
        "jku",
        "x5u",
        "x5c",
        "kid_path_traversal",
        "kid_sql_injection",
        "kid_with_nul_byte",
        "kid_huge",
        "kid_number",
        "ecdsa_r_zero",
        "ecdsa_s_equals_n",
        "ecdsa_der_encoded",
        "ecdsa_truncated",
        "ed25519_s_plus_l",
        "ed25519_small_order_public_key",
        "two_segments",
        "four_segments",
        "padding_in",
        "standard_alphabet",
        "duplicate_alg_in_header",
        "duplicate_exp_in_payload",
        "header_is_an_array",
        "payload_is_an_array",
        "invalid_utf8_in_payload",
        "deeply_nested_payload",
        "oversize_token",
        "crit",
        "b64",
        "typ_mismatch",
        "exp_equal_to_now",
        "clock_tolerance",
        "exp_as_string",
        "exp_as_bool",
        "exp_huge_negative",
        "aud_empty_array",
        "aud_superstring",
        "aud_number",
        "iss_prefix",
        "ok_high_s_ecdsa_signature",
        "ok_aud_array_containing_the_audience",
        "ok_whitespace_in_header_json",
    ] {
        assert!(
            names.iter().any(|n| n.contains(needle)),
            "no case covers {needle}"
        );
    }
    let accepts = cases.iter().filter(|c| c["expect"] == "ok").count();
    println!(
        "hostile token table: {} cases ({accepts} must-accept controls)",
        cases.len()
    );
}

/// Regenerates the table. Ignored: run by hand, then commit `tests/data/hostile_tokens.json`.
#[test]
#[ignore = "writes tests/data/hostile_tokens.json; run by hand"]
fn regenerate_hostile_token_table() {
    let table = generate::table();
    let text = serde_json::to_string_pretty(&table).unwrap() + "\n";
    std::fs::write(TABLE, text).unwrap();
    println!(
        "wrote {} cases to {TABLE}",
        table["cases"].as_array().unwrap().len()
    );
}
