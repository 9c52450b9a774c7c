//! The core's own sign/verify loop (a program, never a test): ops/s of
//! `Issuer::sign_json_with_cached_key`, `Issuer::sign_json` (awaited on a current-thread runtime)
//! and `verify::verify_jwt` for EdDSA, ES256 and RS256 (and `verify::verify_jwt_json`, the Node
//! binding's verify) with the ~200-byte payload of the host benchmarks (sub, email, name, iat,
//! iss, aud, exp), next to raw aws-lc sign/verify of the same signing input (the floor). Single
//! thread, key already loaded.
//!
//!   cargo run --release -p authjwt-core --example bench_core [-- --json out.json]
//!
//! `BENCH_SECONDS` (default 1) is the measuring time per cell; `BENCH_ONLY=sign|verify|EdDSA|EdDSA:sign...`
//! restricts the run (for profiling one path under `perf record`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authjwt_core::claims::Audience;
use authjwt_core::issuer::{Issuer, IssuerOptions, SignOverrides};
use authjwt_core::jwks::KeySet;
use authjwt_core::store::MemoryStore;
use authjwt_core::verify::{verify_jwt, verify_jwt_json, VerifyOptions};
use authjwt_core::{Algorithm, KeyPairConfig};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, KeyPair as _};

const ISS: &str = "https://auth.example.com";
const AUD: &str = "https://api.example.com";

type BoxError = Box<dyn std::error::Error>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json_out = match args.as_slice() {
        [flag, path] if flag == "--json" => Some(path.clone()),
        [] => None,
        _ => return Err("usage: bench_core [--json out.json]".into()),
    };
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let budget = Duration::from_secs_f64(seconds);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let payload = format!(
        r#"{{"sub":"user_2NfTq7XJ9kLm4PzR8wYc","email":"ada.lovelace@example.com","name":"Ada Lovelace","iat":{now},"iss":"{ISS}","aud":"{AUD}","exp":{}}}"#,
        now + 3600
    );

    let mut rows = Vec::new();
    for alg in [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256] {
        if !only.is_empty()
            && only
                .split(':')
                .next()
                .and_then(Algorithm::from_name)
                .is_some_and(|a| a != alg)
        {
            continue;
        }
        let issuer = Issuer::new(
            Arc::new(MemoryStore::new()),
            IssuerOptions {
                key_pair_config: KeyPairConfig {
                    alg,
                    ..KeyPairConfig::default()
                },
                disable_private_key_encryption: true,
                issuer: Some(ISS.to_owned()),
                audience: Some(Audience::One(AUD.to_owned())),
                ..IssuerOptions::default()
            },
        )?;
        rt.block_on(issuer.load_signing_key(None))?;
        let keys = KeySet::from_value(&rt.block_on(issuer.jwks())?)?;
        let overrides = SignOverrides::default();
        let token = issuer.sign_json_with_cached_key(&payload, &overrides)?;
        let options = VerifyOptions {
            issuer: Some(vec![ISS.to_owned()]),
            audience: Some(vec![AUD.to_owned()]),
            ..VerifyOptions::default()
        };
        verify_jwt(&token, &keys, &options)?;
        let (signing_input, _) = token.rsplit_once('.').ok_or("token without dots")?;
        let raw = RawKey::generate(alg)?;
        let raw_verifier = raw.verifier(signing_input.as_bytes())?;

        let mut row = Row {
            alg: alg.name(),
            ..Row::default()
        };
        let want = |what: &str| {
            only.is_empty()
                || only == what
                || only == alg.name()
                || only == format!("{}:{what}", alg.name())
        };
        if want("sign") {
            row.sign_cached = measure(budget, || {
                issuer
                    .sign_json_with_cached_key(black_box(&payload), &overrides)
                    .is_ok()
            });
            row.sign_async = rt.block_on(measure_async(budget, || {
                issuer.sign_json(black_box(&payload), &overrides)
            }));
            row.raw_sign = measure(budget, || {
                raw.sign(black_box(signing_input.as_bytes())).is_ok()
            });
        }
        if want("verify") {
            row.verify = measure(budget, || {
                verify_jwt(black_box(&token), &keys, &options).is_ok()
            });
            row.verify_json = measure(budget, || {
                verify_jwt_json(black_box(&token), &keys, &options).is_ok()
            });
            row.raw_verify = measure(budget, || {
                raw_verifier.verify(black_box(signing_input.as_bytes()))
            });
        }
        rows.push(row);
    }

    println!(
        "authjwt-core Rust loop, single thread, {seconds}s per cell, ops/s ({} bytes of payload)",
        payload.len()
    );
    println!();
    println!("| alg | sign_json_with_cached_key | sign_json (async) | raw aws-lc sign | verify_jwt | verify_jwt_json | raw aws-lc verify | sign / raw | verify / raw |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.alg,
            fmt(r.sign_cached),
            fmt(r.sign_async),
            fmt(r.raw_sign),
            fmt(r.verify),
            fmt(r.verify_json),
            fmt(r.raw_verify),
            pct(r.sign_cached, r.raw_sign),
            pct(r.verify, r.raw_verify),
        );
    }
    if let Some(path) = json_out {
        std::fs::write(&path, to_json(&rows, payload.len()))?;
    }
    Ok(())
}

