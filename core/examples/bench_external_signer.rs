//! What verifying an external signer's tokens before returning them costs (a program, never a
//! test): µs per `Issuer::sign` with a local-key "KMS" callback, `verify_before_return` on (the
//! default: the key of the token's kid from the JWKS at `remote_url`, served on 127.0.0.1 and
//! cached after the first fetch) and off, per algorithm, measured interleaved in one run; next to
//! them, one bare `VerifyingKey::verify` of such a token (the floor the check stands on: the
//! difference between "verification" and it is what the key lookup in the cached set costs).
//!
//!   cargo run --release -p authjwt-core --example bench_external_signer
//!
//! `BENCH_SECONDS` (default 1) is the measuring time per cell and round; 3 rounds, medians shown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use authjwt_core::crypto::{SigningKey, VerifyingKey};
use authjwt_core::issuer::{
    ExternalSigner, ExternalSignerConfig, Issuer, IssuerOptions, SignOverrides, SignRequest,
};
use authjwt_core::store::MemoryStore;
use authjwt_core::{Algorithm, KeyPairConfig, StoreError};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error>;

struct LocalKms(SigningKey);

#[async_trait]
impl ExternalSigner for LocalKms {
    async fn sign(&self, request: SignRequest) -> Result<Vec<u8>, StoreError> {
        self.0
            .sign(&request.message)
            .map_err(|e| StoreError::new("sign", e.to_string()))
    }
}

/// Serves `body` on 127.0.0.1 as a JWKS; returns its URL.
async fn serve(body: String) -> Result<String, BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/jwks.json", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = socket.read(&mut buf).await;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    Ok(url)
}

fn main() -> Result<(), BoxError> {
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let budget = Duration::from_secs_f64(seconds);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let algs = [
            Algorithm::EdDSA,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::RS256,
            Algorithm::PS256,
        ];
        println!(
            "external signer, µs per token (median of 3 interleaved rounds, {seconds} s per cell)"
        );
        // Figures from a shared machine are only comparable with its load beside them.
        if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
            println!("load average at start: {}", load.trim());
        }
        println!(
            "{:<7} {:>12} {:>12} {:>14} {:>12}",
            "alg", "verify off", "verify on", "verification", "one verify"
        );
        for alg in algs {
            let config = KeyPairConfig::new(alg.name(), None, None)?;
            let key = SigningKey::generate(&config)?;
            let mut jwk = key.public_jwk().to_map();
            jwk.insert("kid".into(), json!("kms-1"));
            let url = serve(json!({"keys": [Value::Object(jwk)]}).to_string()).await?;
            let verifier = VerifyingKey::from_public_jwk(key.public_jwk(), alg)?;
            let kms = Arc::new(LocalKms(key));
            let make = |verify: bool| {
                let mut ext = ExternalSignerConfig::new(kms.clone(), alg, "kms-1");
                ext.verify_before_return = verify;
                Issuer::new(
                    Arc::new(MemoryStore::new()),
                    IssuerOptions {
                        disable_private_key_encryption: true,
                        external_signer: Some(ext),
                        remote_url: Some(url.clone()),
                        issuer: Some("https://auth.example.com".into()),
                        ..IssuerOptions::default()
                    },
                )
            };
            let (off, on) = (make(false)?, make(true)?);
            let mut payload = Map::new();
            payload.insert("sub".into(), json!("user_2NfTq7XJ9kLm4PzR8wYc"));
            payload.insert("email".into(), json!("ada.lovelace@example.com"));
            let overrides = SignOverrides::default();
            // The first token fetches the JWKS; the figures are the steady state after it.
            let token = on.sign(payload.clone(), &overrides).await?;
            let (input, signature) = token.rsplit_once('.').ok_or("a token has three parts")?;
            let signature = base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                signature,
            )?;
            let (mut offs, mut ons, mut bare) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..3 {
                for (issuer, out) in [(&off, &mut offs), (&on, &mut ons)] {
                    let start = Instant::now();
                    let mut n = 0u64;
                    while start.elapsed() < budget {
                        issuer.sign(payload.clone(), &overrides).await?;
                        n += 1;
                    }
                    out.push(start.elapsed().as_secs_f64() * 1e6 / n as f64);
                }
                let start = Instant::now();
                let mut n = 0u64;
                while start.elapsed() < budget {
                    verifier.verify(std::hint::black_box(input.as_bytes()), &signature)?;
                    n += 1;
                }
                bare.push(start.elapsed().as_secs_f64() * 1e6 / n as f64);
            }
            let (off_us, on_us) = (median(&mut offs), median(&mut ons));
            println!(
                "{:<7} {:>12.1} {:>12.1} {:>14.1} {:>12.1}",
                alg.name(),
                off_us,
                on_us,
                on_us - off_us,
                median(&mut bare)
            );
        }
        if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
            println!("load average at end: {}", load.trim());
        }
        Ok::<(), BoxError>(())
    })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
