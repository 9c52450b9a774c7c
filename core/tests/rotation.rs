//! Rotation that no verifier notices (issue 19): the next key is published `rotationLead` before
//! it signs, signing switches exactly at the current key's expiry, two issuers on one store
//! switch at the same instant, a failing store during preparation fails no `sign`, rotated-away
//! keys retire, revoked keys leave at once. A manual clock: nothing waits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

mod common;
use common::Recorder;

use authjwt_core::clock::ManualClock;
use authjwt_core::events::EventSink;
use authjwt_core::issuer::{Issuer, IssuerOptions, SignOverrides};
use authjwt_core::store::{JwkRow, JwkUpdate, KeyStore, MemoryStore};
use authjwt_core::verify::VerifyOptions;
use authjwt_core::StoreError;

const T0_MS: i64 = 1_800_000_000_000;
const INTERVAL_S: i64 = 3600;
const LEAD_S: i64 = 600;

/// A shared store whose callbacks can be made to fail, and whose update callback can be absent.
struct Store {
    rows: MemoryStore,
    fail_create: AtomicBool,
    fail_get: AtomicBool,
    with_update: bool,
}

impl Store {
    fn new(with_update: bool) -> Arc<Store> {
        Arc::new(Store {
            rows: MemoryStore::new(),
            fail_create: AtomicBool::new(false),
            fail_get: AtomicBool::new(false),
            with_update,
        })
    }
}

#[async_trait]
impl KeyStore for Store {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, StoreError> {
        if self.fail_get.load(Ordering::SeqCst) {
            return Err(StoreError::new("get_jwks", "database down"));
        }
        self.rows.get_jwks().await
    }
    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, StoreError> {
        if self.fail_create.load(Ordering::SeqCst) {
            return Err(StoreError::new("create_jwk", "database down"));
        }
        self.rows.create_jwk(row).await
    }
    fn can_update(&self) -> bool {
        self.with_update
    }
    async fn update_jwk(&self, id: &str, update: JwkUpdate) -> Result<(), StoreError> {
        self.rows.update_jwk(id, update).await
    }
}

fn issuer_on(
    store: &Arc<Store>,
    clock: &Arc<ManualClock>,
    events: Option<Arc<Recorder>>,
    interval: Option<i64>,
) -> Issuer {
    let options = IssuerOptions {
        disable_private_key_encryption: true,
        rotation_interval: interval,
        rotation_lead: Some(LEAD_S),
        clock: clock.clone(),
        events: events.map(|e| e as Arc<dyn EventSink>),
        ..IssuerOptions::default()
    };
    Issuer::new(store.clone(), options).unwrap()
}