#[derive(Default)]
struct Row {
    alg: &'static str,
    sign_cached: f64,
    sign_async: f64,
    raw_sign: f64,
    verify: f64,
    verify_json: f64,
    raw_verify: f64,
}

/// Ops/s of `f` over `budget`, after a warm-up of a tenth of it; `f` returns whether it worked.
fn measure(budget: Duration, mut f: impl FnMut() -> bool) -> f64 {
    let warm = Instant::now();
    while warm.elapsed() < budget / 10 {
        if !f() {
            return 0.0;
        }
    }
    let start = Instant::now();
    let mut n = 0u64;
    loop {
        for _ in 0..32 {
            black_box(f());
        }
        n += 32;
        let elapsed = start.elapsed();
        if elapsed >= budget {
            return n as f64 / elapsed.as_secs_f64();
        }
    }
}

/// [`measure`] for a future-returning `f`, awaited one call at a time.
async fn measure_async<F, T, E>(budget: Duration, mut f: impl FnMut() -> F) -> f64
where
    F: std::future::Future<Output = Result<T, E>>,
{
    let warm = Instant::now();
    while warm.elapsed() < budget / 10 {
        if f().await.is_err() {
            return 0.0;
        }
    }
    let start = Instant::now();
    let mut n = 0u64;
    loop {
        for _ in 0..32 {
            let _ = black_box(f().await);
        }
        n += 32;
        let elapsed = start.elapsed();
        if elapsed >= budget {
            return n as f64 / elapsed.as_secs_f64();
        }
    }
}

/// A key pair used straight through aws-lc-rs: the floor the engine stands on.
enum RawKey {
    Ed25519(sig::Ed25519KeyPair),
    Ecdsa(sig::EcdsaKeyPair, SystemRandom),
    Rsa(sig::RsaKeyPair, SystemRandom),
}

