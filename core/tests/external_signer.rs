//! External signers (a KMS): every token is checked before `sign()` returns it — the answer's
//! shape per algorithm (DER ECDSA converted to `R || S`), and its signature against the signer's
//! public key from the JWKS at `remote_url` (served here on 127.0.0.1) or from `public_key`.
//! The "KMS" is a local key in the test; digest signing uses aws-lc's prehashed ECDSA, which
//! answers DER exactly as AWS and Google Cloud KMS do.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use authjwt_core::alg::{Algorithm, KeyPairConfig};
#[cfg(feature = "aws-lc")]
use authjwt_core::crypto::signing_digest;
use authjwt_core::crypto::SigningKey;
use authjwt_core::issuer::{
    ExternalSigner, ExternalSignerConfig, Issuer, IssuerOptions, MessageType, OptionCase,
    SignOverrides, SignRequest,
};
use authjwt_core::jwks::KeySet;
use authjwt_core::store::MemoryStore;
use authjwt_core::verify::{verify_jwt, VerifyOptions};
use authjwt_core::StoreError;
use serde_json::{json, Map, Value};

mod support;
use support::{Reply, Server};

fn jwk(key: &SigningKey, kid: &str) -> Value {
    let mut map = key.public_jwk().to_map();
    map.insert("kid".into(), json!(kid));
    map.insert("alg".into(), json!(key.algorithm().name()));
    Value::Object(map)
}

/// What a test signer answers, from the request it got.
type Answer = Box<dyn Fn(&SignRequest) -> Vec<u8> + Send + Sync>;

struct TestSigner {
    answer: Answer,
    kid: Mutex<Option<String>>,
    requests: Mutex<Vec<SignRequest>>,
}

impl TestSigner {
    fn new(answer: impl Fn(&SignRequest) -> Vec<u8> + Send + Sync + 'static) -> Arc<TestSigner> {
        Arc::new(TestSigner {
            answer: Box::new(answer),
            kid: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
        })
    }

    /// A KMS holding `key`, signing the raw input in the JOSE form.
    fn local(key: Arc<SigningKey>) -> Arc<TestSigner> {
        TestSigner::new(move |r| key.sign(&r.message).unwrap())
    }

    fn calls(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

#[async_trait]
impl ExternalSigner for TestSigner {
    async fn sign(&self, request: SignRequest) -> Result<Vec<u8>, StoreError> {
        let out = (self.answer)(&request);
        self.requests.lock().unwrap().push(request);
        Ok(out)
    }

    async fn current_kid(&self) -> Result<Option<String>, StoreError> {
        Ok(self.kid.lock().unwrap().clone())
    }
}

fn issuer(config: ExternalSignerConfig, remote_url: &str) -> authjwt_core::Result<Issuer> {
    Issuer::new(
        Arc::new(MemoryStore::new()),
        IssuerOptions {
            disable_private_key_encryption: true,
            external_signer: Some(config),
            remote_url: Some(remote_url.to_owned()),
            ..IssuerOptions::default()
        },
    )
}

async fn sign(issuer: &Issuer) -> authjwt_core::Result<String> {
    let mut payload = Map::new();
    payload.insert("sub".into(), json!("user-1"));
    issuer.sign(payload, &SignOverrides::default()).await
}

fn generate(alg: Algorithm) -> Arc<SigningKey> {
    let config = KeyPairConfig::new(alg.name(), None, None).unwrap();
    Arc::new(SigningKey::generate(&config).unwrap())
}

fn verifies(token: &str, jwks: &Value) {
    let keys = KeySet::from_value(jwks).unwrap();
    verify_jwt(token, &keys, &VerifyOptions::default()).unwrap();
}

/// A URL where nothing listens (a bound-then-dropped port): any fetch fails.
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}/jwks.json", listener.local_addr().unwrap())
}

#[tokio::test]
async fn good_signers_tokens_verify_and_the_steady_state_fetches_once() {
    for alg in [
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::RS256,
        Algorithm::PS256,
    ] {
        let key = generate(alg);
        let jwks = json!({"keys": [jwk(&key, "kms-1")]});
        let server = Server::start(Reply::ok(jwks.to_string())).await;
        let signer = TestSigner::local(key);
        let issuer = issuer(
            ExternalSignerConfig::new(signer.clone(), alg, "kms-1"),
            &server.url(),
        )
        .unwrap();
        for _ in 0..3 {
            let token = sign(&issuer).await.unwrap();
            verifies(&token, &jwks);
        }
        assert_eq!(signer.calls(), 3, "{alg}");
        assert_eq!(server.count(), 1, "{alg}: one fetch, then the cached set");
        let first = signer.requests.lock().unwrap()[0].clone();
        assert_eq!(first.message_type, MessageType::Raw);
        assert_eq!((first.alg, first.kid.as_str()), (alg, "kms-1"));
    }
}