async fn kid_of_next_token(issuer: &Issuer) -> String {
    let token = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    let h = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

async fn published_kids(issuer: &Issuer) -> Vec<String> {
    let jwks = issuer.jwks().await.unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn next_key_is_published_the_lead_before_it_signs_and_signs_exactly_at_expiry() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let issuer = issuer_on(&store, &clock, None, Some(INTERVAL_S));
    let first = kid_of_next_token(&issuer).await;
    let expiry = T0_MS + INTERVAL_S * 1000;

    // Just before the lead: nothing is due.
    clock.set_ms(expiry - LEAD_S * 1000 - 1);
    assert!(issuer.prepare_next_key().await.unwrap().is_none());
    assert_eq!(published_kids(&issuer).await, [first.as_str()]);

    clock.set_ms(expiry - LEAD_S * 1000);
    let next = issuer.prepare_next_key().await.unwrap().expect("next key");
    assert_eq!(next.created_at, expiry - LEAD_S * 1000);
    assert_eq!(next.expires_at, Some(expiry + INTERVAL_S * 1000));
    let kids = published_kids(&issuer).await;
    assert!(kids.contains(&first) && kids.contains(&next.id), "{kids:?}");
    assert_eq!(kid_of_next_token(&issuer).await, first);

    clock.set_ms(expiry - 1);
    assert_eq!(kid_of_next_token(&issuer).await, first);
    clock.set_ms(expiry);
    assert_eq!(kid_of_next_token(&issuer).await, next.id);
    // The old key stays published for the grace period after its expiry.
    assert!(published_kids(&issuer).await.contains(&first));
}

#[tokio::test]
async fn sign_prepares_the_next_key_in_the_background_and_reports_it() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let rec = Arc::new(Recorder::default());
    let issuer = issuer_on(&store, &clock, Some(rec.clone()), Some(INTERVAL_S));
    let first = kid_of_next_token(&issuer).await;
    clock.set_ms(T0_MS + (INTERVAL_S - LEAD_S) * 1000);
    assert_eq!(kid_of_next_token(&issuer).await, first);
    // The background task runs on this runtime; yield until it stored the key.
    for _ in 0..10_000 {
        if store.rows.len() == 2 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(store.rows.len(), 2);
    for _ in 0..10_000 {
        if rec.names().contains(&"key.published") {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(rec.names().contains(&"key.published"), "{:?}", rec.names());
    // One next key, however many signs follow.
    for _ in 0..5 {
        kid_of_next_token(&issuer).await;
        tokio::task::yield_now().await;
    }
    assert_eq!(store.rows.len(), 2);
}

#[tokio::test]
async fn the_prepared_next_key_is_kept_across_cache_refreshes_of_the_lead() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let issuer = issuer_on(&store, &clock, None, Some(INTERVAL_S));
    let first = kid_of_next_token(&issuer).await;
    let expiry = T0_MS + INTERVAL_S * 1000;
    clock.set_ms(expiry - LEAD_S * 1000);
    let next = issuer.prepare_next_key().await.unwrap();
    let next = match next {
        Some(row) => row,
        // A background preparation from the sign above got there first.
        None => store
            .rows
            .rows()
            .into_iter()
            .find(|r| r.id != first)
            .unwrap(),
    };
    // Re-reads of the store during the lead (past keyCacheTtl, at most lead / 4) keep the
    // prepared successor: nothing is due again, so the key is neither stored nor opened twice.
    for step in 1..=3 {
        clock.set_ms(expiry - LEAD_S * 1000 + step * (LEAD_S * 1000 / 4 + 1000));
        assert_eq!(kid_of_next_token(&issuer).await, first);
        assert!(issuer.prepare_next_key().await.unwrap().is_none());
    }
    assert_eq!(store.rows.len(), 2);
    clock.set_ms(expiry);
    assert_eq!(kid_of_next_token(&issuer).await, next.id);
}

#[tokio::test]
async fn two_issuers_on_one_store_switch_at_the_same_token_boundary() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let a = issuer_on(&store, &clock, None, Some(INTERVAL_S));
    let b = issuer_on(&store, &clock, None, Some(INTERVAL_S));
    let first = kid_of_next_token(&a).await;
    assert_eq!(kid_of_next_token(&b).await, first);
    let expiry = T0_MS + INTERVAL_S * 1000;
    clock.set_ms(expiry - LEAD_S * 1000 + 5);
    let next = a.prepare_next_key().await.unwrap().unwrap();
    // b adopts the key a stored instead of making its own.
    let adopted = b.prepare_next_key().await.unwrap().unwrap();
    assert_eq!(adopted.id, next.id);
    assert_eq!(store.rows.len(), 2);
    clock.set_ms(expiry - 1);
    assert_eq!(kid_of_next_token(&a).await, first);
    assert_eq!(kid_of_next_token(&b).await, first);
    clock.set_ms(expiry);
    assert_eq!(kid_of_next_token(&a).await, next.id);
    assert_eq!(kid_of_next_token(&b).await, next.id);
}

#[tokio::test]
async fn a_failing_store_during_preparation_fails_no_sign_while_the_current_key_lives() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let rec = Arc::new(Recorder::default());
    let issuer = issuer_on(&store, &clock, Some(rec.clone()), Some(INTERVAL_S));
    let first = kid_of_next_token(&issuer).await;
    store.fail_create.store(true, Ordering::SeqCst);
    let expiry = T0_MS + INTERVAL_S * 1000;
    clock.set_ms(expiry - LEAD_S * 1000);
    let err = issuer.prepare_next_key().await.unwrap_err();
    assert_eq!(err.code(), "ERR_STORE");
    assert!(rec.names().contains(&"key.preparation_failed"));
    // Every sign of the lead goes on with the current key, also while background attempts fail.
    for step in 0..10 {
        clock.set_ms(expiry - LEAD_S * 1000 + step * 59_000);
        assert_eq!(kid_of_next_token(&issuer).await, first);
        tokio::task::yield_now().await;
    }
    // The store recovers: the next attempt (after the backoff) stores the key.
    store.fail_create.store(false, Ordering::SeqCst);
    let prepared = issuer.prepare_next_key().await.unwrap();
    // A background attempt started by one of the signs above may have stored it first; then
    // nothing is due any more and the key is the one row besides the first.
    let rows = store.rows.rows();
    assert_eq!(rows.len(), 2);
    let next = rows.into_iter().find(|r| r.id != first).unwrap();
    if let Some(row) = prepared {
        assert_eq!(row.id, next.id);
    }
    clock.set_ms(expiry);
    assert_eq!(kid_of_next_token(&issuer).await, next.id);
}