impl RawKey {
    fn generate(alg: Algorithm) -> Result<RawKey, BoxError> {
        let err = |_| "aws-lc key generation failed";
        Ok(match alg {
            Algorithm::EdDSA => RawKey::Ed25519(sig::Ed25519KeyPair::generate().map_err(err)?),
            Algorithm::ES256 => RawKey::Ecdsa(
                sig::EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING).map_err(err)?,
                SystemRandom::new(),
            ),
            _ => RawKey::Rsa(
                sig::RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).map_err(err)?,
                SystemRandom::new(),
            ),
        })
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, BoxError> {
        let err = |_| "aws-lc sign failed";
        Ok(match self {
            RawKey::Ed25519(k) => k.sign(msg).as_ref().to_vec(),
            RawKey::Ecdsa(k, rng) => k.sign(rng, msg).map_err(err)?.as_ref().to_vec(),
            RawKey::Rsa(k, rng) => {
                let mut out = vec![0u8; k.public_modulus_len()];
                k.sign(&sig::RSA_PKCS1_SHA256, rng, msg, &mut out)
                    .map_err(err)?;
                out
            }
        })
    }

    /// The public key parsed once, as `verify_jwt`'s key set holds it, with a signature of `msg`
    /// in the form the cheapest aws-lc-rs call takes (a digest, and DER for ECDSA, as the core's
    /// verifier).
    fn verifier(&self, msg: &[u8]) -> Result<RawVerifier, BoxError> {
        let parse = |alg: &'static dyn sig::VerificationAlgorithm, public: &[u8]| {
            sig::ParsedPublicKey::new(alg, public).map_err(|_| "aws-lc public key parse failed")
        };
        Ok(match self {
            RawKey::Ed25519(k) => RawVerifier::Whole(
                parse(&sig::ED25519, k.public_key().as_ref())?,
                self.sign(msg)?,
            ),
            RawKey::Rsa(k, _) => RawVerifier::Sha256(
                parse(&sig::RSA_PKCS1_2048_8192_SHA256, k.public_key().as_ref())?,
                self.sign(msg)?,
            ),
            RawKey::Ecdsa(k, rng) => {
                let err = "aws-lc ECDSA re-import failed";
                let pkcs8 = k.to_pkcs8v1().map_err(|_| err)?;
                let der_signer = sig::EcdsaKeyPair::from_pkcs8(
                    &sig::ECDSA_P256_SHA256_ASN1_SIGNING,
                    pkcs8.as_ref(),
                )
                .map_err(|_| err)?;
                let der = der_signer
                    .sign(rng, msg)
                    .map_err(|_| err)?
                    .as_ref()
                    .to_vec();
                RawVerifier::Sha256(
                    parse(&sig::ECDSA_P256_SHA256_ASN1, k.public_key().as_ref())?,
                    der,
                )
            }
        })
    }
}

/// A raw aws-lc-rs verification of one fixed signature.
enum RawVerifier {
    Whole(sig::ParsedPublicKey, Vec<u8>),
    /// SHA-256 of the message, then the signature (DER for ECDSA) against the digest.
    Sha256(sig::ParsedPublicKey, Vec<u8>),
}

impl RawVerifier {
    fn verify(&self, msg: &[u8]) -> bool {
        match self {
            RawVerifier::Whole(key, signature) => key.verify_sig(msg, signature).is_ok(),
            RawVerifier::Sha256(key, signature) => {
                let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, msg);
                key.verify_digest_sig(&digest, signature).is_ok()
            }
        }
    }
}

fn fmt(v: f64) -> String {
    if v <= 0.0 {
        return "n/a".to_owned();
    }
    let n = v.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(a: f64, b: f64) -> String {
    if a > 0.0 && b > 0.0 {
        format!("{:.0}%", 100.0 * a / b)
    } else {
        "n/a".to_owned()
    }
}

fn to_json(rows: &[Row], payload_len: usize) -> String {
    let cells: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                r#"{{"alg":"{}","sign_json_with_cached_key":{:.1},"sign_json":{:.1},"raw_sign":{:.1},"verify_jwt":{:.1},"verify_jwt_json":{:.1},"raw_verify":{:.1}}}"#,
                r.alg,
                r.sign_cached,
                r.sign_async,
                r.raw_sign,
                r.verify,
                r.verify_json,
                r.raw_verify
            )
        })
        .collect();
    format!(
        r#"{{"payload_bytes":{payload_len},"rows":[{}]}}"#,
        cells.join(",")
    )
}
