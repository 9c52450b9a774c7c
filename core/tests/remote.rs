//! RemoteJwks against a real HTTP/1.1 server on 127.0.0.1 (ephemeral port) started by each test,
//! counting the requests it sees.
#![cfg(feature = "remote")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Map;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use authjwt_core::events::{Event, EventSink};
use authjwt_core::issuer::{Issuer, IssuerOptions, SignOverrides};
use authjwt_core::remote::{RemoteJwks, RemoteJwksOptions};
use authjwt_core::store::MemoryStore;
use authjwt_core::verify::VerifyOptions;

/// What the server answers: status line, extra headers, body, delay before answering.
#[derive(Clone)]
struct Reply {
    status: &'static str,
    headers: Vec<String>,
    body: Vec<u8>,
    delay: Duration,
    content_length: bool,
}

impl Reply {
    fn ok(body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status: "200 OK",
            headers: vec!["content-type: application/json".into()],
            body: body.into(),
            delay: Duration::ZERO,
            content_length: true,
        }
    }
}

struct Server {
    port: u16,
    requests: Arc<AtomicUsize>,
    reply: Arc<Mutex<Reply>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(reply: Reply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, reply)
    }

    async fn start_on(port: u16, reply: Reply) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        Self::serve(listener, reply)
    }

    fn serve(listener: TcpListener, reply: Reply) -> Server {
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let reply = Arc::new(Mutex::new(reply));
        let (r, c) = (reply.clone(), requests.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (r, c) = (r.clone(), c.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    c.fetch_add(1, Ordering::SeqCst);
                    // `/old` is moved to `/jwks` on the same origin.
                    let reply = if buf.starts_with(b"GET /old ") {
                        Reply {
                            status: "301 Moved Permanently",
                            headers: vec!["location: /jwks".into()],
                            ..Reply::ok("")
                        }
                    } else {
                        r.lock().unwrap().clone()
                    };
                    tokio::time::sleep(reply.delay).await;
                    let mut head = format!("HTTP/1.1 {}\r\nconnection: close\r\n", reply.status);
                    for h in &reply.headers {
                        head.push_str(h);
                        head.push_str("\r\n");
                    }
                    if reply.content_length {
                        head.push_str(&format!("content-length: {}\r\n", reply.body.len()));
                    }
                    head.push_str("\r\n");
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(&reply.body).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Server {
            port,
            requests,
            reply,
            task,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/jwks", self.port)
    }

    fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn set_reply(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn issuer() -> Issuer {
    let opts = IssuerOptions {
        disable_private_key_encryption: true,
        ..IssuerOptions::default()
    };
    Issuer::new(Arc::new(MemoryStore::new()), opts).unwrap()
}

async fn token(issuer: &Issuer) -> String {
    issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap()
}

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
    let iss = issuer().await;
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
    let iss = issuer().await;
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
    let known = issuer().await;
    let server = Server::start(Reply::ok(jwks_body(&known).await)).await;
    let remote = RemoteJwks::new(&server.url(), RemoteJwksOptions::default()).unwrap();
    let stranger = issuer().await;
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
    let a = issuer().await;
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
    let iss = issuer().await;
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
    let iss = issuer().await;
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
    let iss = issuer().await;
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
    let iss = issuer().await;
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
    let iss = issuer().await;
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
    let a = issuer().await;
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
    let unknown = token(&issuer().await).await;
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
    let iss = issuer().await;
    let target = Server::start(Reply::ok(jwks_body(&iss).await)).await;
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

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);
impl EventSink for Recorder {
    fn on_event(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_and_failures_are_reported_as_events() {
    let iss = issuer().await;
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
    let events = rec.0.lock().unwrap().clone();
    let names: Vec<&str> = events.iter().map(Event::name).collect();
    assert_eq!(names, ["jwks.fetched", "token.verified"]);
    assert!(matches!(&events[0], Event::JwksFetched { keys: 1, .. }));
    assert!(!format!("{events:?}").contains(&t));
}
