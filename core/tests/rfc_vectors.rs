//! RFC examples through the JWS layer: RFC 7515 Appendix A, RFC 7520 §4, RFC 7797, RFC 8037 A.4.
//! The vectors are RFC facts, copied into `tests/data/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use authjwt_core::alg::Algorithm;
use authjwt_core::crypto::{Backend, SigningKey};
use authjwt_core::jwk::PrivateJwk;
use authjwt_core::jwks::KeySet;
use authjwt_core::verify::{verify_jws, verify_jwt, VerifyOptions};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

fn data(file: &str) -> Value {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn case<'v>(doc: &'v Value, id: &str) -> &'v Value {
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

/// The public members of a JWK (private ones dropped), optionally with another `alg`.
fn public_jwk(jwk: &Value) -> Value {
    let mut map: Map<String, Value> = jwk.as_object().unwrap().clone();
    for m in ["d", "p", "q", "dp", "dq", "qi", "k"] {
        map.remove(m);
    }
    Value::Object(map)
}

fn key_set(backend: Backend, jwk: &Value) -> KeySet {
    KeySet::from_value_with(backend, &json!({ "keys": [public_jwk(jwk)] })).unwrap()
}

/// A JWS-level verification: the payload of these examples is not always a JWT claims set.
fn jws_options() -> VerifyOptions {
    VerifyOptions {
        require_exp: false,
        ..VerifyOptions::default()
    }
}

fn code<T>(r: authjwt_core::Result<T>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

#[test]
fn rfc7515_appendix_a_signatures_verify_and_alg_none_is_rejected() {
    let doc = data("rfc7515_appendix_a.json");
    let mut verified = 0;
    for &backend in Backend::all() {
        for id in ["RFC7515-A.2", "RFC7515-A.3", "RFC7515-A.4"] {
            let c = case(&doc, id);
            let keys = key_set(backend, &c["key_jwk"]);
            let token = c["expected_compact"].as_str().unwrap();
            let v = verify_jws(token, &keys, &jws_options()).unwrap();
            assert_eq!(
                v.payload,
                c["payload_utf8"].as_str().unwrap().as_bytes(),
                "{id}"
            );
            verified += 1;
        }
        // A.2 and A.3 are JWTs (exp 1300819380, CRLF in the JSON): the JWT layer accepts them
        // before their expiry and reports ERR_JWT_EXPIRED after it.
        for id in ["RFC7515-A.2", "RFC7515-A.3"] {
            let c = case(&doc, id);
            let keys = key_set(backend, &c["key_jwk"]);
            let token = c["expected_compact"].as_str().unwrap();
            let before = VerifyOptions {
                current_date: Some(1_300_819_000),
                ..VerifyOptions::default()
            };
            let v = verify_jwt(token, &keys, &before).unwrap();
            assert_eq!(v.payload["iss"], "joe");
            assert_eq!(v.payload["http://example.com/is_root"], true);
            let after = VerifyOptions {
                current_date: Some(1_300_819_380),
                ..VerifyOptions::default()
            };
            assert_eq!(
                code(verify_jwt(token, &keys, &after)),
                "ERR_JWT_EXPIRED",
                "{id}"
            );
        }
        // A.5: the Unsecured JWS. Whatever keys the set holds, alg none is never allowed.
        let none = case(&doc, "RFC7515-A.5")["expected_compact"]
            .as_str()
            .unwrap();
        for id in ["RFC7515-A.2", "RFC7515-A.3"] {
            let keys = key_set(backend, &case(&doc, id)["key_jwk"]);
            assert_eq!(
                code(verify_jws(none, &keys, &jws_options())),
                "ERR_JOSE_ALG_NOT_ALLOWED"
            );
        }
        // A.1 is HS256, which authjwt never verifies.
        let hs = case(&doc, "RFC7515-A.1")["expected_compact"]
            .as_str()
            .unwrap();
        let keys = key_set(backend, &case(&doc, "RFC7515-A.2")["key_jwk"]);
        assert_eq!(
            code(verify_jws(hs, &keys, &jws_options())),
            "ERR_JOSE_ALG_NOT_ALLOWED"
        );
    }
    println!(
        "RFC 7515 appendix A: {verified} signatures verified, A.1 (HS256) and A.5 (none) refused"
    );
}

#[test]
fn rfc7515_a2_rs256_signature_is_reproduced() {
    let doc = data("rfc7515_appendix_a.json");
    let c = case(&doc, "RFC7515-A.2");
    let jwk = PrivateJwk::from_json(&c["key_jwk"].to_string()).unwrap();
    let token = c["expected_compact"].as_str().unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    for &backend in Backend::all() {
        let key = SigningKey::from_private_jwk_with(backend, &jwk, Algorithm::RS256).unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).unwrap()),
            sig
        );
    }
}

