//! RemoteJwks' fetch options: `HTTP_PROXY` / `NO_PROXY` from the environment, request headers,
//! and `allow_http` for a non-loopback name. The proxy is a real HTTP server on 127.0.0.1 started
//! by the test. One test function: the environment is process-wide.
#![cfg(feature = "remote")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::Map;

use authjwt_core::issuer::{Issuer, IssuerOptions, SignOverrides};
use authjwt_core::remote::{RemoteJwks, RemoteJwksOptions, RequestHeaders};
use authjwt_core::store::MemoryStore;
use authjwt_core::verify::VerifyOptions;

mod support;
use support::{Reply, Server};

const IN_CLUSTER: &str = "http://jwks.cluster.test/jwks";

fn options(allow_http: bool) -> RemoteJwksOptions {
    RemoteJwksOptions {
        allow_http,
        headers: RequestHeaders::new([("X-Api-Key".to_owned(), "s3cret-value".to_owned())]),
        timeout_duration: Duration::from_secs(3),
        ..RemoteJwksOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_from_the_environment_headers_and_allow_http() {
    let issuer = Issuer::new(
        Arc::new(MemoryStore::new()),
        IssuerOptions {
            disable_private_key_encryption: true,
            ..IssuerOptions::default()
        },
    )
    .unwrap();
    let token = issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    // A forward proxy that answers every request itself, recording the request heads.
    let proxy = Server::start(Reply::ok(issuer.jwks().await.unwrap().to_string())).await;
    let port = proxy.port;

    // Plain http to a non-loopback name needs allow_http.
    let err = RemoteJwks::new(IN_CLUSTER, options(false)).unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_CONFIG");
    assert!(err.to_string().contains("allowHttp"), "{err}");

    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("HTTP_PROXY", format!("http://127.0.0.1:{port}"));
    std::env::set_var("http_proxy", format!("http://127.0.0.1:{port}"));

    // Through the proxy, with the request header; the options never show its value.
    let remote = RemoteJwks::new(IN_CLUSTER, options(true)).unwrap();
    assert!(!format!("{remote:?}").contains("s3cret"), "{remote:?}");
    remote
        .verify(&token, &VerifyOptions::default())
        .await
        .unwrap();
    let seen = proxy.heads();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].starts_with("get http://jwks.cluster.test/jwks http/1.1"),
        "{}",
        seen[0]
    );
    assert!(seen[0].contains("x-api-key: s3cret-value"), "{}", seen[0]);

    // NO_PROXY names the host: the request goes direct (and this name resolves nowhere).
    std::env::set_var("NO_PROXY", "jwks.cluster.test");
    std::env::set_var("no_proxy", "jwks.cluster.test");
    let direct = RemoteJwks::new(IN_CLUSTER, options(true)).unwrap();
    let err = direct
        .verify(&token, &VerifyOptions::default())
        .await
        .unwrap_err();
    assert!(
        ["ERR_JWKS_UNAVAILABLE", "ERR_JWKS_TIMEOUT"].contains(&err.code()),
        "{err}"
    );
    assert_eq!(proxy.heads().len(), 1, "the proxy was not asked");

    for name in ["HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }

    // Headers authjwt sets itself, and malformed ones, are refused without echoing the value.
    for (name, value) in [
        ("If-None-Match", "\"x\""),
        ("Host", "elsewhere"),
        ("bad name", "v"),
        ("X-Token", "line\nbreak-s3cret"),
    ] {
        let o = RemoteJwksOptions {
            headers: RequestHeaders::new([(name.to_owned(), value.to_owned())]),
            ..RemoteJwksOptions::default()
        };
        let err = RemoteJwks::new("https://auth.example.com/jwks", o).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_CONFIG", "{name}");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