#[tokio::test]
async fn rotate_signs_now_and_retires_the_old_key_in_every_process() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let rec = Arc::new(Recorder::default());
    let a = issuer_on(&store, &clock, Some(rec.clone()), None);
    let b = issuer_on(&store, &clock, None, None);
    let old = kid_of_next_token(&a).await;
    clock.advance_ms(1000);
    let new = a.rotate().await.unwrap();
    assert_eq!(kid_of_next_token(&a).await, new.id);
    // b reads the rows afresh (a new process) and picks the same key from them alone.
    let c = issuer_on(&store, &clock, None, None);
    assert_eq!(kid_of_next_token(&c).await, new.id);
    let old_row = store.rows.rows().into_iter().find(|r| r.id == old).unwrap();
    assert_eq!(old_row.expires_at, Some(T0_MS + 1000));
    assert!(rec.names().contains(&"key.retired"));
    // Gone from the JWKS after the grace period (30 days by default).
    clock.advance_ms(30 * 24 * 3600 * 1000);
    let kids = published_kids(&b).await;
    assert_eq!(kids, [new.id.as_str()]);
}

#[tokio::test]
async fn rotate_without_the_update_callback_says_what_stays_published() {
    let store = Store::new(false);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let rec = Arc::new(Recorder::default());
    let issuer = issuer_on(&store, &clock, Some(rec.clone()), None);
    let old = kid_of_next_token(&issuer).await;
    let new = issuer.rotate().await.unwrap();
    assert_eq!(kid_of_next_token(&issuer).await, new.id);
    let events = rec.events();
    let unrecorded = events
        .iter()
        .find(|e| e.name() == "key.retirement_unrecorded")
        .expect("event");
    assert_eq!(unrecorded.to_json()["kid"], old.as_str());
    assert_eq!(unrecorded.to_json()["published_until_ms"], Value::Null);
    assert_eq!(unrecorded.to_json()["reason"], "no_update_callback");
}

#[tokio::test]
async fn staged_rotation_publishes_now_and_signs_after_the_lead_everywhere() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let a = issuer_on(&store, &clock, None, None);
    let b = issuer_on(&store, &clock, None, None);
    let old = kid_of_next_token(&a).await;
    assert_eq!(kid_of_next_token(&b).await, old);
    clock.advance_ms(1000);
    let staged = a.rotate_staged().await.unwrap();
    let switch = T0_MS + 1000 + LEAD_S * 1000;
    assert!(published_kids(&a).await.contains(&staged.id));
    // b reads the store within a quarter of the lead (key cache TTL capped by the lead).
    clock.set_ms(T0_MS + 1000 + LEAD_S * 1000 / 4);
    assert!(published_kids(&b).await.contains(&staged.id));
    clock.set_ms(switch - 1);
    assert_eq!(kid_of_next_token(&a).await, old);
    assert_eq!(kid_of_next_token(&b).await, old);
    clock.set_ms(switch);
    assert_eq!(kid_of_next_token(&a).await, staged.id);
    assert_eq!(kid_of_next_token(&b).await, staged.id);
    let old_row = store.rows.rows().into_iter().find(|r| r.id == old).unwrap();
    assert_eq!(old_row.expires_at, Some(switch));
}

#[tokio::test]
async fn the_first_key_of_an_empty_store_signs_at_once_even_with_a_lead() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let issuer = issuer_on(&store, &clock, None, Some(INTERVAL_S));
    let kid = kid_of_next_token(&issuer).await;
    assert_eq!(store.rows.rows()[0].id, kid);
    assert_eq!(store.rows.rows()[0].created_at, T0_MS);
}