#[test]
fn rfc7520_section4_signatures_verify() {
    let doc = data("rfc7520_section4_jws.json");
    let mut verified = 0;
    for &backend in Backend::all() {
        for (id, alg) in [
            ("RFC7520-4.1", Algorithm::RS256),
            ("RFC7520-4.2", Algorithm::PS384),
            ("RFC7520-4.3", Algorithm::ES512),
        ] {
            let c = case(&doc, id);
            let keys = key_set(backend, &c["key_jwk"]);
            let token = c["expected_compact"].as_str().unwrap();
            let v = verify_jws(token, &keys, &jws_options()).unwrap();
            assert_eq!(v.payload, c["payload_utf8"].as_str().unwrap().as_bytes());
            assert_eq!(v.protected_header["kid"], "bilbo.baggins@hobbiton.example");
            // The explicit allowlist is honoured too.
            let only = VerifyOptions {
                algorithms: Some(vec![alg]),
                ..jws_options()
            };
            assert_eq!(code(verify_jws(token, &keys, &only)), "ok");
            // The text payload is not a JWT claims set.
            assert_eq!(
                code(verify_jwt(token, &keys, &jws_options())),
                "ERR_JWT_INVALID"
            );
            verified += 1;
        }
        let hs = case(&doc, "RFC7520-4.4")["expected_compact"]
            .as_str()
            .unwrap();
        let keys = key_set(backend, &case(&doc, "RFC7520-4.1")["key_jwk"]);
        assert_eq!(
            code(verify_jws(hs, &keys, &jws_options())),
            "ERR_JOSE_ALG_NOT_ALLOWED"
        );
    }
    println!("RFC 7520 section 4: {verified} signatures verified (RS256, PS384, ES512)");
}

#[test]
fn rfc7520_4_1_rs256_signature_is_reproduced() {
    let doc = data("rfc7520_section4_jws.json");
    let c = case(&doc, "RFC7520-4.1");
    let jwk = PrivateJwk::from_json(&c["key_jwk"].to_string()).unwrap();
    let key = SigningKey::from_private_jwk(&jwk, Algorithm::RS256).unwrap();
    let token = c["expected_compact"].as_str().unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    assert_eq!(
        URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).unwrap()),
        sig
    );
}

#[test]
fn rfc7797_unencoded_payload_is_rejected() {
    let doc = data("rfc7797_b64_false.json");
    let compact = doc["output"]["compact"].as_str().unwrap();
    let keys = key_set(
        Backend::preferred(),
        &case(&data("rfc7515_appendix_a.json"), "RFC7515-A.3")["key_jwk"],
    );
    // The compact form carries the payload unencoded ("This is the payload string!"): not base64url.
    assert_eq!(
        code(verify_jws(compact, &keys, &jws_options())),
        "ERR_JWS_INVALID"
    );
    // The same header, re-signed with a key of the set and an encoded payload, is refused for b64.
    let a3 = PrivateJwk::from_json(
        &case(&data("rfc7515_appendix_a.json"), "RFC7515-A.3")["key_jwk"].to_string(),
    )
    .unwrap();
    let key = SigningKey::from_private_jwk(&a3, Algorithm::ES256).unwrap();
    let header = json!({"alg":"ES256","b64":false,"crit":["b64"]}).to_string();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(doc["output"]["json"]["payload"].as_str().unwrap())
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig));
    assert_eq!(
        code(verify_jws(&token, &keys, &jws_options())),
        "ERR_JOSE_NOT_SUPPORTED"
    );
}

#[test]
fn rfc8037_a4_ed25519_signature_verifies_and_is_reproduced() {
    let doc = data("rfc8037_a4_ed25519.json");
    let a4 = &doc["A.4"];
    let token = a4["expected_compact"].as_str().unwrap();
    let jwk = PrivateJwk::from_json(&doc["A.1_private_jwk"].to_string()).unwrap();
    for &backend in Backend::all() {
        let keys = key_set(backend, &doc["A.2_public_jwk"]);
        let v = verify_jws(token, &keys, &jws_options()).unwrap();
        assert_eq!(v.payload, b"Example of Ed25519 signing");
        let key = SigningKey::from_private_jwk_with(backend, &jwk, Algorithm::EdDSA).unwrap();
        let sig = key
            .sign(a4["signing_input"].as_str().unwrap().as_bytes())
            .unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(sig),
            a4["signature_b64u"].as_str().unwrap()
        );
    }
}
