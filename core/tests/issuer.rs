//! The issuer's rules (issue 3, "Rules that must hold"), claims, overrides, sessions, external
//! signers, rotation and grace periods, with an injected clock so nothing waits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

mod common;
use common::Recorder;

use authjwt_core::alg::{Algorithm, KeyPairConfig};
use authjwt_core::claims::{Audience, ExpirationTime};
use authjwt_core::clock::ManualClock;
use authjwt_core::crypto::SigningKey;
use authjwt_core::issuer::{
    ExternalSigner, ExternalSignerConfig, Issuer, IssuerOptions, SessionHooks, SignOverrides,
    SignRequest,
};
use authjwt_core::jwks::KeySet;
use authjwt_core::seal::Secret;
use authjwt_core::store::{JwkRow, KeyStore, MemoryStore};
use authjwt_core::verify::{verify_jwt, VerifiedJwt, VerifyOptions};
use authjwt_core::{Error, StoreError};

const T0_MS: i64 = 1_800_000_000_000;

/// A MemoryStore that counts every call.
#[derive(Default)]
struct CountingStore {
    rows: MemoryStore,
    gets: AtomicUsize,
    creates: AtomicUsize,
}

impl CountingStore {
    fn calls(&self) -> (usize, usize) {
        (
            self.gets.load(Ordering::SeqCst),
            self.creates.load(Ordering::SeqCst),
        )
    }
}

#[async_trait]
impl KeyStore for CountingStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.rows.get_jwks().await
    }
    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, StoreError> {
        self.creates.fetch_add(1, Ordering::SeqCst);
        // Let concurrent callers pile up while the "database" works.
        tokio::task::yield_now().await;
        self.rows.create_jwk(row).await
    }
}

fn options(clock: &Arc<ManualClock>) -> IssuerOptions {
    IssuerOptions {
        disable_private_key_encryption: true,
        clock: clock.clone(),
        ..IssuerOptions::default()
    }
}

