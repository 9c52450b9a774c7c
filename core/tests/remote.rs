//! RemoteJwks against a real HTTP/1.1 server on 127.0.0.1 (ephemeral port) started by each test,
//! counting the requests it sees.
#![cfg(feature = "remote")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use authjwt_core::clock::ManualClock;
use authjwt_core::events::Event;
use authjwt_core::issuer::Issuer;
use authjwt_core::remote::{RemoteJwks, RemoteJwksOptions};
use authjwt_core::verify::VerifyOptions;

mod common;
mod support;
use common::{token, unsealed_issuer, Recorder};
use support::{Reply, Server};

async fn jwks_body(issuer: &Issuer) -> String {
    issuer.jwks().await.unwrap().to_string()
}

fn opts(f: impl FnOnce(&mut RemoteJwksOptions)) -> RemoteJwksOptions {
    let mut o = RemoteJwksOptions::default();
    f(&mut o);
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caches_the_key_set_between_verifications() {
    let iss = unsealed_issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&iss).await)).await;
    let remote = RemoteJwks::new(&server.url(), RemoteJwksOptions::default()).unwrap();
    let t = token(&iss).await;
    for _ in 0..50 {
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    }
    assert_eq!(server.count(), 1);
    assert_eq!(remote.key_set().await.unwrap().len(), 1);
    remote.reload().await.unwrap();
    assert_eq!(server.count(), 2, "reload() always fetches");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_again_once_the_set_is_older_than_cache_max_age() {
    let iss = unsealed_issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&iss).await)).await;
    let remote = RemoteJwks::new(
        &server.url(),
        opts(|o| o.cache_max_age = Duration::from_millis(1)),
    )
    .unwrap();
    let t = token(&iss).await;
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooldown_holds_under_1000_concurrent_unknown_kid_tokens() {
    let known = unsealed_issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&known).await)).await;
    let remote = RemoteJwks::new(&server.url(), RemoteJwksOptions::default()).unwrap();
    let stranger = unsealed_issuer().await;
    let unknown = token(&stranger).await;
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let (remote, t) = (remote.clone(), unknown.clone());
            tokio::spawn(async move { remote.verify(&t, &VerifyOptions::default()).await })
        })
        .collect();
    for task in tasks {
        let err = task.await.unwrap().unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    }
    let seen = server.count();
    assert!((1..=2).contains(&seen), "server saw {seen} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_refetches_after_the_cooldown_and_finds_the_new_key() {
    let a = unsealed_issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&a).await)).await;
    let remote = RemoteJwks::new(
        &server.url(),
        opts(|o| o.cooldown_duration = Duration::from_millis(50)),
    )
    .unwrap();
    remote
        .verify(&token(&a).await, &VerifyOptions::default())
        .await
        .unwrap();
    // The auth server rotates: its new key appears in the JWKS.
    a.rotate().await.unwrap();
    server.set_reply(Reply::ok(jwks_body(&a).await));
    let fresh = token(&a).await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    remote
        .verify(&fresh, &VerifyOptions::default())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_server_is_err_jwks_timeout() {
    let iss = unsealed_issuer().await;
    let mut reply = Reply::ok(jwks_body(&iss).await);
    reply.delay = Duration::from_secs(5);
    let server = Server::start(reply).await;
    let remote = RemoteJwks::new(
        &server.url(),
        opts(|o| o.timeout_duration = Duration::from_millis(200)),
    )
    .unwrap();
    let err = remote
        .verify(&token(&iss).await, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_TIMEOUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_err_jwks_invalid_and_an_error_status_err_jwks_unavailable() {
    let iss = unsealed_issuer().await;
    let t = token(&iss).await;
    for (reply, code) in [
        (
            Reply::ok("{\"keys\": [ this is not json"),
            "ERR_JWKS_INVALID",
        ),
        (Reply::ok("[]"), "ERR_JWKS_INVALID"),
        (
            Reply {
                status: "500 Internal Server Error",
                ..Reply::ok(jwks_body(&iss).await)
            },
            "ERR_JWKS_UNAVAILABLE",
        ),
    ] {
        let server = Server::start(reply).await;
        let remote = RemoteJwks::new(&server.url(), RemoteJwksOptions::default()).unwrap();
        let err = remote
            .verify(&t, &VerifyOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_body_is_refused_with_or_without_content_length() {
    let iss = unsealed_issuer().await;
    let t = token(&iss).await;
    let huge = format!(
        "{{\"keys\":[],\"pad\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    for content_length in [true, false] {
        let reply = Reply {
            content_length,
            ..Reply::ok(huge.clone())
        };
        let server = Server::start(reply).await;
        let remote =
            RemoteJwks::new(&server.url(), opts(|o| o.max_response_size = 64 * 1024)).unwrap();
        let err = remote
            .verify(&t, &VerifyOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_INVALID");
        assert!(err.to_string().contains("cap"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_down_then_up_recovers_after_backoff() {
    let iss = unsealed_issuer().await;
    let t = token(&iss).await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/jwks");
    let remote = RemoteJwks::new(
        &url,
        opts(|o| o.cooldown_duration = Duration::from_millis(1000)),
    )
    .unwrap();
    let err = remote
        .verify(&t, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_UNAVAILABLE");
    let server = Server::start_on(port, Reply::ok(jwks_body(&iss).await)).await;
    // Within the backoff the failure is answered without a request.
    let err = remote
        .verify(&t, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_UNAVAILABLE");
    assert_eq!(server.count(), 0);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    assert_eq!(server.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_refresh_is_backed_off_not_retried_per_request() {
    let iss = unsealed_issuer().await;
    let server = Server::start(Reply {
        status: "503 Service Unavailable",
        ..Reply::ok("")
    })
    .await;
    let remote = RemoteJwks::new(&server.url(), RemoteJwksOptions::default()).unwrap();
    let t = token(&iss).await;
    for _ in 0..100 {
        assert_eq!(
            remote
                .verify(&t, &VerifyOptions::default())
                .await
                .unwrap_err()
                .code(),
            "ERR_JWKS_UNAVAILABLE"
        );
    }
    assert_eq!(server.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_keys_keep_serving_when_a_refresh_fails() {
    let a = unsealed_issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&a).await)).await;
    let remote = RemoteJwks::new(
        &server.url(),
        opts(|o| o.cooldown_duration = Duration::from_millis(10)),
    )
    .unwrap();
    let t = token(&a).await;
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    server.set_reply(Reply {
        status: "500 Internal Server Error",
        ..Reply::ok("")
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    let unknown = token(&unsealed_issuer().await).await;
    let err = remote
        .verify(&unknown, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert_eq!(
        server.count(),
        2,
        "the unknown kid caused one refresh, which failed"
    );
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_to_another_host_is_refused() {
    let iss = unsealed_issuer().await;
    let target = Server::start(Reply::ok(jwks_body(&iss).await)).await;
    // `/old` is moved to `/jwks` on the same origin.
    target.route_reply("/old", Reply::moved_to("/jwks"));
    let elsewhere = format!("http://localhost:{}/jwks", target.port);
    let redirect = Reply {
        status: "302 Found",
        headers: vec![format!("location: {elsewhere}")],
        ..Reply::ok("")
    };
    let server = Server::start(redirect).await;
    let remote = RemoteJwks::new(&server.url(), RemoteJwksOptions::default()).unwrap();
    let err = remote
        .verify(&token(&iss).await, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_INVALID");
    assert_eq!(target.count(), 0, "the other host was never asked");

    // The same origin is followed.
    let moved = format!("http://127.0.0.1:{}/old", target.port);
    let remote = RemoteJwks::new(&moved, RemoteJwksOptions::default()).unwrap();
    remote
        .verify(&token(&iss).await, &VerifyOptions::default())
        .await
        .unwrap();
    assert_eq!(target.count(), 2, "one redirect, one answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_and_failures_are_reported_as_events() {
    let iss = unsealed_issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&iss).await)).await;
    let rec = Arc::new(Recorder::default());
    let remote = RemoteJwks::new_with_events(
        &server.url(),
        RemoteJwksOptions::default(),
        Some(rec.clone()),
    )
    .unwrap();
    let t = token(&iss).await;
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    let events = rec.events();
    let names: Vec<&str> = events.iter().map(Event::name).collect();
    assert_eq!(names, ["jwks.fetched", "token.verified"]);
    assert!(matches!(&events[0], Event::JwksFetched { keys: 1, .. }));
    assert!(!format!("{events:?}").contains(&t));
}

// ---- HTTP caching: lifetime from Cache-Control, 304, refresh ahead, stale-if-error ----------

const T0: i64 = 1_800_000_000_000;

/// Options on a manual clock at [`T0`], with `f` applied.
fn timed(clock: &Arc<ManualClock>, f: impl FnOnce(&mut RemoteJwksOptions)) -> RemoteJwksOptions {
    opts(|o| {
        o.clock = clock.clone();
        f(o);
    })
}

/// Waits (bounded, to fail instead of hanging) until `done` holds: for work started in the
/// background, whose end the test cannot await directly.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("gave up waiting for {what}");
}

/// Bounds a verification that must not wait for the network, so a regression fails the test
/// instead of hanging it.
async fn verify_now(remote: &RemoteJwks, token: &str) -> authjwt_core::Result<()> {
    tokio::time::timeout(
        Duration::from_secs(10),
        remote.verify(token, &VerifyOptions::default()),
    )
    .await
    .expect("the verification waited for the held fetch")
    .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_max_age_sets_the_lifetime_within_the_bounds() {
    let iss = unsealed_issuer().await;
    let body = jwks_body(&iss).await;
    let t = token(&iss).await;
    // (Cache-Control sent, lifetime expected in seconds) with min 60 s, limit 3600 s, default 600 s.
    for (cache_control, lifetime) in [
        (None, 600),
        (Some("public, max-age=120"), 120),
        (Some("max-age=5"), 60),
        (Some("no-cache"), 60),
        (Some("max-age=86400"), 3600),
    ] {
        let mut reply = Reply::ok(body.clone());
        if let Some(cc) = cache_control {
            reply = reply.with_header(&format!("cache-control: {cc}"));
        }
        let server = Server::start(reply).await;
        let clock = Arc::new(ManualClock::new(T0));
        let remote = RemoteJwks::new(
            &server.url(),
            timed(&clock, |o| {
                o.cache_min_age = Duration::from_secs(60);
                o.cache_max_age_limit = Duration::from_secs(3600);
                o.cache_max_age = Duration::from_secs(600);
            }),
        )
        .unwrap();
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
        // Three quarters of the lifetime in, the set is fresh: no request at all.
        clock.set_ms(T0 + lifetime * 750);
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
        assert_eq!(
            server.count(),
            1,
            "{cache_control:?}: fresh at 3/4 of {lifetime} s"
        );
        // Just past it, the set is stale and (nothing failing) fetched before use.
        clock.set_ms(T0 + lifetime * 1000 + 1000);
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
        assert_eq!(
            server.count(),
            2,
            "{cache_control:?}: stale after {lifetime} s"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_age_above_the_limit_is_refused() {
    let err = RemoteJwks::new(
        "https://auth.example.com/jwks",
        opts(|o| {
            o.cache_min_age = Duration::from_secs(7200);
            o.cache_max_age_limit = Duration::from_secs(3600);
        }),
    )
    .unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_CONFIG");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refetch_is_conditional_and_a_304_keeps_the_keys() {
    let a = unsealed_issuer().await;
    let reply = Reply {
        etag: Some("\"v1\"".into()),
        ..Reply::ok(jwks_body(&a).await)
            .with_header("cache-control: max-age=300")
            .with_header("last-modified: Tue, 01 Dec 2026 10:00:00 GMT")
    };
    let server = Server::start(reply).await;
    let clock = Arc::new(ManualClock::new(T0));
    let rec = Arc::new(Recorder::default());
    let remote =
        RemoteJwks::new_with_events(&server.url(), timed(&clock, |_| {}), Some(rec.clone()))
            .unwrap();
    let t = token(&a).await;
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    assert!(
        !server.heads()[0].contains("if-none-match"),
        "nothing cached yet"
    );

    clock.advance_ms(301_000);
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    assert_eq!(server.count(), 2);
    let second = &server.heads()[1];
    assert!(second.contains("if-none-match: \"v1\""), "{second}");
    assert!(
        second.contains("if-modified-since: tue, 01 dec 2026 10:00:00 gmt"),
        "{second}"
    );
    assert!(
        rec.names().contains(&"jwks.not_modified"),
        "{:?}",
        rec.names()
    );
    // The 304 gave the set a new lifetime: fresh again for 300 s.
    clock.advance_ms(200_000);
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    assert_eq!(server.count(), 2);

    // The server rotates: a new document and tag, served in full to the old tag.
    a.rotate().await.unwrap();
    server.set_reply(Reply {
        etag: Some("\"v2\"".into()),
        ..Reply::ok(jwks_body(&a).await).with_header("cache-control: max-age=300")
    });
    clock.advance_ms(101_000);
    remote
        .verify(&token(&a).await, &VerifyOptions::default())
        .await
        .unwrap();
    assert_eq!(server.count(), 3);
    assert_eq!(
        rec.names().iter().filter(|n| **n == "jwks.fetched").count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_ahead_keeps_every_verification_off_the_network() {
    let iss = unsealed_issuer().await;
    let reply = Reply {
        etag: Some("\"k\"".into()),
        ..Reply::ok(jwks_body(&iss).await).with_header("cache-control: max-age=100")
    };
    let server = Server::start(reply).await;
    let clock = Arc::new(ManualClock::new(T0));
    let rec = Arc::new(Recorder::default());
    let remote = RemoteJwks::new_with_events(
        &server.url(),
        timed(&clock, |o| o.cache_min_age = Duration::from_secs(1)),
        Some(rec.clone()),
    )
    .unwrap();
    let t = token(&iss).await;
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    let refreshed = |rec: &Recorder| {
        rec.names()
            .iter()
            .filter(|n| **n == "jwks.fetched" || **n == "jwks.not_modified")
            .count()
    };
    for window in 1..=10 {
        // Every request is held from now on: a verification that waited for one would hang.
        server.hold();
        // 90 s into a 100 s lifetime: within the refresh lead (20 s), still fresh.
        clock.advance_ms(90_000);
        verify_now(&remote, &t).await.unwrap();
        until("the background refresh to reach the server", || {
            server.count() == window + 1
        })
        .await;
        for _ in 0..20 {
            verify_now(&remote, &t).await.unwrap();
        }
        assert_eq!(server.count(), window + 1, "one refresh per window");
        server.release();
        until("the background refresh to finish", || {
            refreshed(&rec) == window + 1
        })
        .await;
    }
    assert_eq!(
        server.count(),
        11,
        "the cold fetch and one refresh per window"
    );
    assert_eq!(
        rec.names()
            .iter()
            .filter(|n| **n == "jwks.not_modified")
            .count(),
        10,
        "every refresh was a revalidation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_burst_of_1000_verifications_makes_one_fetch() {
    let iss = unsealed_issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&iss).await)).await;
    // Held until every verification is queued behind the one fetch.
    server.hold();
    let remote = RemoteJwks::new(&server.url(), RemoteJwksOptions::default()).unwrap();
    let t = token(&iss).await;
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let (remote, t) = (remote.clone(), t.clone());
            tokio::spawn(async move { remote.verify(&t, &VerifyOptions::default()).await })
        })
        .collect();
    until("the first fetch", || server.count() == 1).await;
    server.release();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.count(), 1);
}

/// How a test breaks the key server.
#[derive(Clone, Copy, Debug)]
enum Outage {
    Down,
    Status500,
    Slow,
    Garbage,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_past_max_age_serves_the_last_set_for_the_stale_window_then_fails() {
    let iss = unsealed_issuer().await;
    let t = token(&iss).await;
    for (outage, code) in [
        (Outage::Down, "ERR_JWKS_UNAVAILABLE"),
        (Outage::Status500, "ERR_JWKS_UNAVAILABLE"),
        (Outage::Slow, "ERR_JWKS_TIMEOUT"),
        (Outage::Garbage, "ERR_JWKS_INVALID"),
    ] {
        let mut server = Server::start(Reply::ok(jwks_body(&iss).await)).await;
        let clock = Arc::new(ManualClock::new(T0));
        let rec = Arc::new(Recorder::default());
        let remote = RemoteJwks::new_with_events(
            &server.url(),
            timed(&clock, |o| {
                o.cache_max_age = Duration::from_secs(60);
                o.stale_if_error = Duration::from_secs(600);
                o.timeout_duration = Duration::from_millis(300);
            }),
            Some(rec.clone()),
        )
        .unwrap();
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
        match outage {
            Outage::Down => server.stop().await,
            Outage::Status500 => server.set_reply(Reply::status("500 Internal Server Error")),
            Outage::Slow => server.set_reply(Reply {
                delay: Duration::from_secs(30),
                ..Reply::ok(jwks_body(&iss).await)
            }),
            Outage::Garbage => server.set_reply(Reply::ok("{\"keys\": 7}")),
        }
        // Past max-age: the refetch fails, the last good set verifies, and it is reported.
        clock.advance_ms(61_000);
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
        let seen = rec.names();
        assert!(seen.contains(&"jwks.fetch_failed"), "{outage:?}: {seen:?}");
        assert!(seen.contains(&"jwks.stale"), "{outage:?}: {seen:?}");
        let stale = rec.events().iter().find_map(|e| match e {
            Event::JwksStale { code, .. } => Some(*code),
            _ => None,
        });
        assert_eq!(stale, Some(code), "{outage:?}");

        // Through the window, verifications never wait: retries run in the background, backed off.
        let mut at = 61_000;
        while at < 650_000 {
            at += 7_000;
            clock.set_ms(T0 + at);
            verify_now(&remote, &t).await.unwrap();
        }
        // Past lifetime + stale window (60 + 600 s): the outage is the answer.
        clock.set_ms(T0 + 661_000);
        let err = remote
            .verify(&t, &VerifyOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{outage:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_set_recovers_in_the_background_when_the_server_returns() {
    let a = unsealed_issuer().await;
    let t = token(&a).await;
    let server = Server::start(Reply::ok(jwks_body(&a).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let rec = Arc::new(Recorder::default());
    let remote = RemoteJwks::new_with_events(
        &server.url(),
        timed(&clock, |o| o.cache_max_age = Duration::from_secs(60)),
        Some(rec.clone()),
    )
    .unwrap();
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    server.set_reply(Reply::status("503 Service Unavailable"));
    clock.advance_ms(61_000);
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    assert_eq!(server.count(), 2);
    // Within the first backoff (1 s) nothing is retried, however many verifications.
    for _ in 0..50 {
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    }
    assert_eq!(server.count(), 2, "backed off");

    // The server is back; after the backoff the next verification retries in the background.
    server.set_reply(Reply::ok(jwks_body(&a).await));
    clock.advance_ms(1_000);
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    until("the background retry", || {
        rec.names().last() == Some(&"jwks.fetched")
    })
    .await;
    assert_eq!(server.count(), 3);
    // Fresh again: no more requests.
    for _ in 0..50 {
        remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    }
    assert_eq!(server.count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_if_error_zero_fails_as_soon_as_the_set_is_stale() {
    let iss = unsealed_issuer().await;
    let t = token(&iss).await;
    let server = Server::start(Reply::ok(jwks_body(&iss).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let remote = RemoteJwks::new(
        &server.url(),
        timed(&clock, |o| {
            o.cache_max_age = Duration::from_secs(60);
            o.stale_if_error = Duration::ZERO;
        }),
    )
    .unwrap();
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    server.set_reply(Reply::status("502 Bad Gateway"));
    clock.advance_ms(61_000);
    let err = remote
        .verify(&t, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_UNAVAILABLE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kid_while_stale_still_fails_within_the_cooldown() {
    let a = unsealed_issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&a).await)).await;
    let clock = Arc::new(ManualClock::new(T0));
    let remote = RemoteJwks::new(
        &server.url(),
        timed(&clock, |o| o.cache_max_age = Duration::from_secs(60)),
    )
    .unwrap();
    let t = token(&a).await;
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    server.set_reply(Reply::status("500 Internal Server Error"));
    clock.advance_ms(61_000);
    remote.verify(&t, &VerifyOptions::default()).await.unwrap();
    let stranger = token(&unsealed_issuer().await).await;
    for _ in 0..20 {
        let err = remote
            .verify(&stranger, &VerifyOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    }
    assert_eq!(
        server.count(),
        2,
        "the cooldown holds: no fetch per unknown kid"
    );
}