/// A KMS that signs digests and answers DER (aws-lc's prehashed ECDSA, ASN.1 output).
#[cfg(feature = "aws-lc")]
fn der_kms(alg: Algorithm) -> (Arc<TestSigner>, Value) {
    use aws_lc_rs::digest;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, KeyPair as _};
    let (signing, hash, crv, n) = match alg {
        Algorithm::ES256 => (
            &sig::ECDSA_P256_SHA256_ASN1_SIGNING,
            &digest::SHA256,
            "P-256",
            32,
        ),
        Algorithm::ES384 => (
            &sig::ECDSA_P384_SHA384_ASN1_SIGNING,
            &digest::SHA384,
            "P-384",
            48,
        ),
        _ => (
            &sig::ECDSA_P521_SHA512_ASN1_SIGNING,
            &digest::SHA512,
            "P-521",
            66,
        ),
    };
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &SystemRandom::new()).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref()).unwrap();
    let point = pair.public_key().as_ref().to_vec();
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let jwks = json!({"keys": [{
        "kty": "EC", "crv": crv, "x": b64(&point[1..1 + n]), "y": b64(&point[1 + n..]),
        "kid": "kms-der", "alg": alg.name()
    }]});
    let signer = TestSigner::new(move |r| {
        assert_eq!(r.message_type, MessageType::Digest);
        let digest = digest::Digest::import_less_safe(&r.message, hash).unwrap();
        pair.sign_digest(&digest).unwrap().as_ref().to_vec()
    });
    (signer, jwks)
}

#[cfg(feature = "aws-lc")]
#[tokio::test]
async fn kms_digest_signing_with_der_answers_gives_verifying_tokens() {
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        let (signer, jwks) = der_kms(alg);
        let server = Server::start(Reply::ok(jwks.to_string())).await;
        let mut config = ExternalSignerConfig::new(signer.clone(), alg, "kms-der");
        config.message_type = MessageType::Digest;
        let issuer = issuer(config, &server.url()).unwrap();
        // Enough tokens that short (and high-bit) R and S turn up in the DER answers.
        for _ in 0..40 {
            let token = sign(&issuer).await.unwrap();
            verifies(&token, &jwks);
            let input = token.rsplit_once('.').unwrap().0;
            let last = signer
                .requests
                .lock()
                .unwrap()
                .last()
                .unwrap()
                .message
                .clone();
            assert_eq!(
                Some(last),
                signing_digest(alg, input.as_bytes()),
                "{alg}: the digest of the signing input"
            );
        }
    }
}

#[tokio::test]
async fn every_bad_signer_answer_is_refused_before_a_token_is_returned() {
    let key = generate(Algorithm::ES256);
    let other = generate(Algorithm::ES256);
    let es384 = generate(Algorithm::ES384);
    let ed = generate(Algorithm::EdDSA);
    let jwks = json!({"keys": [jwk(&key, "kms-1")]});
    let server = Server::start(Reply::ok(jwks.to_string())).await;
    let good = key.clone();
    let cases: Vec<(&str, Arc<TestSigner>)> = vec![
        ("wrong key", TestSigner::local(other)),
        ("wrong algorithm (ES384 answer)", TestSigner::local(es384)),
        (
            "wrong algorithm (Ed25519 answer, 64 bytes)",
            TestSigner::local(ed),
        ),
        ("empty", TestSigner::new(|_| Vec::new())),
        ("10 bytes", TestSigner::new(|_| vec![7; 10])),
        ("a string", TestSigner::new(|_| b"c2lnbmF0dXJl".to_vec())),
        (
            "truncated",
            TestSigner::new(move |r| good.sign(&r.message).unwrap()[..63].to_vec()),
        ),
        (
            "72 DER-looking bytes that are not DER",
            TestSigner::new(|_| {
                let mut v = vec![0x30, 70, 0x02, 33, 0x00];
                v.resize(72, 0x55);
                v
            }),
        ),
        (
            "flipped bit",
            TestSigner::new({
                let key = key.clone();
                move |r| {
                    let mut s = key.sign(&r.message).unwrap();
                    s[10] ^= 1;
                    s
                }
            }),
        ),
    ];
    for (what, signer) in cases {
        let issuer = issuer(
            ExternalSignerConfig::new(signer.clone(), Algorithm::ES256, "kms-1"),
            &server.url(),
        )
        .unwrap();
        let err = sign(&issuer).await.expect_err(what);
        assert_eq!(err.code(), "ERR_STORE", "{what}: {err}");
        assert!(
            err.to_string().contains("kms-1"),
            "{what}: names the kid: {err}"
        );
        assert_eq!(signer.calls(), 1, "{what}");
    }
}