fn setup(opts: impl FnOnce(&mut IssuerOptions)) -> (Issuer, Arc<CountingStore>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(CountingStore::default());
    let mut o = options(&clock);
    opts(&mut o);
    let issuer = Issuer::new(store.clone(), o).unwrap();
    (issuer, store, clock)
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn header(token: &str) -> Value {
    let h = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap()
}

fn payload(token: &str) -> Value {
    let p = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

/// The invariant of every test: a token verifies against the rows the store holds now.
fn verify_with_store(token: &str, rows: &[JwkRow], alg: Algorithm, now_ms: i64) -> VerifiedJwt {
    let keys = KeySet::from_rows(rows, alg).unwrap();
    let opts = VerifyOptions {
        current_date: Some(now_ms / 1000),
        ..VerifyOptions::default()
    };
    verify_jwt(token, &keys, &opts).unwrap()
}

fn sign_now(issuer: &Issuer) -> String {
    futures_block(issuer.sign(obj(json!({"sub": "u1"})), &SignOverrides::default())).unwrap()
}

fn futures_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_under_1000_concurrent_signs() {
    let (issuer, store, _clock) = setup(|_| {});
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let issuer = issuer.clone();
            tokio::spawn(async move {
                issuer
                    .sign(
                        obj(json!({"sub": format!("user-{i}")})),
                        &SignOverrides::default(),
                    )
                    .await
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert_eq!(store.calls().1, 1, "exactly one create_jwk");
    let rows = store.rows.rows();
    assert_eq!(rows.len(), 1);
    for token in &tokens {
        assert_eq!(header(token)["kid"], rows[0].id.as_str());
        verify_with_store(token, &rows, Algorithm::EdDSA, T0_MS);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_under_1000_concurrent_jwks_calls() {
    let (issuer, store, _clock) = setup(|_| {});
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let issuer = issuer.clone();
            tokio::spawn(async move { issuer.jwks().await })
        })
        .collect();
    for t in tasks {
        let jwks = t.await.unwrap().unwrap();
        assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1));
    }
    assert_eq!(store.calls().1, 1);
}

#[tokio::test]
async fn warm_cache_makes_zero_store_calls() {
    let (issuer, store, clock) = setup(|_| {});
    issuer
        .sign(obj(json!({"sub": "warm"})), &SignOverrides::default())
        .await
        .unwrap();
    let before = store.calls();
    let mut tokens = Vec::new();
    for i in 0..1000 {
        clock.advance_ms(100); // 100 s in total, inside the 300 s TTL
        tokens.push(
            issuer
                .sign(obj(json!({"n": i})), &SignOverrides::default())
                .await
                .unwrap(),
        );
    }
    for i in 0..1000 {
        tokens.push(
            issuer
                .sign_json_with_cached_key(&format!("{{\"n\":{i}}}"), &SignOverrides::default())
                .unwrap(),
        );
    }
    assert_eq!(
        store.calls(),
        before,
        "no get_jwks or create_jwk with a warm cache"
    );
    let rows = store.rows.rows();
    for t in &tokens {
        verify_with_store(t, &rows, Algorithm::EdDSA, clock.now_ms());
    }
}

use authjwt_core::clock::Clock as _;

#[tokio::test]
async fn store_is_read_again_after_key_cache_ttl_without_new_key() {
    let (issuer, store, clock) = setup(|o| o.key_cache_ttl = 60);
    let first = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    assert_eq!(store.calls(), (1, 1));
    clock.advance_ms(59_999);
    issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    assert_eq!(store.calls(), (1, 1));
    clock.advance_ms(1);
    let later = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    assert_eq!(
        store.calls(),
        (2, 1),
        "one store read after the TTL, no new key"
    );
    assert_eq!(header(&first)["kid"], header(&later)["kid"]);
}

#[tokio::test]
async fn key_from_another_process_is_picked_up_after_ttl() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(CountingStore::default());
    let a = Issuer::new(store.clone(), options(&clock)).unwrap();
    let b = Issuer::new(store.clone(), options(&clock)).unwrap();
    let t1 = a.sign(Map::new(), &SignOverrides::default()).await.unwrap();
    clock.advance_ms(1000);
    let row = b.rotate().await.unwrap();
    // a still signs with its cached key (live, in the store) until its TTL runs out.
    let t2 = a.sign(Map::new(), &SignOverrides::default()).await.unwrap();
    assert_eq!(header(&t1)["kid"], header(&t2)["kid"]);
    clock.advance_ms(300_000);
    let t3 = a.sign(Map::new(), &SignOverrides::default()).await.unwrap();
    assert_eq!(
        header(&t3)["kid"],
        row.id.as_str(),
        "newest created_at wins"
    );
    // a verifies b's tokens: all rows of the store count.
    let tb = b.sign(Map::new(), &SignOverrides::default()).await.unwrap();
    a.verify(&tb, &VerifyOptions::default()).await.unwrap();
}

#[tokio::test]
async fn key_past_expires_at_is_never_used_to_sign() {
    let rec = Arc::new(Recorder::default());
    let (issuer, store, clock) = setup(|o| {
        o.rotation_interval = Some(3600);
        o.events = Some(rec.clone());
    });
    let t1 = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    let row1 = store.rows.rows()[0].clone();
    assert_eq!(row1.expires_at, Some(T0_MS + 3_600_000));
    clock.set_ms(T0_MS + 3_600_000); // exactly expires_at: no longer usable
    let err = issuer
        .sign_json_with_cached_key("{}", &SignOverrides::default())
        .unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_CONFIG");
    let t2 = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    assert_ne!(header(&t1)["kid"], header(&t2)["kid"]);
    assert_eq!(store.calls().1, 2);
    let rows = store.rows.rows();
    verify_with_store(&t2, &rows, Algorithm::EdDSA, clock.now_ms());
    assert!(rec.names().contains(&"key.rotated"));
    // The old token still verifies during the grace period.
    let opts = VerifyOptions {
        current_date: Some((T0_MS + 600_000) / 1000),
        ..VerifyOptions::default()
    };
    issuer.verify(&t1, &opts).await.unwrap();
    // And the cached path never uses an expired key either.
    let t3 = issuer
        .sign_json_with_cached_key("{}", &SignOverrides::default())
        .unwrap();
    assert_eq!(header(&t3)["kid"], header(&t2)["kid"]);
}

#[tokio::test]
async fn sign_json_with_cached_key_needs_a_loaded_key() {
    let (issuer, store, _clock) = setup(|_| {});
    let err = issuer
        .sign_json_with_cached_key("{\"a\":1}", &SignOverrides::default())
        .unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_CONFIG");
    assert_eq!(
        store.calls(),
        (0, 0),
        "the sync path never touches the store"
    );
    let kid = issuer.load_signing_key(None).await.unwrap();
    let t = issuer
        .sign_json_with_cached_key("{\"a\":1}", &SignOverrides::default())
        .unwrap();
    assert_eq!(header(&t)["kid"], kid.as_str());
    assert_eq!(payload(&t)["a"], 1);
}

/// The hosts' async `sign` probes `sign_json_if_no_await` before going async; it must answer exactly
/// when `sign_json` would not touch the store, and leave every other case to `sign_json`.
#[tokio::test]
async fn sign_json_if_no_await_answers_only_when_sign_json_would_not_read_the_store() {
    let es256 = KeyPairConfig::new("ES256", None, None).unwrap();
    let (issuer, store, clock) = setup(|o| {
        o.key_cache_ttl = 60;
        o.rotation_interval = Some(3600);
        o.key_pair_configs = vec![es256];
    });
    let none = SignOverrides::default();
    assert_eq!(issuer.sign_json_if_no_await("{}", &none).unwrap(), None);
    assert_eq!(store.calls(), (0, 0), "the probe never touches the store");
    // A payload error is the error sign_json reports, key or not.
    let bad = issuer.sign_json_if_no_await("[1]", &none).unwrap_err();
    let bad_async = issuer.sign_json("[1]", &none).await.unwrap_err();
    assert_eq!(bad.code(), bad_async.code());

    let kid = issuer.load_signing_key(None).await.unwrap();
    let calls = store.calls();
    let t = issuer
        .sign_json_if_no_await("{\"a\":1}", &none)
        .unwrap()
        .expect("a fresh key signs without the store");
    assert_eq!(header(&t)["kid"], kid.as_str());
    assert_eq!(payload(&t)["a"], 1);
    assert_eq!(store.calls(), calls);
    // The other configured algorithm has no key loaded yet: left to sign_json.
    let es = SignOverrides {
        signing_algorithm: Some(Algorithm::ES256),
        ..SignOverrides::default()
    };
    assert_eq!(issuer.sign_json_if_no_await("{}", &es).unwrap(), None);

    // Pinned: a loaded key signs; a wrong algorithm is sign_json's error; an unknown kid is left
    // to sign_json (which reads the store to find it).
    let pinned = SignOverrides {
        signing_key_id: Some(kid.clone()),
        ..SignOverrides::default()
    };
    assert!(issuer
        .sign_json_if_no_await("{}", &pinned)
        .unwrap()
        .is_some());
    let wrong = SignOverrides {
        signing_algorithm: Some(Algorithm::ES256),
        ..pinned.clone()
    };
    assert_eq!(
        issuer
            .sign_json_if_no_await("{}", &wrong)
            .unwrap_err()
            .to_string(),
        issuer
            .sign_json("{}", &wrong)
            .await
            .unwrap_err()
            .to_string()
    );
    let unknown = SignOverrides {
        signing_key_id: Some("not-a-stored-kid".into()),
        ..SignOverrides::default()
    };
    assert_eq!(issuer.sign_json_if_no_await("{}", &unknown).unwrap(), None);

    // Past keyCacheTtl: no answer (sign_json reads the store), while the synchronous path keeps
    // signing with the live key.
    clock.advance_ms(60_000);
    let calls = store.calls();
    assert_eq!(issuer.sign_json_if_no_await("{}", &none).unwrap(), None);
    assert_eq!(issuer.sign_json_if_no_await("{}", &pinned).unwrap(), None);
    assert_eq!(store.calls(), calls);
    assert!(issuer.sign_json_with_cached_key("{}", &none).is_ok());
    issuer.sign_json("{}", &none).await.unwrap();
    assert_eq!(store.calls().0, calls.0 + 1, "sign_json read the store");
    assert!(issuer.sign_json_if_no_await("{}", &none).unwrap().is_some());

    // Past expires_at: never signs with the old key, whichever path.
    clock.set_ms(T0_MS + 3_600_000);
    assert_eq!(issuer.sign_json_if_no_await("{}", &none).unwrap(), None);
    assert_eq!(
        issuer
            .sign_json_with_cached_key("{}", &none)
            .unwrap_err()
            .code(),
        "ERR_INVALID_CONFIG"
    );
    let next = issuer.sign_json("{}", &none).await.unwrap();
    assert_ne!(header(&next)["kid"], kid.as_str());
}

#[tokio::test]
async fn rotate_keeps_previous_keys_published_for_the_grace_period() {
    let (issuer, store, clock) = setup(|o| {
        o.rotation_interval = Some(100);
        o.grace_period = 50;
    });
    let t1 = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    let k1 = header(&t1)["kid"].as_str().unwrap().to_owned();
    clock.advance_ms(10_000);
    let row2 = issuer.rotate().await.unwrap();
    assert_ne!(row2.id, k1);
    let t2 = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    assert_eq!(
        header(&t2)["kid"],
        row2.id.as_str(),
        "rotate installs the new key"
    );
    let kids = |jwks: Value| -> Vec<String> {
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect()
    };
    let published = kids(issuer.jwks().await.unwrap());
    assert!(published.contains(&k1) && published.contains(&row2.id));
    clock.set_ms(T0_MS + 149_000);
    assert!(kids(issuer.jwks().await.unwrap()).contains(&k1));
    clock.set_ms(T0_MS + 151_000);
    let published = kids(issuer.jwks().await.unwrap());
    assert!(!published.contains(&k1), "past expires_at + grace");
    assert!(published.contains(&row2.id));
    assert_eq!(store.rows.len(), 2, "rows are never deleted or rewritten");
}

#[tokio::test]
async fn claims_follow_better_auth_precedence() {
    let (issuer, _store, _clock) = setup(|o| {
        o.issuer = Some("https://auth.example.com".into());
        o.audience = Some(Audience::Many(vec!["api".into(), "web".into()]));
    });
    let now = T0_MS / 1000;
    let t = issuer
        .sign(
            obj(json!({"email": "a@example.com"})),
            &SignOverrides::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        payload(&t),
        json!({"email": "a@example.com", "iat": now, "exp": now + 900,
               "iss": "https://auth.example.com", "aud": ["api", "web"]})
    );
    assert_eq!(
        header(&t).as_object().unwrap().len(),
        2,
        "header is {{alg, kid}}"
    );
    assert_eq!(header(&t)["alg"], "EdDSA");

    // The payload's registered claims win; overrides fill in what it lacks.
    let o = SignOverrides {
        expiration_time: Some(ExpirationTime::Span(60)),
        issuer: Some("override-iss".into()),
        audience: Some(Audience::One("override-aud".into())),
        subject: Some("override-sub".into()),
        typ: Some("at+jwt".into()),
        ..SignOverrides::default()
    };
    let t = issuer
        .sign(obj(json!({"iss": "mine", "iat": now - 10})), &o)
        .await
        .unwrap();
    assert_eq!(
        payload(&t),
        json!({"iss": "mine", "iat": now - 10, "exp": now + 50,
               "aud": "override-aud", "sub": "override-sub"})
    );
    assert_eq!(header(&t)["typ"], "at+jwt");
    let t = issuer.sign(obj(json!({"exp": now + 5})), &o).await.unwrap();
    assert_eq!(payload(&t)["exp"], now + 5);

    // No issuer/audience configured anywhere: not set.
    let (bare, _, _) = setup(|_| {});
    let t = bare
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    assert_eq!(payload(&t), json!({"iat": now, "exp": now + 900}));
    let err = bare
        .sign_json("[1]", &SignOverrides::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWT_INVALID");
}

#[tokio::test]
async fn signing_overrides_pin_key_and_algorithm() {
    let es256 = KeyPairConfig::new("ES256", None, None).unwrap();
    let (issuer, store, clock) = setup(|o| o.key_pair_configs = vec![es256]);
    let ed = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    let ed_kid = header(&ed)["kid"].as_str().unwrap().to_owned();
    let by_alg = SignOverrides {
        signing_algorithm: Some(Algorithm::ES256),
        ..SignOverrides::default()
    };
    let es = issuer.sign(Map::new(), &by_alg).await.unwrap();
    assert_eq!(header(&es)["alg"], "ES256");
    assert_eq!(store.rows.len(), 2, "one key per configured algorithm");

    let pinned = SignOverrides {
        signing_key_id: Some(ed_kid.clone()),
        ..SignOverrides::default()
    };
    let t = issuer.sign(Map::new(), &pinned).await.unwrap();
    assert_eq!(header(&t)["kid"], ed_kid.as_str());

    let wrong_alg = SignOverrides {
        signing_key_id: Some(ed_kid.clone()),
        signing_algorithm: Some(Algorithm::ES256),
        ..SignOverrides::default()
    };
    assert_eq!(
        issuer
            .sign(Map::new(), &wrong_alg)
            .await
            .unwrap_err()
            .code(),
        "ERR_INVALID_CONFIG"
    );
    let missing = SignOverrides {
        signing_key_id: Some("no-such-kid".into()),
        ..SignOverrides::default()
    };
    assert_eq!(
        issuer.sign(Map::new(), &missing).await.unwrap_err().code(),
        "ERR_JWKS_NO_MATCHING_KEY"
    );
    let unconfigured = SignOverrides {
        signing_algorithm: Some(Algorithm::RS256),
        ..SignOverrides::default()
    };
    assert_eq!(
        issuer
            .sign(Map::new(), &unconfigured)
            .await
            .unwrap_err()
            .code(),
        "ERR_INVALID_CONFIG"
    );
    let rows = store.rows.rows();
    for tok in [&ed, &es, &t] {
        verify_with_store(tok, &rows, Algorithm::EdDSA, clock.now_ms());
    }
}

struct Hooks {
    fail: bool,
}

#[async_trait]
impl SessionHooks for Hooks {
    async fn define_payload(
        &self,
        user: &Value,
        session: &Value,
    ) -> Result<Option<Map<String, Value>>, StoreError> {
        if self.fail {
            return Err(StoreError::with_source(
                "define_payload",
                std::io::Error::other("host hook exploded"),
            ));
        }
        Ok(Some(obj(
            json!({"email": user["email"], "sid": session["id"]}),
        )))
    }
    async fn get_subject(
        &self,
        user: &Value,
        _session: &Value,
    ) -> Result<Option<String>, StoreError> {
        Ok(Some(format!("user:{}", user["id"].as_str().unwrap_or(""))))
    }
}

#[tokio::test]
async fn sign_session_follows_better_auth_token_endpoint() {
    let user = json!({"id": "u1", "email": "a@example.com", "name": "A"});
    let session = json!({"id": "s1", "userId": "u1"});
    let (plain, _, _) = setup(|_| {});
    let t = plain
        .sign_session(&user, &session, &SignOverrides::default())
        .await
        .unwrap();
    let p = payload(&t);
    assert_eq!(p["sub"], "u1");
    assert_eq!(p["email"], "a@example.com");
    assert_eq!(p["name"], "A");

    let (hooked, _, _) = setup(|o| o.session_hooks = Some(Arc::new(Hooks { fail: false })));
    let t = hooked
        .sign_session(&user, &session, &SignOverrides::default())
        .await
        .unwrap();
    let p = payload(&t);
    assert_eq!(
        (p["sub"].clone(), p["sid"].clone()),
        (json!("user:u1"), json!("s1"))
    );
    assert!(
        p.get("name").is_none(),
        "definePayload replaces the user object"
    );

    let (failing, store, _) = setup(|o| o.session_hooks = Some(Arc::new(Hooks { fail: true })));
    let err = failing
        .sign_session(&user, &session, &SignOverrides::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_STORE");
    match &err {
        Error::Store(e) => {
            assert_eq!(e.operation(), "define_payload");
            assert!(e.host_error().is_some(), "the host's error is kept");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.calls(), (0, 0));
}

struct Kms {
    key: SigningKey,
    calls: AtomicUsize,
}

#[async_trait]
impl ExternalSigner for Kms {
    async fn sign(&self, request: SignRequest) -> Result<Vec<u8>, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.key
            .sign(&request.message)
            .map_err(|e| StoreError::new("sign", e.to_string()))
    }
}

#[tokio::test]
async fn external_signer_signs_and_local_jwks_is_not_served() {
    let kms = Arc::new(Kms {
        key: SigningKey::generate(&KeyPairConfig::default()).unwrap(),
        calls: AtomicUsize::new(0),
    });
    // The signer's own public key checks each token (the JWKS URL is never fetched here).
    let mut ext = ExternalSignerConfig::new(kms.clone(), Algorithm::EdDSA, "kms-1");
    ext.public_key = Some(kms.key.public_jwk().clone());
    let missing_url = setup_result(|o| o.external_signer = Some(ext.clone()));
    assert_eq!(missing_url.unwrap_err().code(), "ERR_INVALID_CONFIG");

    let (issuer, store, clock) = setup(|o| {
        o.external_signer = Some(ext.clone());
        o.remote_url = Some("https://kms.example.com/jwks".into());
    });
    let t = issuer
        .sign(obj(json!({"sub": "u"})), &SignOverrides::default())
        .await
        .unwrap();
    assert_eq!(kms.calls.load(Ordering::SeqCst), 1);
    assert_eq!(header(&t), json!({"alg": "EdDSA", "kid": "kms-1"}));
    // The external signer is asynchronous: the probe leaves it to sign_json, signSync refuses.
    let none = SignOverrides::default();
    assert_eq!(issuer.sign_json_if_no_await("{}", &none).unwrap(), None);
    assert_eq!(
        issuer
            .sign_json_with_cached_key("{}", &none)
            .unwrap_err()
            .code(),
        "ERR_INVALID_CONFIG"
    );
    let mut jwk = kms.key.public_jwk().to_map();
    jwk.insert("kid".into(), json!("kms-1"));
    let keys = KeySet::from_value(&json!({"keys": [jwk]})).unwrap();
    let opts = VerifyOptions {
        current_date: Some(clock.now_s()),
        ..VerifyOptions::default()
    };
    verify_jwt(&t, &keys, &opts).unwrap();
    // jwks() serves the body at remote_url: tests/external_signer.rs, with a server on 127.0.0.1.
    assert_eq!(issuer.remote_url(), Some("https://kms.example.com/jwks"));
    assert_eq!(store.calls(), (0, 0), "no local key is ever made");

    // It seals nothing, so it needs no secret even with encryption on.
    let without_secret = setup_result(|o| {
        o.disable_private_key_encryption = false;
        o.secrets.clear();
        o.external_signer = Some(ext.clone());
        o.remote_url = Some("https://kms.example.com/jwks".into());
    });
    assert!(without_secret.is_ok(), "{:?}", without_secret.err());
}

fn setup_result(opts: impl FnOnce(&mut IssuerOptions)) -> Result<Issuer, Error> {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let mut o = options(&clock);
    opts(&mut o);
    Issuer::new(Arc::new(MemoryStore::new()), o)
}

#[test]
fn unworkable_configurations_fail_when_built() {
    let code = |f: &dyn Fn(&mut IssuerOptions)| setup_result(f).err().map(|e| e.code());
    assert_eq!(
        code(&|o| o.disable_private_key_encryption = false),
        Some("ERR_INVALID_CONFIG")
    );
    assert_eq!(
        code(&|o| o.rotation_interval = Some(0)),
        Some("ERR_INVALID_CONFIG")
    );
    assert_eq!(code(&|o| o.grace_period = -1), Some("ERR_INVALID_CONFIG"));
    assert_eq!(code(&|o| o.key_cache_ttl = -1), Some("ERR_INVALID_CONFIG"));
    assert_eq!(
        code(&|o| o.store_timeout = Duration::ZERO),
        Some("ERR_INVALID_CONFIG")
    );
    assert_eq!(
        code(&|o| {
            o.key_pair_configs = vec![
                KeyPairConfig::new("RS256", None, Some(2048)).unwrap(),
                KeyPairConfig::new("RS256", None, Some(3072)).unwrap(),
            ]
        }),
        Some("ERR_INVALID_CONFIG")
    );
    assert_eq!(
        code(&|o| o.key_pair_configs = vec![KeyPairConfig::default()]),
        None
    );
    assert_eq!(code(&|_| {}), None);
}

#[tokio::test]
async fn verify_uses_the_issuers_own_issuer_and_audience() {
    let (issuer, _store, clock) = setup(|o| {
        o.issuer = Some("https://auth.example.com".into());
        o.audience = Some(Audience::One("api".into()));
    });
    let good = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    let v = issuer
        .verify(&good, &VerifyOptions::default())
        .await
        .unwrap();
    assert_eq!(v.payload["aud"], "api");
    let other_aud = issuer
        .sign(obj(json!({"aud": "elsewhere"})), &SignOverrides::default())
        .await
        .unwrap();
    let err = issuer
        .verify(&other_aud, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert_eq!(err.claim(), Some("aud"));
    // An explicit option replaces the default.
    let opts = VerifyOptions {
        audience: Some(vec!["elsewhere".into()]),
        ..VerifyOptions::default()
    };
    issuer.verify(&other_aud, &opts).await.unwrap();
    // The injected clock is the verifier's "now".
    clock.advance_ms(901_000);
    let err = issuer
        .verify(&good, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWT_EXPIRED");
    // A key this store never held.
    let (stranger, _, _) = setup(|_| {});
    let foreign = stranger
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    let err = issuer
        .verify(&foreign, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
}

#[tokio::test]
async fn events_are_emitted_without_tokens_or_claims() {
    let rec = Arc::new(Recorder::default());
    let (issuer, _store, _clock) = setup(|o| o.events = Some(rec.clone()));
    let t = issuer
        .sign(
            obj(json!({"email": "secret-claim@example.com"})),
            &SignOverrides::default(),
        )
        .await
        .unwrap();
    issuer.verify(&t, &VerifyOptions::default()).await.unwrap();
    let _ = issuer.verify("a.b.c", &VerifyOptions::default()).await;
    issuer.rotate().await.unwrap();
    assert_eq!(
        rec.names(),
        [
            "key.created",
            "token.issued",
            "token.verified",
            "token.rejected",
            "key.created",
            "key.rotated",
            // The store has no update_jwk: the old key stays published (no expires_at).
            "key.retirement_unrecorded"
        ]
    );
    let all = format!("{:?}", rec.events());
    assert!(!all.contains(&t) && !all.contains("secret-claim"));
    assert!(all.contains("ERR_JWS_INVALID"));
}

#[tokio::test]
async fn default_sealed_format_round_trips_through_the_store() {
    // The default format (authjwt-v2) with a typed secret: PBKDF2 at 600k iterations, slow, so
    // only here.
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(CountingStore::default());
    let opts = IssuerOptions {
        secrets: vec![Secret {
            version: None,
            value: "a test secret long enough to seal with".to_owned().into(),
        }],
        clock: clock.clone(),
        ..IssuerOptions::default()
    };
    let issuer = Issuer::new(store.clone(), opts.clone()).unwrap();
    let t1 = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    let row = store.rows.rows()[0].clone();
    assert!(row.private_key.starts_with('{') && row.private_key.contains("\"ct\""));
    assert!(
        !row.private_key.contains("\"d\""),
        "no private member in clear"
    );
    // A second process opens the sealed row instead of making a key.
    let other = Issuer::new(store.clone(), opts).unwrap();
    let t2 = other
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    assert_eq!(header(&t1)["kid"], header(&t2)["kid"]);
    assert_eq!(store.calls().1, 1);
}

#[test]
fn signs_on_a_current_thread_runtime() {
    let (issuer, _store, _clock) = setup(|_| {});
    let t = sign_now(&issuer);
    assert_eq!(payload(&t)["sub"], "u1");
}

#[tokio::test]
async fn verify_reads_the_store_again_for_an_unknown_kid_at_most_every_30_s() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(CountingStore::default());
    let a = Issuer::new(store.clone(), options(&clock)).unwrap();
    let b = Issuer::new(store.clone(), options(&clock)).unwrap();
    let own = a.sign(Map::new(), &SignOverrides::default()).await.unwrap();
    a.verify(&own, &VerifyOptions::default()).await.unwrap();
    // Another process adds a key a has not seen.
    b.rotate().await.unwrap();
    let theirs = b.sign(Map::new(), &SignOverrides::default()).await.unwrap();
    let gets = store.calls().0;
    for _ in 0..100 {
        let err = a
            .verify(&theirs, &VerifyOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    }
    assert_eq!(
        store.calls().0,
        gets,
        "unknown kids do not hammer the store"
    );
    clock.advance_ms(30_000);
    a.verify(&theirs, &VerifyOptions::default()).await.unwrap();
    assert_eq!(store.calls().0, gets + 1);
}

/// A store whose rows can be damaged in place, to show what the issuer does not re-read.
#[derive(Default)]
struct MutableStore(Mutex<Vec<JwkRow>>);

#[async_trait]
impl KeyStore for MutableStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
        Ok(self.0.lock().unwrap().clone())
    }
    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, StoreError> {
        self.0.lock().unwrap().push(row.clone());
        Ok(row)
    }
}

#[tokio::test]
async fn cache_refresh_of_the_same_row_does_not_open_the_private_key_again() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(MutableStore::default());
    let issuer = Issuer::new(store.clone(), options(&clock)).unwrap();
    let t1 = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    for row in store.0.lock().unwrap().iter_mut() {
        row.private_key = "not a key any more".into();
    }
    clock.advance_ms(301_000);
    // The store is read again (same kid, same public key): the opened key is reused.
    let t2 = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    assert_eq!(header(&t1)["kid"], header(&t2)["kid"]);
    // A fresh issuer has to open the column, and refuses it.
    let fresh = Issuer::new(store.clone(), options(&clock)).unwrap();
    let err = fresh
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_KEY_DECRYPTION_FAILED");
}
