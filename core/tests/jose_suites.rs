//! Public JOSE conformance suites, read at test time from `../shared/vectors` (other projects'
//! files, never copied here): Wycheproof `json_web_signature_test.json` and
//! `json_web_key_test.json`, and the josekit interop tokens. When the folder is absent the tests
//! fail with a clear message rather than pass.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use authjwt_core::crypto::Backend;
use authjwt_core::jwks::KeySet;
use authjwt_core::verify::{verify_jws, verify_jwt, VerifyOptions};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

fn vectors() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors"));
    assert!(
        dir.is_dir(),
        "the public conformance suites are missing: expected them in {} (../shared/vectors next to \
         the repository). They are other projects' files and are not copied into this repository; \
         put the shared vectors folder there and rerun.",
        dir.display()
    );
    dir
}

fn read_json(relative: &str) -> Value {
    let path = vectors().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn jws_options() -> VerifyOptions {
    VerifyOptions {
        require_exp: false,
        ..VerifyOptions::default()
    }
}

/// Whether the token's header names an HMAC algorithm (out of scope: authjwt has no HS*).
fn is_hmac_token(token: &str) -> bool {
    let header = token.split('.').next().unwrap_or("");
    URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .and_then(|h| h["alg"].as_str().map(|a| a.starts_with("HS")))
        .unwrap_or(false)
}

#[derive(Default, Debug)]
struct Tally {
    valid_accepted: usize,
    invalid_rejected: usize,
    rejected_by_key_set: usize,
    hmac_refused: usize,
    either_way: usize,
    failures: Vec<String>,
}

#[test]
fn wycheproof_json_web_signature_suite() {
    let suite = read_json("wycheproof-jose/json_web_signature_test.json");
    for &backend in Backend::all() {
        let mut t = Tally::default();
        for group in suite["testGroups"].as_array().unwrap() {
            let comment = group["comment"].as_str().unwrap_or("");
            let keys = group.get("public").map(|public| {
                let mut jwk = public.clone();
                // These groups label their keys PS256 / "ES521" while the tokens are PS384 / ES512.
                if comment.starts_with("rfc7520") {
                    jwk.as_object_mut().unwrap().remove("alg");
                }
                KeySet::from_value_with(backend, &json!({ "keys": [jwk] }))
            });
            for case in group["tests"].as_array().unwrap() {
                let id = case["tcId"].as_u64().unwrap();
                let token = case["jws"].as_str().unwrap();
                let valid = case["result"] == "valid";
                let verdict = match &keys {
                    // HMAC groups have only a symmetric key: out of scope, and authjwt must refuse
                    // their tokens whatever key set it holds.
                    None => {
                        let empty = KeySet::from_value_with(backend, &json!({"keys": []})).unwrap();
                        let r = verify_jws(token, &empty, &jws_options());
                        if r.is_ok() {
                            t.failures.push(format!("tc{id}: HMAC token accepted"));
                        } else {
                            t.hmac_refused += 1;
                        }
                        continue;
                    }
                    Some(Err(_)) => {
                        if valid {
                            t.failures
                                .push(format!("tc{id} ({comment}): key set refused"));
                        } else {
                            t.rejected_by_key_set += 1;
                        }
                        continue;
                    }
                    Some(Ok(keys)) => verify_jws(token, keys, &jws_options()),
                };
                if id == 372 || id == 373 {
                    t.either_way += 1;
                } else if is_hmac_token(token) {
                    if verdict.is_ok() {
                        t.failures.push(format!("tc{id}: HMAC token accepted"));
                    } else {
                        t.hmac_refused += 1;
                    }
                } else if valid {
                    match verdict {
                        Ok(_) => t.valid_accepted += 1,
                        Err(e) => t.failures.push(format!(
                            "tc{id} ({comment}, {}): valid rejected: {e}",
                            case["comment"]
                        )),
                    }
                } else {
                    match verdict {
                        Err(_) => t.invalid_rejected += 1,
                        Ok(_) => t.failures.push(format!(
                            "tc{id} ({comment}, {}): invalid accepted",
                            case["comment"]
                        )),
                    }
                }
            }
        }
        println!(
            "wycheproof JWS ({backend:?}): {} valid accepted, {} invalid rejected, {} rejected by the \
             key set (use/key_ops), {} HMAC refused (out of scope), {} either-way (tc372/373), {} failures",
            t.valid_accepted,
            t.invalid_rejected,
            t.rejected_by_key_set,
            t.hmac_refused,
            t.either_way,
            t.failures.len()
        );
        assert!(t.failures.is_empty(), "{}", t.failures.join("\n"));
        assert!(t.valid_accepted >= 30 && t.invalid_rejected >= 200, "{t:?}");
    }
}

#[test]
fn wycheproof_json_web_key_suite() {
    let suite = read_json("wycheproof-jose/json_web_key_test.json");
    for &backend in Backend::all() {
        let mut t = Tally::default();
        for group in suite["testGroups"].as_array().unwrap() {
            let comment = group["comment"].as_str().unwrap_or("");
            let doc = group.get("public").unwrap_or(&group["private"]);
            let keys = KeySet::from_value_with(backend, doc);
            for case in group["tests"].as_array().unwrap() {
                let id = case["tcId"].as_u64().unwrap();
                let token = case["jws"].as_str().unwrap();
                let valid = case["result"] == "valid";
                let verdict = keys
                    .as_ref()
                    .map_err(|e| e.code())
                    .and_then(|k| verify_jws(token, k, &jws_options()).map_err(|e| e.code()));
                if is_hmac_token(token) {
                    if verdict.is_ok() {
                        t.failures.push(format!("tc{id}: HMAC token accepted"));
                    } else {
                        t.hmac_refused += 1;
                    }
                } else if valid {
                    match verdict {
                        Ok(_) => t.valid_accepted += 1,
                        Err(code) => t
                            .failures
                            .push(format!("tc{id} ({comment}): valid rejected: {code}")),
                    }
                } else {
                    match verdict {
                        Err("ERR_JWKS_INVALID") => t.rejected_by_key_set += 1,
                        Err(_) => t.invalid_rejected += 1,
                        Ok(_) => t
                            .failures
                            .push(format!("tc{id} ({comment}): invalid accepted")),
                    }
                }
            }
        }
        println!(
            "wycheproof JWK ({backend:?}): {} valid accepted, {} invalid key sets refused, {} invalid \
             tokens rejected, {} HMAC refused (out of scope), {} failures",
            t.valid_accepted,
            t.rejected_by_key_set,
            t.invalid_rejected,
            t.hmac_refused,
            t.failures.len()
        );
        assert!(t.failures.is_empty(), "{}", t.failures.join("\n"));
        assert!(t.valid_accepted >= 1, "{t:?}");
    }
}

#[test]
fn josekit_interop_tokens_verify() {
    let index = read_json("josekit-interop/index.json");
    let dir = vectors().join("josekit-interop");
    let mut verified = 0;
    let mut refused = 0;
    for &backend in Backend::all() {
        for case in index["cases"].as_array().unwrap() {
            let alg = case["alg"].as_str().unwrap();
            let token =
                std::fs::read_to_string(dir.join(case["token_file"].as_str().unwrap())).unwrap();
            let token = token.trim();
            let jwk: Value = serde_json::from_str(
                &std::fs::read_to_string(dir.join(case["verify_key_file"].as_str().unwrap()))
                    .unwrap(),
            )
            .unwrap();
            let options = VerifyOptions {
                current_date: Some(1_300_819_000),
                ..VerifyOptions::default()
            };
            if alg == "HS256" {
                // The oct key (its secret `k` published) is skipped from the set, and the token
                // is refused by any key set.
                let set = KeySet::from_value_with(backend, &json!({ "keys": [jwk] })).unwrap();
                assert!(set.is_empty());
                assert_eq!(
                    set.skipped().first().map(|s| s.reason.code()),
                    Some("private_key_published")
                );
                let empty = KeySet::from_value_with(backend, &json!({"keys": []})).unwrap();
                let err = verify_jwt(token, &empty, &options).unwrap_err();
                assert_eq!(err.code(), "ERR_JOSE_ALG_NOT_ALLOWED");
                refused += 1;
                continue;
            }
            let keys = KeySet::from_value_with(backend, &json!({ "keys": [jwk] })).unwrap();
            let v = verify_jwt(token, &keys, &options)
                .unwrap_or_else(|e| panic!("{alg} ({backend:?}): {e}"));
            assert_eq!(v.payload["iss"], case["claims"]["iss"], "{alg}");
            assert_eq!(v.protected_header["alg"], alg);
            verified += 1;
        }
    }
    println!("josekit interop: {verified} tokens verified, {refused} HS256 refused");
    assert!(verified >= 6);
}
