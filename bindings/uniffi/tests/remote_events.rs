//! `RemoteKeySet` through the exported API, as Kotlin and Swift call it: the caching options and
//! the `events` listener, against a JWKS served on 127.0.0.1 by the test.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use authjwt_uniffi::{
    if_none_match, jwks_etag, AuthJwtEvent, EventListener, HostCallbackError, Issuer,
    IssuerOptions, MemoryStore, RemoteKeySet, RemoteKeySetOptions, SignOverrides, VerifyOptions,
};

// The loopback HTTP server of core's tests, the one copy.
#[path = "../../../core/tests/support/mod.rs"]
mod support;
use support::{Reply, Server};

#[derive(Default)]
struct Recorder(Mutex<Vec<AuthJwtEvent>>);

impl EventListener for Recorder {
    fn on_event(&self, event: AuthJwtEvent) -> Result<(), HostCallbackError> {
        self.0.lock().unwrap().push(event);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_if_error_is_reported_to_the_listener() {
    let issuer = Issuer::new(
        MemoryStore::new(),
        IssuerOptions {
            disable_private_key_encryption: true,
            ..IssuerOptions::default()
        },
    )
    .unwrap();
    let token = issuer
        .sign("{}".to_owned(), SignOverrides::default())
        .await
        .unwrap();
    let server = Server::start(
        Reply::ok(issuer.jwks().await.unwrap()).with_header("cache-control: max-age=1"),
    )
    .await;
    let recorder = Arc::new(Recorder::default());
    let remote = RemoteKeySet::new(
        server.url(),
        RemoteKeySetOptions {
            cache_min_age: 1.0,
            stale_if_error: 60.0,
            events: Some(recorder.clone()),
            ..RemoteKeySetOptions::default()
        },
    )
    .unwrap();
    remote
        .verify(token.clone(), VerifyOptions::default())
        .await
        .unwrap();
    server.set_reply(Reply::status("500 Internal Server Error"));
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the server's max-age=1
    remote
        .verify(token.clone(), VerifyOptions::default())
        .await
        .expect("the last good set verifies while the server fails");
    let events = recorder.0.lock().unwrap().clone();
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"jwks.fetched"), "{names:?}");
    let stale = events
        .iter()
        .find(|e| e.name == "jwks.stale")
        .expect("jwks.stale");
    assert_eq!(stale.code.as_deref(), Some("ERR_JWKS_UNAVAILABLE"));
    assert!(!format!("{events:?}").contains(&token));
}

#[test]
fn bounds_are_checked() {
    let err = RemoteKeySet::new(
        "https://auth.example.com/jwks".to_owned(),
        RemoteKeySetOptions {
            cache_min_age: 7200.0,
            ..RemoteKeySetOptions::default()
        },
    )
    .err()
    .map(|e| e.to_string());
    assert!(
        err.as_deref().is_some_and(|e| e.contains("cacheMinAge")),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_etag_and_if_none_match_for_serving() {
    let issuer = Issuer::new(
        MemoryStore::new(),
        IssuerOptions {
            disable_private_key_encryption: true,
            ..IssuerOptions::default()
        },
    )
    .unwrap();
    let body = issuer.jwks().await.unwrap();
    let tag = jwks_etag(body.clone());
    assert_eq!(tag, jwks_etag(body), "the same body, the same tag");
    assert!(if_none_match(tag.clone(), tag.clone()));
    assert!(if_none_match(format!("\"old\", W/{tag}"), tag.clone()));
    assert!(!if_none_match("\"old\"".to_owned(), tag.clone()));
    issuer.rotate().await.unwrap();
    assert_ne!(jwks_etag(issuer.jwks().await.unwrap()), tag);
}
