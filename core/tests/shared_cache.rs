//! Remote key sets sharing one cache (a fleet in one process): a real HTTP server on 127.0.0.1
//! counting fetches, an in-memory shared cache with an atomic claim, a manual clock.
#![cfg(feature = "remote")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

mod common;
mod support;
use common::{token, unsealed_issuer, Recorder};
use support::{Reply, Server};

use authjwt_core::clock::ManualClock;
use authjwt_core::issuer::Issuer;
use authjwt_core::remote::{
    RemoteJwks, RemoteJwksOptions, SharedCache, SharedJwksCache, SharedJwksEntry,
};
use authjwt_core::verify::VerifyOptions;
use authjwt_core::StoreError;

const T0: i64 = 1_800_000_000_000;

/// The JWKS server: `body` with `Cache-Control: max-age=100` and an ETag naming the body's
/// version (304 when a request names it).
fn jwks_reply(body: String) -> Reply {
    let tag = format!("\"v{}\"", body.len());
    let mut reply = Reply::ok(body).with_header("cache-control: max-age=100");
    reply.etag = Some(tag);
    reply
}

/// The shared storage: one entry and one claim, as a Redis key pair would hold them.
#[derive(Default)]
struct Storage {
    entry: Mutex<Option<SharedJwksEntry>>,
    claimed: AtomicBool,
    saves: AtomicUsize,
}

/// One instance's handle on the storage; `broken` makes every call fail, `hang` never answer.
struct MemoryCache {
    storage: Arc<Storage>,
    claim: bool,
    broken: bool,
    hang: bool,
}

impl MemoryCache {
    fn over(storage: &Arc<Storage>) -> SharedCache {
        SharedCache(Arc::new(MemoryCache {
            storage: storage.clone(),
            claim: true,
            broken: false,
            hang: false,
        }))
    }

