//! Identity-provider-shaped JWKS documents (tests/conformance/idp-jwks, shared with every host):
//! each set's usable keys verify the tokens node:crypto signed with them, through a local key set
//! and through a remote one served by a real HTTP server on 127.0.0.1; its unusable keys are
//! skipped and reported once (for the remote set too, as `jwks.key_skipped` events); a token naming a skipped key is ERR_JWKS_NO_MATCHING_KEY.
#![cfg(feature = "remote")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use authjwt_core::events::{Event, EventSink};
use authjwt_core::jwks::KeySet;
use authjwt_core::remote::{RemoteJwks, RemoteJwksOptions};
use authjwt_core::verify::{verify_jwt, VerifyOptions};

mod support;
use support::{Reply, Server};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/idp-jwks")
}

/// Every fixture named by index.json, as (name, document).
fn fixtures() -> Vec<(String, Value)> {
    let dir = fixtures_dir();
    let index: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    assert!(index.len() >= 9, "the fixture index lists every IdP shape");
    index
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
            (name, serde_json::from_str(&text).unwrap())
        })
        .collect()
}

fn options(fixture: &Value) -> VerifyOptions {
    VerifyOptions {
        issuer: Some(vec![fixture["iss"].as_str().unwrap().to_owned()]),
        audience: Some(vec![fixture["aud"].as_str().unwrap().to_owned()]),
        ..VerifyOptions::default()
    }
}

fn list<'a>(fixture: &'a Value, name: &str) -> &'a Vec<Value> {
    fixture[name].as_array().unwrap()
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Value>>);

impl EventSink for Recorder {
    fn on_event(&self, event: &Event) {
        if matches!(event, Event::JwksKeySkipped { .. }) {
            self.0.lock().unwrap().push(event.to_json());
        }
    }
}

/// The skip reports as the fixtures write them: `{index, kid, reason}`.
fn reports(rec: &Recorder) -> Vec<Value> {
    rec.0
        .lock()
        .unwrap()
        .iter()
        .map(|e| serde_json::json!({"index": e["index"], "kid": e["kid"], "reason": e["reason"]}))
        .collect()
}

#[test]
fn every_idp_set_verifies_its_tokens_through_a_local_key_set() {
    for (name, fixture) in fixtures() {
        let rec = Arc::new(Recorder::default());
        let doc = fixture["jwks"].to_string();
        let keys = KeySet::from_json_reporting(&doc, Some(rec.clone())).unwrap();
        let opts = options(&fixture);
        assert!(!list(&fixture, "tokens").is_empty(), "{name}");
        for t in list(&fixture, "tokens") {
            let verified = verify_jwt(t["token"].as_str().unwrap(), &keys, &opts)
                .unwrap_or_else(|e| panic!("{name} {}: {e}", t["kid"]));
            assert_eq!(verified.protected_header["kid"], t["kid"], "{name}");
        }
        for t in list(&fixture, "rejected") {
            let err = verify_jwt(t["token"].as_str().unwrap(), &keys, &opts).unwrap_err();
            assert_eq!(
                err.code(),
                t["code"].as_str().unwrap(),
                "{name} {}",
                t["kid"]
            );
        }
        assert_eq!(reports(&rec), *list(&fixture, "skipped"), "{name}");
        let shown = format!("{:?}", rec.0.lock().unwrap());
        for key in list(&fixture["jwks"], "keys") {
            for member in ["d", "n", "x"] {
                if let Some(material) = key[member].as_str() {
                    assert!(
                        !shown.contains(material),
                        "{name}: an event shows key material"
                    );
                }
            }
        }
    }
}

#[test]
fn the_leaked_private_key_is_reported_as_such() {
    let (_, fixture) = fixtures()
        .into_iter()
        .find(|(name, _)| name == "leaked-private")
        .unwrap();
    let rec = Arc::new(Recorder::default());
    KeySet::from_json_reporting(&fixture["jwks"].to_string(), Some(rec.clone())).unwrap();
    let events = rec.0.lock().unwrap().clone();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["reason"], "private_key_published");
    assert!(events[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("SECURITY"));
}

#[tokio::test]
async fn every_idp_set_verifies_its_tokens_through_a_remote_key_set() {
    let fixtures = fixtures();
    // `GET /<name>` answers that fixture's JWKS; any other path is 404.
    let server = Server::start(Reply::not_found()).await;
    for (name, f) in &fixtures {
        server.route(&format!("/{name}"), "200 OK", f["jwks"].to_string());
    }
    for (name, fixture) in &fixtures {
        let url = format!("{}/{name}", server.origin());
        let rec = Arc::new(Recorder::default());
        let remote =
            RemoteJwks::new_with_events(&url, RemoteJwksOptions::default(), Some(rec.clone()))
                .unwrap();
        let opts = options(fixture);
        for t in list(fixture, "tokens") {
            let verified = remote
                .verify(t["token"].as_str().unwrap(), &opts)
                .await
                .unwrap_or_else(|e| panic!("{name} {}: {e}", t["kid"]));
            assert_eq!(verified.protected_header["kid"], t["kid"], "{name}");
        }
        for t in list(fixture, "rejected") {
            let err = remote
                .verify(t["token"].as_str().unwrap(), &opts)
                .await
                .unwrap_err();
            assert_eq!(
                err.code(),
                t["code"].as_str().unwrap(),
                "{name} {}",
                t["kid"]
            );
        }
        let keys = remote.key_set().await.unwrap();
        let skipped: Vec<Value> = keys
            .skipped()
            .iter()
            .map(|s| serde_json::json!({"index": s.index, "kid": s.kid, "reason": s.reason.code()}))
            .collect();
        assert_eq!(skipped, *list(fixture, "skipped"), "{name}");
        // Reported once for the document, however many verifications and refetches saw it.
        assert_eq!(reports(&rec), *list(fixture, "skipped"), "{name}: events");
    }
    assert!(server.count() >= fixtures.len());
}
