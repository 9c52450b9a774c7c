//! Interop with the real `better-auth` npm package's sealed private keys (run by
//! `scripts/suites/20-better-auth-seal.sh`; the Node side is in `tests/better-auth-seal/`).
//!
//! - `seal_interop open <rows.json>`: opens rows that better-auth sealed (`gen.mjs`) with
//!   [`Sealer`], compares each to the private JWK better-auth sealed, and imports it as a signer.
//! - `seal_interop seal <out.json>`: seals the fixed JWKs of `tests/better-auth-seal/keys.json` in
//!   the better-auth format, for `check.mjs` to open with better-auth's own `symmetricDecrypt`.
//!
//! Both print one line per check and end with `N passed, N failed`; the exit code is 1 on failure.

use std::process::ExitCode;

use authjwt_core::crypto::SigningKey;
use authjwt_core::jwk::{PrivateJwk, PublicJwk};
use authjwt_core::seal::{PrivateKeyFormat, Sealer, Secret};
use authjwt_core::Algorithm;
use serde_json::{json, Value};

const FIXED_KEYS: &str = include_str!("../../tests/better-auth-seal/keys.json");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut tally = Tally::default();
    let result = match (args.first().map(String::as_str), args.get(1)) {
        (Some("open"), Some(path)) => open_rows(path, &mut tally),
        (Some("seal"), Some(path)) => seal_rows(path, &mut tally),
        _ => Err("usage: seal_interop open <rows.json> | seal_interop seal <out.json>".into()),
    };
    if let Err(e) = result {
        eprintln!("seal_interop: {e}");
        tally.failed += 1;
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed == 0 && tally.passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

type BoxError = Box<dyn std::error::Error>;

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn check(&mut self, name: &str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => {
                self.passed += 1;
                println!("ok   {name}");
            }
            Err(e) => {
                self.failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
}

/// `[{version: null | "<n>", value}]` → secrets, current first.
fn secrets_from_json(v: &Value) -> Result<Vec<Secret>, BoxError> {
    let list = v.as_array().ok_or("secrets must be an array")?;
    list.iter()
        .map(|s| {
            let value = s["value"].as_str().ok_or("secret value must be a string")?;
            Ok(match s["version"].as_str() {
                Some(version) => Secret::versioned(version, value),
                None => Secret::new(value),
            })
        })
        .collect()
}

fn str_member<'a>(row: &'a Value, name: &str) -> Result<&'a str, String> {
    row[name]
        .as_str()
        .ok_or_else(|| format!("row member {name} must be a string"))
}

/// Opens every row better-auth sealed and compares it with the JWK better-auth sealed.
fn open_rows(path: &str, tally: &mut Tally) -> Result<(), BoxError> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let groups = doc["groups"].as_array().ok_or("no groups")?;
    for group in groups {
        let name = group["name"].as_str().unwrap_or("?");
        let secrets = secrets_from_json(&group["secrets"])?;
        let sealer = Sealer::new(secrets, PrivateKeyFormat::BetterAuth, true)?;
        let wrong = Sealer::new(
            vec![Secret::new("not-the-secret-better-auth-used")],
            PrivateKeyFormat::BetterAuth,
            true,
        )?;
        for row in group["rows"].as_array().ok_or("no rows")? {
            let check = || -> Result<String, String> {
                let id = str_member(row, "id")?;
                let public = PublicJwk::from_json(str_member(row, "publicKey")?)
                    .map_err(|e| e.to_string())?;
                let column = str_member(row, "privateKey")?;
                let opened = sealer
                    .open(id, column, &public)
                    .map_err(|e| e.to_string())?;
                let expected: Value = serde_json::from_str(str_member(row, "expected")?)
                    .map_err(|e| e.to_string())?;
                let got: Value =
                    serde_json::from_str(&opened.to_json()).map_err(|e| e.to_string())?;
                if got != expected {
                    return Err("opened JWK differs from the one better-auth sealed".into());
                }
                match wrong.open(id, column, &public) {
                    Err(e) if e.code() == "ERR_KEY_DECRYPTION_FAILED" => {}
                    _ => {
                        return Err(
                            "a wrong secret did not fail with ERR_KEY_DECRYPTION_FAILED".into()
                        )
                    }
                }
                // The opened key must be usable: the signer derives its public key again.
                let alg = str_member(row, "alg")?;
                let algorithm: Algorithm = alg
                    .parse()
                    .map_err(|e: authjwt_core::Error| e.to_string())?;
                let signer =
                    SigningKey::from_private_jwk(&opened, algorithm).map_err(|e| e.to_string())?;
                if signer.public_jwk() != &public {
                    return Err("the signer derived another public key".into());
                }
                let same_bytes = opened.to_json().as_str() == str_member(row, "expected")?;
                Ok(format!(
                    "{id} {alg}{}",
                    if same_bytes { ", same bytes" } else { "" }
                ))
            };
            match check() {
                Ok(label) => tally.check(&format!("open [{name}] {label}"), Ok(())),
                Err(e) => tally.check(
                    &format!("open [{name}] {}", row["id"].as_str().unwrap_or("?")),
                    Err(e),
                ),
            }
        }
    }
    Ok(())
}