#[tokio::test]
async fn revoking_the_signing_key_removes_it_at_once_and_the_next_key_takes_over() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let rec = Arc::new(Recorder::default());
    let issuer = issuer_on(&store, &clock, Some(rec.clone()), Some(INTERVAL_S));
    let first = kid_of_next_token(&issuer).await;
    let token = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    clock.set_ms(T0_MS + (INTERVAL_S - LEAD_S) * 1000);
    let next = issuer.prepare_next_key().await.unwrap().unwrap();
    issuer.revoke(&first).await.unwrap();
    assert_eq!(published_kids(&issuer).await, [next.id.as_str()]);
    assert_eq!(kid_of_next_token(&issuer).await, next.id);
    let err = issuer
        .verify(&token, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert!(rec.names().contains(&"key.revoked"));
    // Another process reading the rows never signs with it either.
    let other = issuer_on(&store, &clock, None, Some(INTERVAL_S));
    assert_eq!(kid_of_next_token(&other).await, next.id);
}

#[tokio::test]
async fn revoking_an_old_key_leaves_the_signing_key_alone() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let issuer = issuer_on(&store, &clock, None, None);
    let old = kid_of_next_token(&issuer).await;
    let new = issuer.rotate().await.unwrap();
    assert_eq!(published_kids(&issuer).await.len(), 2);
    issuer.revoke(&old).await.unwrap();
    assert_eq!(published_kids(&issuer).await, [new.id.as_str()]);
    assert_eq!(kid_of_next_token(&issuer).await, new.id);
    let err = issuer.revoke("no-such-kid").await.unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
}

#[tokio::test]
async fn revoke_without_the_update_callback_is_invalid_config_naming_it() {
    let store = Store::new(false);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let issuer = issuer_on(&store, &clock, None, None);
    let kid = kid_of_next_token(&issuer).await;
    let err = issuer.revoke(&kid).await.unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_CONFIG");
    assert!(err.to_string().contains("update_jwk"), "{err}");
}

#[tokio::test]
async fn jwks_max_age_is_at_most_half_the_lead() {
    let store = Store::new(true);
    let clock = Arc::new(ManualClock::new(T0_MS));
    let issuer = issuer_on(&store, &clock, None, Some(INTERVAL_S));
    assert_eq!(
        issuer.jwks_cache_control(),
        "public, max-age=300, stale-while-revalidate=60"
    );
    let short = Issuer::new(
        store.clone(),
        IssuerOptions {
            disable_private_key_encryption: true,
            rotation_interval: Some(60),
            clock: clock.clone(),
            ..IssuerOptions::default()
        },
    )
    .unwrap();
    // Default lead = half the interval (30 s): max-age 15 s.
    assert_eq!(short.rotation_lead(), 30);
    assert_eq!(
        short.jwks_cache_control(),
        "public, max-age=15, stale-while-revalidate=3"
    );
}

#[tokio::test]
async fn a_lead_not_below_the_interval_is_invalid_config() {
    let store = Store::new(true);
    for (lead, interval) in [(3600, Some(3600)), (-1, None)] {
        let err = Issuer::new(
            store.clone(),
            IssuerOptions {
                disable_private_key_encryption: true,
                rotation_interval: interval,
                rotation_lead: Some(lead),
                ..IssuerOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_CONFIG");
        assert!(err.to_string().contains("rotationLead"), "{err}");
    }
}

#[test]
fn a_fraction_of_a_second_in_a_lifecycle_duration_is_refused_not_floored() {
    use authjwt_core::config::lifecycle_seconds_from_json;
    for name in ["rotationLead", "rotationInterval", "gracePeriod"] {
        let err = lifecycle_seconds_from_json(&serde_json::json!(0.5), name).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_CONFIG");
        assert!(err.to_string().contains(name), "{err}");
        assert_eq!(
            lifecycle_seconds_from_json(&serde_json::json!(30), name).unwrap(),
            30
        );
        assert_eq!(
            lifecycle_seconds_from_json(&serde_json::json!(30.0), name).unwrap(),
            30
        );
        assert_eq!(
            lifecycle_seconds_from_json(&serde_json::json!("15m"), name).unwrap(),
            900
        );
    }
}