    async fn fail(&self, op: &'static str) -> Result<(), StoreError> {
        if self.hang {
            std::future::pending::<()>().await;
        }
        if self.broken {
            return Err(StoreError::new(
                op,
                "connection refused (redis://user:pw@cache)",
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl SharedJwksCache for MemoryCache {
    async fn load(&self) -> Result<Option<SharedJwksEntry>, StoreError> {
        self.fail("load").await?;
        Ok(self.storage.entry.lock().unwrap().clone())
    }

    async fn save(&self, entry: &SharedJwksEntry) -> Result<(), StoreError> {
        self.fail("save").await?;
        self.storage.saves.fetch_add(1, Ordering::SeqCst);
        *self.storage.entry.lock().unwrap() = Some(entry.clone());
        Ok(())
    }

    fn supports_claim(&self) -> bool {
        self.claim
    }

    async fn try_claim(&self, _ttl: Duration) -> Result<bool, StoreError> {
        self.fail("claim").await?;
        Ok(!self.storage.claimed.swap(true, Ordering::SeqCst))
    }

    async fn release(&self) -> Result<(), StoreError> {
        self.fail("release").await?;
        self.storage.claimed.store(false, Ordering::SeqCst);
        Ok(())
    }
}

async fn jwks_body(issuers: &[&Issuer]) -> String {
    let mut keys = Vec::new();
    for i in issuers {
        keys.extend(i.jwks().await.unwrap()["keys"].as_array().unwrap().clone());
    }
    serde_json::json!({ "keys": keys }).to_string()
}

fn options(clock: &Arc<ManualClock>, cache: SharedCache) -> RemoteJwksOptions {
    RemoteJwksOptions {
        clock: clock.clone(),
        cache_min_age: Duration::from_secs(1),
        cooldown_duration: Duration::from_secs(30),
        timeout_duration: Duration::from_secs(1),
        shared_cache: Some(cache),
        ..RemoteJwksOptions::default()
    }
}

/// `n` key sets over one storage, each with its own recorder.
fn fleet(
    n: usize,
    url: &str,
    clock: &Arc<ManualClock>,
    storage: &Arc<Storage>,
) -> Vec<(RemoteJwks, Arc<Recorder>)> {
    (0..n)
        .map(|_| {
            let rec = Arc::new(Recorder::default());
            let remote = RemoteJwks::new_with_events(
                url,
                options(clock, MemoryCache::over(storage)),
                Some(rec.clone()),
            )
            .unwrap();
            (remote, rec)
        })
        .collect()
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn verify_all(fleet: &[(RemoteJwks, Arc<Recorder>)], token: &str) {
    let runs: Vec<_> = fleet
        .iter()
        .map(|(remote, _)| {
            let (remote, token) = (remote.clone(), token.to_owned());
            tokio::spawn(async move { remote.verify(&token, &VerifyOptions::default()).await })
        })
        .collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }
}

fn total(fleet: &[(RemoteJwks, Arc<Recorder>)], name: &str) -> usize {
    fleet.iter().map(|(_, rec)| rec.count(name)).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_instances_share_one_fetch_per_refresh_window() {
    let iss = unsealed_issuer().await;
    let server = Server::start(jwks_reply(jwks_body(&[&iss]).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let storage = Arc::new(Storage::default());
    let fleet = fleet(10, &server.url(), &clock, &storage);
    let t = token(&iss).await;

    // Cold: all ten at once; one claims and fetches, the others wait for its entry.
    verify_all(&fleet, &t).await;
    assert_eq!(server.count(), 1, "one cold fetch for the fleet");
    assert_eq!(total(&fleet, "jwks.cache_loaded"), 9);

    for window in 1..=5 {
        // 85 s into the 100 s lifetime: within the 20 s refresh lead.
        clock.advance_ms(85_000);
        verify_all(&fleet, &t).await;
        // Each instance's background refresh either fetched (the claimer) or adopted its entry.
        until("every instance to refresh", || {
            total(&fleet, "jwks.cache_loaded") == 9 + 9 * window
        })
        .await;
        assert_eq!(server.count(), 1 + window, "one fetch in window {window}");
        // Fresh again everywhere: no more requests in this window.
        verify_all(&fleet, &t).await;
        assert_eq!(server.count(), 1 + window);
    }
    assert_eq!(
        total(&fleet, "jwks.not_modified"),
        5,
        "refreshes revalidated"
    );
    assert_eq!(total(&fleet, "jwks.cache_failed"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_claim_instances_still_adopt_a_saved_entry() {
    let iss = unsealed_issuer().await;
    let server = Server::start(jwks_reply(jwks_body(&[&iss]).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let storage = Arc::new(Storage::default());
    let no_claim = || {
        SharedCache(Arc::new(MemoryCache {
            storage: storage.clone(),
            claim: false,
            broken: false,
            hang: false,
        }))
    };
    let t = token(&iss).await;
    for _ in 0..5 {
        let remote = RemoteJwks::new(&server.url(), options(&clock, no_claim())).unwrap();
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    }
    assert_eq!(
        server.count(),
        1,
        "later instances took the first one's entry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_entry_is_reported_and_ignored() {
    let iss = unsealed_issuer().await;
    let server = Server::start(jwks_reply(jwks_body(&[&iss]).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let t = token(&iss).await;
    for body in [
        "not json".to_owned(),
        r#"{"keys": 3}"#.to_owned(),
        "x".repeat(600 * 1024),
    ] {
        let storage = Arc::new(Storage::default());
        *storage.entry.lock().unwrap() = Some(SharedJwksEntry {
            url: server.url(),
            body,
            etag: None,
            last_modified: None,
            fetched_at_ms: T0,
            lifetime_ms: 100_000,
        });
        let rec = Arc::new(Recorder::default());
        let remote = RemoteJwks::new_with_events(
            &server.url(),
            options(&clock, MemoryCache::over(&storage)),
            Some(rec.clone()),
        )
        .unwrap();
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
        assert!(rec
            .json()
            .iter()
            .any(|e| e["type"] == "jwks.cache_rejected" && e["reason"] == "invalid_body"));
        // The key set fetched for itself and put a good entry in the cache's place.
        let saved = storage.entry.lock().unwrap().clone().unwrap();
        assert!(
            saved.body.starts_with(r#"{"keys":["#),
            "{}",
            &saved.body[..20]
        );
    }
    assert_eq!(server.count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_or_hanging_cache_never_fails_verification() {
    let iss = unsealed_issuer().await;
    let server = Server::start(jwks_reply(jwks_body(&[&iss]).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let t = token(&iss).await;
    for (broken, hang) in [(true, false), (false, true)] {
        let rec = Arc::new(Recorder::default());
        let cache = SharedCache(Arc::new(MemoryCache {
            storage: Arc::default(),
            claim: true,
            broken,
            hang,
        }));
        let remote =
            RemoteJwks::new_with_events(&server.url(), options(&clock, cache), Some(rec.clone()))
                .unwrap();
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
        let failed: Vec<Value> = rec
            .json()
            .into_iter()
            .filter(|e| e["type"] == "jwks.cache_failed")
            .collect();
        let ops: Vec<&str> = failed
            .iter()
            .map(|e| e["operation"].as_str().unwrap())
            .collect();
        assert_eq!(
            ops,
            ["load", "claim", "save"],
            "broken {broken} hang {hang}"
        );
        for e in &failed {
            assert!(!e.to_string().contains("pw"), "no cache credentials: {e}");
        }
    }
    assert_eq!(server.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_for_another_url_is_ignored() {
    let (ours, theirs) = (unsealed_issuer().await, unsealed_issuer().await);
    let server = Server::start(jwks_reply(jwks_body(&[&ours]).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let storage = Arc::new(Storage::default());
    *storage.entry.lock().unwrap() = Some(SharedJwksEntry {
        url: "https://elsewhere.example/jwks".into(),
        body: jwks_body(&[&theirs]).await,
        etag: None,
        last_modified: None,
        fetched_at_ms: T0,
        lifetime_ms: 100_000,
    });
    let rec = Arc::new(Recorder::default());
    let remote = RemoteJwks::new_with_events(
        &server.url(),
        options(&clock, MemoryCache::over(&storage)),
        Some(rec.clone()),
    )
    .unwrap();
    remote
        .verify(&token(&ours).await, &VerifyOptions::default())
        .await
        .unwrap();
    assert_eq!(server.count(), 1);
    assert!(rec
        .json()
        .iter()
        .any(|e| e["type"] == "jwks.cache_rejected" && e["reason"] == "other_url"));
    let err = remote
        .verify(&token(&theirs).await, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kid_is_fetched_once_for_the_fleet() {
    let (old, new) = (unsealed_issuer().await, unsealed_issuer().await);
    let server = Server::start(jwks_reply(jwks_body(&[&old]).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let storage = Arc::new(Storage::default());
    let fleet = fleet(5, &server.url(), &clock, &storage);
    verify_all(&fleet, &token(&old).await).await;
    assert_eq!(server.count(), 1);

    // The server publishes a new key; a token signed with it reaches every instance.
    server.set_reply(jwks_reply(jwks_body(&[&old, &new]).await));
    clock.advance_ms(31_000);
    let fresh = token(&new).await;
    verify_all(&fleet, &fresh).await;
    assert_eq!(
        server.count(),
        2,
        "one fetch for the unknown kid, fleet-wide"
    );

    // Still unknown after that fetch: refused, within the cooldown, without a request.
    let unknown = token(&unsealed_issuer().await).await;
    for (remote, _) in &fleet {
        let err = remote
            .verify(&unknown, &VerifyOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    }
    assert_eq!(server.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_that_is_never_released_delays_a_cold_instance_only_boundedly() {
    let iss = unsealed_issuer().await;
    let server = Server::start(jwks_reply(jwks_body(&[&iss]).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let storage = Arc::new(Storage::default());
    // A claimer that died holding the claim (this cache never lets it expire).
    storage.claimed.store(true, Ordering::SeqCst);
    let remote =
        RemoteJwks::new(&server.url(), options(&clock, MemoryCache::over(&storage))).unwrap();
    remote
        .verify(&token(&iss).await, &VerifyOptions::default())
        .await
        .unwrap();
    assert_eq!(
        server.count(),
        1,
        "it fetched itself after the claim's lifetime"
    );
    assert_eq!(storage.saves.load(Ordering::SeqCst), 1);
}
