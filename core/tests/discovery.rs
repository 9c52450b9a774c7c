//! Key sets from an issuer's discovery document, against a real HTTP/1.1 server on 127.0.0.1
//! (ephemeral port) started by each test, answering per path.
#![cfg(feature = "remote")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use serde_json::{json, Map};

use authjwt_core::issuer::{Issuer, IssuerOptions, SignOverrides};
use authjwt_core::remote::{RemoteJwks, RemoteJwksOptions};
use authjwt_core::store::MemoryStore;
use authjwt_core::verify::VerifyOptions;

mod support;
use support::{Reply, Server};

async fn signer() -> Issuer {
    let opts = IssuerOptions {
        disable_private_key_encryption: true,
        ..IssuerOptions::default()
    };
    Issuer::new(Arc::new(MemoryStore::new()), opts).unwrap()
}

/// A server with the signer's JWKS at `/keys`.
async fn server_with_keys(signer: &Issuer) -> Server {
    let server = Server::start(Reply::not_found()).await;
    server.route("/keys", "200 OK", signer.jwks().await.unwrap().to_string());
    server
}

async fn discover(issuer: &str) -> authjwt_core::Result<RemoteJwks> {
    RemoteJwks::discover(issuer, RemoteJwksOptions::default(), None).await
}

async fn verifies(remote: &RemoteJwks, signer: &Issuer) {
    let token = signer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap();
    remote
        .verify(&token, &VerifyOptions::default())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_configuration_names_the_key_set() {
    let signer = signer().await;
    let server = server_with_keys(&signer).await;
    let issuer = format!("{}/realms/main", server.origin());
    let document = json!({"issuer": issuer, "jwks_uri": format!("{}/keys", server.origin())});
    server.route(
        "/realms/main/.well-known/openid-configuration",
        "200 OK",
        document.to_string(),
    );
    let remote = discover(&issuer).await.unwrap();
    assert_eq!(remote.url(), format!("{}/keys", server.origin()));
    verifies(&remote, &signer).await;
    assert_eq!(
        server.paths(),
        ["/realms/main/.well-known/openid-configuration", "/keys"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn falls_back_to_oauth_authorization_server_on_404() {
    let signer = signer().await;
    let server = server_with_keys(&signer).await;
    let issuer = format!("{}/tenant", server.origin());
    let document = json!({"issuer": issuer, "jwks_uri": format!("{}/keys", server.origin())});
    server.route(
        "/.well-known/oauth-authorization-server/tenant",
        "200 OK",
        document.to_string(),
    );
    let remote = discover(&issuer).await.unwrap();
    verifies(&remote, &signer).await;
    assert_eq!(
        server.paths(),
        [
            "/tenant/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server/tenant",
            "/keys"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_for_another_issuer_is_refused() {
    let signer = signer().await;
    let server = server_with_keys(&signer).await;
    let issuer = server.origin();
    for declared in [
        "https://evil.example".to_owned(),
        format!("{issuer}/"),
        issuer.to_uppercase(),
    ] {
        let document = json!({"issuer": declared, "jwks_uri": format!("{issuer}/keys")});
        server.route(
            "/.well-known/openid-configuration",
            "200 OK",
            document.to_string(),
        );
        let err = discover(&issuer).await.unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_INVALID", "{declared}: {err}");
        let text = err.to_string();
        assert!(text.contains(&issuer), "{text}");
        assert!(text.contains(&format!("{declared:?}")), "{text}");
    }
    assert!(
        !server.paths().contains(&"/keys".to_owned()),
        "no key set fetched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_unacceptable_jwks_uri_is_refused() {
    let server = Server::start(Reply::not_found()).await;
    let issuer = server.origin();
    for document in [
        json!({"issuer": issuer}),
        json!({"issuer": issuer, "jwks_uri": 42}),
        json!({"issuer": issuer, "jwks_uri": "http://idp.example/keys"}),
        json!({"issuer": issuer, "jwks_uri": "not a url"}),
    ] {
        server.route(
            "/.well-known/openid-configuration",
            "200 OK",
            document.to_string(),
        );
        let err = discover(&issuer).await.unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_INVALID", "{document}: {err}");
    }
    server.route("/.well-known/openid-configuration", "200 OK", "[1]");
    assert_eq!(
        discover(&issuer).await.unwrap_err().code(),
        "ERR_JWKS_INVALID"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outages_are_unavailable_not_invalid() {
    let server = Server::start(Reply::not_found()).await;
    let issuer = server.origin();
    // Both locations 404.
    let err = discover(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_UNAVAILABLE", "{err}");
    server.route(
        "/.well-known/openid-configuration",
        "503 Service Unavailable",
        String::new(),
    );
    let err = discover(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_UNAVAILABLE", "{err}");
    // Nothing listening.
    let port = server.port;
    drop(server);
    tokio::task::yield_now().await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let free = closed.local_addr().unwrap().port();
    drop(closed);
    let err = discover(&format!("http://127.0.0.1:{free}"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_UNAVAILABLE", "{err} (was on {port})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_issuer_urls_are_config_errors_and_credentials_never_show() {
    for bad in [
        "http://idp.example",
        "ftp://127.0.0.1",
        "not a url",
        "http://127.0.0.1:9/?q=1",
    ] {
        assert_eq!(
            discover(bad).await.unwrap_err().code(),
            "ERR_INVALID_CONFIG",
            "{bad}"
        );
    }
    let server = Server::start(Reply::not_found()).await;
    let issuer = format!("http://user:s3cr3t@127.0.0.1:{}", server.port);
    server.route(
        "/.well-known/openid-configuration",
        "200 OK",
        json!({"issuer": "https://other.example"}).to_string(),
    );
    let err = discover(&issuer).await.unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_INVALID");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    assert!(!format!("{err:?}").contains("s3cr3t"), "{err:?}");
}