/// Seals the fixed JWKs under several secret configurations for better-auth to open.
fn seal_rows(path: &str, tally: &mut Tally) -> Result<(), BoxError> {
    let fixed: Value = serde_json::from_str(FIXED_KEYS)?;
    let keys = fixed["keys"].as_array().ok_or("keys.json has no keys")?;
    let secret = || Secret::new("authjwt-interop-secret-0123456789-abcdef");
    let v3 = || Secret::versioned("3", "authjwt-interop-secret-v3-ghijklmnopqrst");
    let v2 = || Secret::versioned("2", "authjwt-interop-secret-v2-uvwxyz012345678");
    // (name, secrets the sealer writes with, secrets better-auth opens with)
    let groups = [
        ("secret: bare hex", vec![secret()], vec![secret()]),
        (
            "secrets: $ba$3$ envelope",
            vec![v3(), v2()],
            vec![v3(), v2()],
        ),
        (
            "rotated: sealed under v2, v3 now current",
            vec![v2()],
            vec![v3(), v2()],
        ),
        (
            "legacy bare hex read via legacySecret",
            vec![secret()],
            vec![v3(), secret()],
        ),
    ];
    let mut out_groups = Vec::new();
    let mut n = 0;
    for (name, seal_with, open_with) in groups {
        let sealer = Sealer::new(seal_with, PrivateKeyFormat::BetterAuth, true)?;
        let mut rows = Vec::new();
        for key in keys {
            n += 1;
            let id = format!("aj-{n}");
            let outcome = (|| -> Result<Value, String> {
                let private = PrivateJwk::from_json(str_member(key, "privateKey")?)
                    .map_err(|e| e.to_string())?;
                let column = sealer.seal(&private).map_err(|e| e.to_string())?;
                // Our own reader must open what we wrote, with the key's own public members.
                let reopened = sealer
                    .open(&id, &column, private.public())
                    .map_err(|e| e.to_string())?;
                if reopened.to_json().as_str() != private.to_json().as_str() {
                    return Err("authjwt does not reopen its own row".into());
                }
                Ok(json!({
                    "id": id,
                    "alg": key["alg"],
                    "publicKey": private.public().to_json(),
                    "privateKey": column,
                    "expected": private.to_json().as_str(),
                }))
            })();
            let label = format!("seal [{name}] {id} {}", key["alg"].as_str().unwrap_or("?"));
            match outcome {
                Ok(row) => {
                    rows.push(row);
                    tally.check(&label, Ok(()));
                }
                Err(e) => tally.check(&label, Err(e)),
            }
        }
        let secrets: Vec<Value> = open_with
            .iter()
            .map(|s| json!({"version": s.version, "value": s.value.as_str()}))
            .collect();
        out_groups.push(json!({"name": name, "secrets": secrets, "rows": rows}));
    }
    let doc = json!({"sealedBy": "authjwt", "groups": out_groups});
    std::fs::write(path, serde_json::to_string_pretty(&doc)?)?;
    println!("wrote {n} authjwt rows to {path}");
    Ok(())
}