#[tokio::test]
async fn with_verification_off_the_shape_is_still_checked() {
    let key = generate(Algorithm::ES256);
    let other = generate(Algorithm::ES256);
    let url = dead_url();
    let mut config = ExternalSignerConfig::new(TestSigner::local(other), Algorithm::ES256, "kms-1");
    config.verify_before_return = false;
    // No fetch at all: the URL is dead and signing still works (the caller chose no check).
    let token = sign(&issuer(config, &url).unwrap()).await.unwrap();
    let keys = KeySet::from_value(&json!({"keys": [jwk(&key, "kms-1")]})).unwrap();
    assert!(verify_jwt(&token, &keys, &VerifyOptions::default()).is_err());
    let mut empty =
        ExternalSignerConfig::new(TestSigner::new(|_| Vec::new()), Algorithm::ES256, "kms-1");
    empty.verify_before_return = false;
    let err = sign(&issuer(empty, &url).unwrap()).await.unwrap_err();
    assert_eq!(err.code(), "ERR_STORE");
}

#[tokio::test]
async fn a_public_key_option_verifies_without_any_fetch() {
    let key = generate(Algorithm::RS256);
    let url = dead_url();
    let mut config =
        ExternalSignerConfig::new(TestSigner::local(key.clone()), Algorithm::RS256, "kms-1");
    config.public_key = Some(key.public_jwk().clone());
    let token = sign(&issuer(config, &url).unwrap()).await.unwrap();
    verifies(&token, &json!({"keys": [jwk(&key, "kms-1")]}));

    let other = generate(Algorithm::RS256);
    let mut wrong = ExternalSignerConfig::new(TestSigner::local(other), Algorithm::RS256, "kms-1");
    wrong.public_key = Some(key.public_jwk().clone());
    assert_eq!(
        sign(&issuer(wrong, &url).unwrap())
            .await
            .unwrap_err()
            .code(),
        "ERR_STORE"
    );

    // Without a public key, a JWKS that cannot be fetched is its own error, and no token.
    let unreachable = ExternalSignerConfig::new(TestSigner::local(key), Algorithm::RS256, "kms-1");
    let err = sign(&issuer(unreachable, &url).unwrap()).await.unwrap_err();
    assert!(err.code().starts_with("ERR_JWKS_"), "{err}");
}

