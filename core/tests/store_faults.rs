//! Storage faults (issue 8) against a scripted store: for each, the error code and the invariant
//! that no token is ever signed with a key the store does not hold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use authjwt_core::alg::{Algorithm, KeyPairConfig};
use authjwt_core::clock::ManualClock;
use authjwt_core::crypto::SigningKey;
use authjwt_core::issuer::{Issuer, IssuerOptions, SignOverrides};
use authjwt_core::jwk::PrivateJwk;
use authjwt_core::jwks::KeySet;
use authjwt_core::seal::{PrivateKeyFormat, Secret};
use authjwt_core::store::{JwkRow, KeyStore, MemoryStore};
use authjwt_core::verify::{verify_jwt, VerifyOptions};
use authjwt_core::{Error, StoreError};

const T0_MS: i64 = 1_800_000_000_000;
const OLD_SECRET: &str = "the old sealing secret, long enough to pass";
const NEW_SECRET: &str = "the new sealing secret, long enough to pass";

/// What the next `create_jwk` does.
enum CreateFault {
    Fail,
    Hang,
    RenameId(&'static str),
    /// Stores and returns the row with another key's public JWK.
    SwapPublicKey,
    /// Stores nothing and returns the row under this id (a buggy upsert or id generator).
    ReturnIdWithoutStoring(&'static str),
}

/// What the next `get_jwks` does.
enum GetFault {
    Fail,
    Duplicate,
}

#[derive(Default)]
struct ScriptedStore {
    rows: MemoryStore,
    creates: Mutex<VecDeque<CreateFault>>,
    gets: Mutex<VecDeque<GetFault>>,
    create_calls: AtomicUsize,
}

impl ScriptedStore {
    fn with_rows(rows: Vec<JwkRow>) -> Self {
        ScriptedStore {
            rows: MemoryStore::with_rows(rows),
            ..ScriptedStore::default()
        }
    }
    fn script_create(&self, f: CreateFault) {
        self.creates.lock().unwrap().push_back(f);
    }
    fn script_get(&self, f: GetFault) {
        self.gets.lock().unwrap().push_back(f);
    }
}

fn db_down(op: &'static str) -> StoreError {
    StoreError::with_source(op, std::io::Error::other("connection reset by database"))
}

#[async_trait]
impl KeyStore for ScriptedStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
        let fault = self.gets.lock().unwrap().pop_front();
        let rows = self.rows.get_jwks().await?;
        match fault {
            Some(GetFault::Fail) => Err(db_down("get_jwks")),
            Some(GetFault::Duplicate) => Ok(rows.iter().chain(rows.iter()).cloned().collect()),
            None => Ok(rows),
        }
    }

    async fn create_jwk(&self, mut row: JwkRow) -> Result<JwkRow, StoreError> {
        self.create_calls.fetch_add(1, Ordering::SeqCst);
        let fault = self.creates.lock().unwrap().pop_front();
        match fault {
            Some(CreateFault::Fail) => return Err(db_down("create_jwk")),
            Some(CreateFault::Hang) => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            Some(CreateFault::RenameId(id)) => row.id = id.to_owned(),
            Some(CreateFault::SwapPublicKey) => {
                let other = SigningKey::generate(&KeyPairConfig::default()).unwrap();
                row.public_key = other.public_jwk().to_json();
            }
            Some(CreateFault::ReturnIdWithoutStoring(id)) => {
                row.id = id.to_owned();
                return Ok(row);
            }
            None => {}
        }
        self.rows.create_jwk(row).await
    }
}

fn plain_options(clock: &Arc<ManualClock>) -> IssuerOptions {
    IssuerOptions {
        disable_private_key_encryption: true,
        clock: clock.clone(),
        ..IssuerOptions::default()
    }
}

fn secret(s: &str) -> Secret {
    Secret {
        version: None,
        value: s.to_owned().into(),
    }
}

