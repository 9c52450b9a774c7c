//! Identity-provider-shaped JWKS documents (tests/conformance/idp-jwks, shared with every host):
//! each set's usable keys verify the tokens node:crypto signed with them, through a local key set
//! and through a remote one served by a real HTTP server on 127.0.0.1; its unusable keys are
//! skipped and reported once (for the remote set too, as `jwks.key_skipped` events); a token naming a skipped key is ERR_JWKS_NO_MATCHING_KEY.
#![cfg(feature = "remote")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use authjwt_core::events::{Event, EventSink};
use authjwt_core::jwks::KeySet;
use authjwt_core::remote::{RemoteJwks, RemoteJwksOptions};
use authjwt_core::verify::{verify_jwt, VerifyOptions};

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

/// A server on 127.0.0.1 answering `GET /<name>` with that fixture's JWKS, counting requests.
async fn serve(docs: Vec<(String, String)>) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    let docs = Arc::new(docs);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let docs = docs.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let head = String::from_utf8_lossy(&head);
                let path = head.split_whitespace().nth(1).unwrap_or("");
                let reply = match docs.iter().find(|(n, _)| path == format!("/{n}")) {
                    Some((_, body)) => format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                    None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .to_owned(),
                };
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    (port, requests)
}

#[tokio::test]
async fn every_idp_set_verifies_its_tokens_through_a_remote_key_set() {
    let fixtures = fixtures();
    let docs = fixtures
        .iter()
        .map(|(name, f)| (name.clone(), f["jwks"].to_string()))
        .collect();
    let (port, requests) = serve(docs).await;
    for (name, fixture) in &fixtures {
        let url = format!("http://127.0.0.1:{port}/{name}");
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
    assert!(requests.load(Ordering::SeqCst) >= fixtures.len());
}