#[tokio::test]
async fn the_signer_names_its_key_version_per_token() {
    let v1 = generate(Algorithm::ES256);
    let v2 = generate(Algorithm::ES256);
    let jwks = json!({"keys": [jwk(&v1, "key/1"), jwk(&v2, "key/2")]});
    let server = Server::start(Reply::ok(jwks.to_string())).await;
    let (k1, k2) = (v1.clone(), v2.clone());
    let signer = TestSigner::new(move |r| {
        let key = if r.kid == "key/1" { &k1 } else { &k2 };
        key.sign(&r.message).unwrap()
    });
    *signer.kid.lock().unwrap() = Some("key/1".into());
    let mut config = ExternalSignerConfig::new(signer.clone(), Algorithm::ES256, "");
    config.dynamic_kid = true;
    let issuer = issuer(config, &server.url()).unwrap();
    let header_kid =
        |t: &str| authjwt_core::jws::decode_unverified_header(t).unwrap()["kid"].clone();
    let t1 = sign(&issuer).await.unwrap();
    assert_eq!(header_kid(&t1), json!("key/1"));
    *signer.kid.lock().unwrap() = Some("key/2".into());
    let t2 = sign(&issuer).await.unwrap();
    assert_eq!(header_kid(&t2), json!("key/2"));
    verifies(&t1, &jwks);
    verifies(&t2, &jwks);
    // A version the JWKS does not publish: refused, naming it.
    *signer.kid.lock().unwrap() = Some("key/3".into());
    let err = sign(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_STORE");
    assert!(err.to_string().contains("key/3"), "{err}");
    assert_eq!(signer.calls(), 3);
}

#[tokio::test]
async fn jwks_serves_the_remote_body_and_rotate_points_to_the_kms() {
    let key = generate(Algorithm::EdDSA);
    // Served exactly as it is: member order, `use`, and keys of other algorithms.
    let mut published = jwk(&key, "kms-1");
    published["use"] = json!("sig");
    let jwks = json!({"keys": [published, jwk(&generate(Algorithm::ES256), "kms-2")]});
    let server = Server::start(Reply::ok(jwks.to_string())).await;
    let issuer = issuer(
        ExternalSignerConfig::new(TestSigner::local(key), Algorithm::EdDSA, "kms-1"),
        &server.url(),
    )
    .unwrap();
    assert_eq!(
        issuer.jwks().await.unwrap(),
        jwks,
        "the body as served, unusable keys included"
    );
    sign(&issuer).await.unwrap();
    assert_eq!(
        server.count(),
        1,
        "jwks() and the signature check share one cached set"
    );
    let err = issuer.rotate().await.unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_CONFIG");
    assert!(err.to_string().contains("KMS"), "{err}");
}

#[test]
fn configurations_that_cannot_work_are_refused_when_built() {
    let key = generate(Algorithm::EdDSA);
    let signer = TestSigner::local(key.clone());
    let url = "https://kms.example.com/jwks.json";
    let mut digest_eddsa = ExternalSignerConfig::new(signer.clone(), Algorithm::EdDSA, "k");
    digest_eddsa.message_type = MessageType::Digest;
    assert_eq!(
        issuer(digest_eddsa, url).unwrap_err().code(),
        "ERR_INVALID_CONFIG"
    );
    let mut wrong_type = ExternalSignerConfig::new(signer.clone(), Algorithm::ES256, "k");
    wrong_type.public_key = Some(key.public_jwk().clone());
    assert_eq!(
        issuer(wrong_type, url).unwrap_err().code(),
        "ERR_INVALID_CONFIG"
    );
    assert_eq!(
        issuer(
            ExternalSignerConfig::new(signer.clone(), Algorithm::EdDSA, ""),
            url
        )
        .unwrap_err()
        .code(),
        "ERR_INVALID_CONFIG"
    );

    let parse = |options: Value, case| {
        let Value::Object(map) = options else {
            panic!()
        };
        ExternalSignerConfig::from_host_options(signer.clone(), &map, case, false).map(|c| {
            (
                c.alg,
                c.kid,
                c.message_type,
                c.verify_before_return,
                c.public_key.is_some(),
            )
        })
    };
    assert_eq!(
        parse(json!({"alg": "ES256", "kid": "k", "messageType": "DIGEST", "verifyBeforeReturn": false}), OptionCase::Camel).unwrap(),
        (Algorithm::ES256, "k".to_owned(), MessageType::Digest, false, false)
    );
    assert_eq!(
        parse(
            json!({"alg": "EdDSA", "kid": "k", "public_key": key.public_jwk().to_map()}),
            OptionCase::Snake
        )
        .unwrap(),
        (
            Algorithm::EdDSA,
            "k".to_owned(),
            MessageType::Raw,
            true,
            true
        )
    );
    for bad in [
        json!({"alg": "ES256", "kid": "k", "verify_before_return": false}),
        json!({"alg": "ES256", "kid": "k", "messageType": "hash"}),
        json!({"alg": "ES256", "kid": 7}),
        json!({"alg": "HS256", "kid": "k"}),
        json!({"alg": "EdDSA", "kid": "k", "publicKey": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "d": "secret-material"}}),
    ] {
        let err = parse(bad.clone(), OptionCase::Camel).unwrap_err();
        assert!(!err.to_string().contains("secret-material"), "{err}");
        assert!(
            err.code() == "ERR_INVALID_CONFIG" || err.code() == "ERR_JOSE_NOT_SUPPORTED",
            "{bad}: {err}"
        );
    }
}