/// `better-auth` sealing: real encryption, fast (no PBKDF2).
fn sealed_options(clock: &Arc<ManualClock>, secrets: &[&str]) -> IssuerOptions {
    IssuerOptions {
        secrets: secrets.iter().map(|s| secret(s)).collect(),
        private_key_format: PrivateKeyFormat::BetterAuth,
        clock: clock.clone(),
        ..IssuerOptions::default()
    }
}

fn kid(token: &str) -> String {
    let h = token.split('.').next().unwrap();
    let h: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap();
    h["kid"].as_str().unwrap().to_owned()
}

/// The invariant: every token issued verifies against the rows the store holds now.
fn assert_store_holds_keys_of(store: &ScriptedStore, tokens: &[String], alg: Algorithm) {
    let rows = futures_rows(store);
    let keys = KeySet::from_rows(&rows, alg).unwrap();
    let opts = VerifyOptions {
        current_date: Some(T0_MS / 1000),
        ..VerifyOptions::default()
    };
    for t in tokens {
        assert!(
            rows.iter().any(|r| r.id == kid(t)),
            "kid {} not in the store",
            kid(t)
        );
        verify_jwt(t, &keys, &opts).unwrap();
    }
}

fn futures_rows(store: &ScriptedStore) -> Vec<JwkRow> {
    store.rows.rows()
}

async fn sign(issuer: &Issuer) -> Result<String, Error> {
    issuer.sign(Map::new(), &SignOverrides::default()).await
}

fn store_op(err: &Error) -> (&'static str, bool, bool) {
    match err {
        Error::Store(e) => (e.operation(), e.is_timeout(), e.host_error().is_some()),
        other => panic!("expected ERR_STORE, got {other:?}"),
    }
}

#[tokio::test]
async fn failing_create_fails_the_sign_then_recovers() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    store.script_create(CreateFault::Fail);
    let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    let err = sign(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_STORE");
    assert_eq!(
        store_op(&err),
        ("create_jwk", false, true),
        "the host error is the cause"
    );
    assert!(store.rows.is_empty());
    let t = sign(&issuer).await.unwrap();
    assert_eq!(store.rows.len(), 1);
    assert_store_holds_keys_of(&store, &[t], Algorithm::EdDSA);
}

#[tokio::test]
async fn create_that_times_out_fails_and_nothing_half_made_is_used() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    store.script_create(CreateFault::Hang);
    let opts = IssuerOptions {
        store_timeout: Duration::from_millis(100),
        ..plain_options(&clock)
    };
    let issuer = Issuer::new(store.clone(), opts).unwrap();
    let err = sign(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_STORE");
    assert_eq!(store_op(&err), ("create_jwk", true, false));
    // The sync path has no key either.
    assert!(issuer
        .sign_json_with_cached_key("{}", &SignOverrides::default())
        .is_err());
    let t = sign(&issuer).await.unwrap();
    assert_eq!(store.create_calls.load(Ordering::SeqCst), 2);
    assert_store_holds_keys_of(&store, &[t], Algorithm::EdDSA);
}

#[tokio::test]
async fn create_returning_another_id_is_accepted_and_used_as_kid() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    store.script_create(CreateFault::RenameId("db-assigned-7"));
    let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    let t = sign(&issuer).await.unwrap();
    assert_eq!(kid(&t), "db-assigned-7");
    let row = issuer.rotate().await.unwrap();
    assert_eq!(kid(&sign(&issuer).await.unwrap()), row.id);
    assert_store_holds_keys_of(&store, &[t], Algorithm::EdDSA);
}

