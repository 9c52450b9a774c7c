//! The loopback HTTP/1.1 server of the tests that fetch key sets and discovery documents: one copy
//! for every test file that needs one. In core/tests: `mod support;` then `use support::{Reply,
//! Server};`. Other crates' tests (bindings/uniffi) include this file with
//! `#[path = "../../../core/tests/support/mod.rs"] mod support;`, so it needs nothing but tokio
//! (`net`, `io-util`, `sync`, `time`, `rt`) and std.
//!
//! A [`Server`] listens on 127.0.0.1 (an ephemeral port, or a given one), reads each request's
//! head, records it, and answers with the [`Reply`] routed for the request target (see
//! [`Server::route`]) or else its default reply, then closes the connection. It stops when dropped.
#![allow(dead_code)] // each test file uses the part it needs

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// What the server answers: status line, extra headers, body, delay before answering; with an
/// `etag`, a request whose `If-None-Match` names it gets `304 Not Modified` (same headers, no body).
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: &'static str,
    pub headers: Vec<String>,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Whether a `content-length` header is sent (without it the body ends at the close).
    pub content_length: bool,
    pub etag: Option<String>,
}

impl Reply {
    /// `200 OK` with a JSON `body`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Reply::new("200 OK", body)
    }

    /// `status` (e.g. `"503 Service Unavailable"`) with a JSON `body`.
    pub fn new(status: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec!["content-type: application/json".into()],
            body: body.into(),
            delay: Duration::ZERO,
            content_length: true,
            etag: None,
        }
    }

    /// `status` with an empty body.
    pub fn status(status: &'static str) -> Self {
        Reply::new(status, "")
    }

    /// `404 Not Found`, empty: the default of a server that answers only its routes.
    pub fn not_found() -> Self {
        Reply::status("404 Not Found")
    }

    /// `301 Moved Permanently` to `location`.
    pub fn moved_to(location: &str) -> Self {
        Reply::status("301 Moved Permanently").with_header(&format!("location: {location}"))
    }

    /// The same reply with one more header line (`"name: value"`).
    pub fn with_header(mut self, header: &str) -> Self {
        self.headers.push(header.to_owned());
        self
    }
}

/// While set, requests wait for permits before they are answered (to catch anyone who waits).
type Gate = Arc<Mutex<Option<Arc<Semaphore>>>>;

/// A real HTTP/1.1 server on 127.0.0.1 (see the module text).
pub struct Server {
    pub port: u16,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// A server on an ephemeral port answering `reply` to every request not routed elsewhere.
    pub async fn start(reply: Reply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, reply)
    }

    /// The same on `port` (to bring a server back where a key set already points).
    pub async fn start_on(port: u16, reply: Reply) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        Self::serve(listener, reply)
    }

    fn serve(listener: TcpListener, reply: Reply) -> Server {
        let shared = Shared {
            requests: Arc::default(),
            reply: Arc::new(Mutex::new(reply)),
            routes: Arc::default(),
            heads: Arc::default(),
            paths: Arc::default(),
            gate: Arc::default(),
        };
        let port = listener.local_addr().unwrap().port();
        let connections = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(connections.clone().answer(sock));
            }
        });
        Server { port, shared, task }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:<port>/jwks` (any unrouted path gets the default reply).
    pub fn url(&self) -> String {
        format!("{}/jwks", self.origin())
    }

    /// Answers requests for exactly `path` (the request target) with `status` and `body`.
    pub fn route(&self, path: &str, status: &'static str, body: impl Into<Vec<u8>>) {
        self.route_reply(path, Reply::new(status, body));
    }

    /// Answers requests for exactly `path` with `reply`.
    pub fn route_reply(&self, path: &str, reply: Reply) {
        self.shared
            .routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), reply);
    }

    /// Replaces the default reply.
    pub fn set_reply(&self, reply: Reply) {
        *self.shared.reply.lock().unwrap() = reply;
    }

    /// How many requests arrived (each on its own connection).
    pub fn count(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The request heads seen, lowercased.
    pub fn heads(&self) -> Vec<String> {
        self.shared.heads.lock().unwrap().clone()
    }

    /// The request targets seen, in order.
    pub fn paths(&self) -> Vec<String> {
        self.shared.paths.lock().unwrap().clone()
    }

    /// Holds every request from now on until [`Server::release`].
    pub fn hold(&self) {
        *self.shared.gate.lock().unwrap() = Some(Arc::new(Semaphore::new(0)));
    }

    /// Answers the held requests and stops holding.
    pub fn release(&self) {
        if let Some(gate) = self.shared.gate.lock().unwrap().take() {
            gate.add_permits(Semaphore::MAX_PERMITS / 2);
        }
    }

    /// Stops listening: later connections are refused.
    pub async fn stop(&mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What each connection's task shares with the [`Server`].
#[derive(Clone)]
struct Shared {
    requests: Arc<AtomicUsize>,
    reply: Arc<Mutex<Reply>>,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    heads: Arc<Mutex<Vec<String>>>,
    paths: Arc<Mutex<Vec<String>>>,
    gate: Gate,
}

impl Shared {
    async fn answer(self, mut sock: tokio::net::TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 1024];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let raw = String::from_utf8_lossy(&buf);
        let path = raw.split(' ').nth(1).unwrap_or("").to_owned();
        let head = raw.to_ascii_lowercase();
        self.heads.lock().unwrap().push(head.clone());
        self.paths.lock().unwrap().push(path.clone());
        self.requests.fetch_add(1, Ordering::SeqCst);
        let held = self.gate.lock().unwrap().clone();
        if let Some(gate) = held {
            let _ = gate.acquire().await.map(|p| p.forget());
        }
        let routed = self.routes.lock().unwrap().get(&path).cloned();
        let mut reply = routed.unwrap_or_else(|| self.reply.lock().unwrap().clone());
        if let Some(tag) = reply.etag.clone() {
            if head.contains(&format!("if-none-match: {}", tag.to_ascii_lowercase())) {
                reply.status = "304 Not Modified";
                reply.body.clear();
            }
            reply.headers.push(format!("etag: {tag}"));
        }
        tokio::time::sleep(reply.delay).await;
        let mut out = format!("HTTP/1.1 {}\r\nconnection: close\r\n", reply.status);
        for h in &reply.headers {
            out.push_str(h);
            out.push_str("\r\n");
        }
        if reply.content_length {
            out.push_str(&format!("content-length: {}\r\n", reply.body.len()));
        }
        out.push_str("\r\n");
        let _ = sock.write_all(out.as_bytes()).await;
        let _ = sock.write_all(&reply.body).await;
        let _ = sock.shutdown().await;
    }
}