#[tokio::test]
async fn create_returning_another_public_key_is_refused_and_never_signed_with() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    store.script_create(CreateFault::SwapPublicKey);
    let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    let err = sign(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_STORE");
    assert_eq!(store_op(&err).0, "create_jwk");
    // The bad row is now the store's latest key: its private key does not belong to its public
    // key, so it is refused again (as `seal` reports it) instead of being used.
    let err = sign(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_KEY_DECRYPTION_FAILED");
    assert!(err.to_string().contains("does not belong"), "{err}");
    assert_eq!(
        store.create_calls.load(Ordering::SeqCst),
        1,
        "no key made behind the user's back"
    );
}

#[tokio::test]
async fn intermittent_get_jwks_failures_fail_only_their_calls() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    let opts = IssuerOptions {
        key_cache_ttl: 0, // read the store on every sign
        ..plain_options(&clock)
    };
    let issuer = Issuer::new(store.clone(), opts).unwrap();
    let mut tokens = Vec::new();
    let mut failures = 0;
    for i in 0..10 {
        if i % 2 == 1 {
            store.script_get(GetFault::Fail);
        }
        match sign(&issuer).await {
            Ok(t) => tokens.push(t),
            Err(e) => {
                assert_eq!(e.code(), "ERR_STORE");
                assert_eq!(store_op(&e).0, "get_jwks");
                failures += 1;
            }
        }
    }
    assert_eq!((tokens.len(), failures), (5, 5));
    assert_eq!(store.rows.len(), 1, "a failed read never causes a new key");
    assert_store_holds_keys_of(&store, &tokens, Algorithm::EdDSA);
}

#[tokio::test]
async fn duplicate_rows_are_read_once() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    let t = sign(&issuer).await.unwrap();
    let fresh = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    store.script_get(GetFault::Duplicate);
    let jwks = fresh.jwks().await.unwrap();
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1));
    let t2 = sign(&fresh).await.unwrap();
    assert_eq!(kid(&t2), kid(&t));
    assert_store_holds_keys_of(&store, &[t, t2], Algorithm::EdDSA);
}

#[tokio::test]
async fn rows_without_alg_are_read_as_the_configured_algorithm() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    for alg in ["EdDSA", "ES256"] {
        let config = KeyPairConfig::new(alg, None, None).unwrap();
        let key = SigningKey::generate(&config).unwrap();
        let legacy = JwkRow {
            id: format!("legacy-{alg}"),
            public_key: key.public_jwk().to_json(),
            private_key: key.to_private_jwk().unwrap().to_json().to_string(),
            created_at: T0_MS - 1000,
            expires_at: None,
            alg: None,
            crv: None,
        };
        let store = Arc::new(ScriptedStore::with_rows(vec![legacy]));
        let opts = IssuerOptions {
            key_pair_config: config,
            ..plain_options(&clock)
        };
        let issuer = Issuer::new(store.clone(), opts).unwrap();
        let t = sign(&issuer).await.unwrap();
        assert_eq!(kid(&t), format!("legacy-{alg}"));
        assert_eq!(store.create_calls.load(Ordering::SeqCst), 0);
        let jwks = issuer.jwks().await.unwrap();
        assert_eq!(jwks["keys"][0]["alg"], alg);
        issuer
            .verify(
                &t,
                &VerifyOptions {
                    current_date: Some(T0_MS / 1000),
                    ..VerifyOptions::default()
                },
            )
            .await
            .unwrap();
        assert_store_holds_keys_of(&store, &[t], config.alg);
    }
}

#[tokio::test]
async fn row_sealed_with_an_old_secret_opens_only_if_that_secret_is_configured() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    let old = Issuer::new(store.clone(), sealed_options(&clock, &[OLD_SECRET])).unwrap();
    let t_old = sign(&old).await.unwrap();
    let sealed_kid = kid(&t_old);

    let rotated = Issuer::new(
        store.clone(),
        sealed_options(&clock, &[NEW_SECRET, OLD_SECRET]),
    )
    .unwrap();
    let t = sign(&rotated).await.unwrap();
    assert_eq!(
        kid(&t),
        sealed_kid,
        "the old row opens with the second secret"
    );

    let forgot = Issuer::new(store.clone(), sealed_options(&clock, &[NEW_SECRET])).unwrap();
    let err = sign(&forgot).await.unwrap_err();
    assert_eq!(err.code(), "ERR_KEY_DECRYPTION_FAILED");
    assert!(
        err.to_string().contains(&sealed_kid),
        "names the kid: {err}"
    );
    assert!(!err.to_string().contains(OLD_SECRET) && !err.to_string().contains(NEW_SECRET));
    // jwks() must not make a key behind the user's back either.
    forgot.jwks().await.unwrap();
    assert!(sign(&forgot).await.is_err());
    assert_eq!(
        store.create_calls.load(Ordering::SeqCst),
        1,
        "only the first issuer made a key"
    );
    assert_eq!(store.rows.len(), 1);
    assert_store_holds_keys_of(&store, &[t_old, t], Algorithm::EdDSA);
}

#[tokio::test]
async fn row_whose_private_key_does_not_match_its_public_key_is_refused() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let a = SigningKey::generate(&KeyPairConfig::default()).unwrap();
    let b = SigningKey::generate(&KeyPairConfig::default()).unwrap();
    let b_private = b.to_private_jwk().unwrap();
    // Two forgeries: b's whole private JWK under a's public key, and b's secret `d` with a's
    // public members copied into the private JWK (only derivation catches that one).
    let swapped = b_private.to_json().to_string();
    let spliced = PrivateJwk::from_parts(a.public_jwk().clone(), b_private.secret().clone())
        .to_json()
        .to_string();
    for (name, private_key) in [("swapped", swapped), ("spliced", spliced)] {
        let tampered = JwkRow {
            id: name.into(),
            public_key: a.public_jwk().to_json(),
            private_key,
            created_at: T0_MS - 1000,
            expires_at: None,
            alg: Some("EdDSA".into()),
            crv: Some("Ed25519".into()),
        };
        let store = Arc::new(ScriptedStore::with_rows(vec![tampered]));
        let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
        let err = sign(&issuer).await.unwrap_err();
        assert_eq!(err.code(), "ERR_KEY_DECRYPTION_FAILED", "{name}: {err}");
        assert!(err.to_string().contains(name), "names the row: {err}");
        assert_eq!(
            store.create_calls.load(Ordering::SeqCst),
            0,
            "{name}: no new key"
        );
        let pinned = SignOverrides {
            signing_key_id: Some(name.into()),
            ..SignOverrides::default()
        };
        let err = issuer.sign(Map::new(), &pinned).await.unwrap_err();
        assert_eq!(err.code(), "ERR_KEY_DECRYPTION_FAILED");
    }
}

#[tokio::test]
async fn get_jwks_that_hangs_is_bounded_by_store_timeout() {
    struct Hanging;
    #[async_trait]
    impl KeyStore for Hanging {
        async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
            std::future::pending().await
        }
        async fn create_jwk(&self, _row: JwkRow) -> Result<JwkRow, StoreError> {
            std::future::pending().await
        }
    }
    let clock = Arc::new(ManualClock::new(T0_MS));
    let opts = IssuerOptions {
        store_timeout: Duration::from_millis(50),
        ..plain_options(&clock)
    };
    let issuer = Issuer::new(Arc::new(Hanging), opts).unwrap();
    let err = sign(&issuer).await.unwrap_err();
    assert_eq!(store_op(&err), ("get_jwks", true, false));
    let err = issuer
        .verify("x.y.z", &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_STORE");
}

/// A store that lets one process create the key of a window (as an advisory lock or a unique
/// constraint does): it refuses our key because another process stored one first.
struct FirstWriterWinsStore {
    rows: MemoryStore,
    competitor: JwkRow,
}

#[async_trait]
impl KeyStore for FirstWriterWinsStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
        self.rows.get_jwks().await
    }

    async fn create_jwk(&self, _row: JwkRow) -> Result<JwkRow, StoreError> {
        self.rows.create_jwk(self.competitor.clone()).await?;
        Err(StoreError::new(
            "create_jwk",
            "another process created the key of this window",
        ))
    }
}

#[tokio::test]
async fn refused_create_adopts_the_key_another_process_stored() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let other = SigningKey::generate(&KeyPairConfig::default()).unwrap();
    let competitor = JwkRow {
        id: "made-by-process-2".to_owned(),
        public_key: other.public_jwk().to_json(),
        private_key: other.to_private_jwk().unwrap().to_json().to_string(),
        created_at: T0_MS,
        expires_at: None,
        alg: Some("EdDSA".to_owned()),
        crv: Some("Ed25519".to_owned()),
    };
    let store = Arc::new(FirstWriterWinsStore {
        rows: MemoryStore::new(),
        competitor,
    });
    let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    let token = sign(&issuer).await.unwrap();
    assert_eq!(kid(&token), "made-by-process-2");
    assert_eq!(
        store.rows.len(),
        1,
        "only the other process's key is stored"
    );
    // rotate() asked for a new key: the refusal is its answer, nothing is adopted.
    assert_eq!(issuer.rotate().await.unwrap_err().code(), "ERR_STORE");
}

/// A row already in the store, past its `expires_at`: the issuer reads it, makes a new key.
fn expired_row(id: &str) -> JwkRow {
    let key = SigningKey::generate(&KeyPairConfig::default()).unwrap();
    JwkRow {
        id: id.into(),
        public_key: key.public_jwk().to_json(),
        private_key: key.to_private_jwk().unwrap().to_json().to_string(),
        created_at: T0_MS - 10_000,
        expires_at: Some(T0_MS - 1000),
        alg: Some("EdDSA".into()),
        crv: Some("Ed25519".into()),
    }
}

#[tokio::test]
async fn create_returning_the_id_of_a_row_just_read_is_refused_and_nothing_signed() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::with_rows(vec![expired_row("old-kid")]));
    store.script_create(CreateFault::ReturnIdWithoutStoring("old-kid"));
    let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    let err = sign(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_STORE", "{err}");
    assert_eq!(store_op(&err).0, "create_jwk");
    assert!(err.to_string().contains("old-kid"), "names the kid: {err}");
    // Nothing was cached: the sync path has no key, and the next sign makes a proper one.
    assert!(issuer
        .sign_json_with_cached_key("{}", &SignOverrides::default())
        .is_err());
    let t = sign(&issuer).await.unwrap();
    assert_ne!(kid(&t), "old-kid");
    assert_store_holds_keys_of(&store, &[t], Algorithm::EdDSA);
}

#[tokio::test]
async fn rotate_onto_the_id_of_the_current_key_is_refused() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    let t = sign(&issuer).await.unwrap();
    let current: &'static str = Box::leak(kid(&t).into_boxed_str());
    store.script_create(CreateFault::ReturnIdWithoutStoring(current));
    let err = issuer.rotate().await.unwrap_err();
    assert_eq!(err.code(), "ERR_STORE", "{err}");
    assert!(err.to_string().contains(current), "{err}");
    // The current key still signs, under its own kid, and the store still holds it.
    let again = sign(&issuer).await.unwrap();
    assert_eq!(kid(&again), current);
    assert_store_holds_keys_of(&store, &[t, again], Algorithm::EdDSA);
}

#[tokio::test]
async fn row_whose_public_key_column_holds_private_members_never_signs() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let key = SigningKey::generate(&KeyPairConfig::default()).unwrap();
    let private = key.to_private_jwk().unwrap().to_json().to_string();
    let leaky = JwkRow {
        id: "leaky".into(),
        // The whole private JWK in the public column: it would be published with its `d`.
        public_key: private.clone(),
        private_key: private,
        created_at: T0_MS - 1000,
        expires_at: None,
        alg: Some("EdDSA".into()),
        crv: Some("Ed25519".into()),
    };
    let store = Arc::new(ScriptedStore::with_rows(vec![leaky]));
    let issuer = Issuer::new(store.clone(), plain_options(&clock)).unwrap();
    let jwks_err = issuer.jwks().await.unwrap_err();
    let sign_err = sign(&issuer).await.unwrap_err();
    let pinned = SignOverrides {
        signing_key_id: Some("leaky".into()),
        ..SignOverrides::default()
    };
    let pinned_err = issuer.sign(Map::new(), &pinned).await.unwrap_err();
    for err in [&jwks_err, &sign_err, &pinned_err] {
        assert_eq!(err.code(), "ERR_JWKS_INVALID", "{err}");
        assert!(err.to_string().contains("leaky"), "names the row: {err}");
        assert!(err.to_string().contains("\"d\""), "names the member: {err}");
    }
    assert_eq!(sign_err.to_string(), jwks_err.to_string(), "one error");
    assert_eq!(store.create_calls.load(Ordering::SeqCst), 0, "no new key");
}

#[derive(Default)]
struct Events(Mutex<Vec<Value>>);

impl authjwt_core::events::EventSink for Events {
    fn on_event(&self, event: &authjwt_core::events::Event) {
        self.0.lock().unwrap().push(event.to_json());
    }
}

#[tokio::test]
async fn weak_secret_is_refused_for_sealing_unless_allowed_and_old_rows_still_open() {
    let clock = Arc::new(ManualClock::new(T0_MS));
    let store = Arc::new(ScriptedStore::default());
    for weak in ["x", "12345678", "thirty-one characters, not 32!!"] {
        assert!(weak.chars().count() < 32);
        let err = Issuer::new(store.clone(), sealed_options(&clock, &[weak]))
            .err()
            .unwrap();
        assert_eq!(err.code(), "ERR_INVALID_CONFIG", "{weak}");
        assert!(err.to_string().contains("allowWeakSecret"), "{err}");
        // (a one-letter secret is in any sentence; the longer ones are not)
        assert!(
            weak.len() == 1 || !err.to_string().contains(weak),
            "never echoes the secret: {err}"
        );
    }
    // Exactly 32 characters (not bytes: 32 × "é" is 64 bytes) is enough.
    Issuer::new(store.clone(), sealed_options(&clock, &[&"é".repeat(32)])).unwrap();
    assert!(Issuer::new(store.clone(), sealed_options(&clock, &[&"é".repeat(31)])).is_err());
    // No sealing, no rule.
    Issuer::new(
        store.clone(),
        IssuerOptions {
            secrets: vec![secret("x")],
            ..plain_options(&clock)
        },
    )
    .unwrap();

    // An existing deployment sealed under a short secret (opting out)...
    let allowed = IssuerOptions {
        allow_weak_secret: true,
        ..sealed_options(&clock, &["short"])
    };
    let legacy = Issuer::new(store.clone(), allowed).unwrap();
    let t_old = sign(&legacy).await.unwrap();
    // ...moves to a strong secret and keeps the short one for its old rows: they still open,
    // each open reported as `secret.weak` with the kid.
    let events = Arc::new(Events::default());
    let moved = Issuer::new(
        store.clone(),
        IssuerOptions {
            events: Some(events.clone()),
            ..sealed_options(&clock, &[NEW_SECRET, "short"])
        },
    )
    .unwrap();
    let t = sign(&moved).await.unwrap();
    assert_eq!(kid(&t), kid(&t_old));
    let weak: Vec<Value> = events
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "secret.weak")
        .cloned()
        .collect();
    assert_eq!(
        weak,
        vec![serde_json::json!({"type": "secret.weak", "kid": kid(&t)})]
    );
    assert_store_holds_keys_of(&store, &[t_old, t], Algorithm::EdDSA);
}
