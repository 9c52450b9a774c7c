//! The foreign-trait bridge, driven from Rust: a Rust implementation of the exported `KeyStore`
//! trait (standing in for a Kotlin or Swift store) used through the exported objects, exactly as
//! the generated bindings call them.

// Tests may panic on a failed expectation.
#![allow(clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use authjwt_uniffi::{
    verify_jwt, AuthJwtError, HostCallbackError, Issuer, IssuerOptions, JwkRow, JwkUpdate, KeySet,
    KeyStore, MemoryStore, SignOverrides, VerifyOptions,
};

const SECRET: &str = "rust-bridge-test-secret-long-enough";
const PAYLOAD: &str = r#"{"sub":"user-1","email":"ada@example.com"}"#;

/// A host store kept in a vector, counting calls; `create_delay` widens the race window;
/// `read_only` makes it a store without the update callback.
#[derive(Default)]
struct VecStore {
    rows: Mutex<Vec<JwkRow>>,
    reads: AtomicUsize,
    creates: AtomicUsize,
    create_delay: Duration,
    read_only: bool,
}

#[async_trait::async_trait]
impl KeyStore for VecStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, HostCallbackError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self.rows.lock().map_err(|_| failed("poisoned"))?.clone())
    }

    async fn create_jwk(&self, row: JwkRow) -> Result<JwkRow, HostCallbackError> {
        self.creates.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.create_delay).await;
        self.rows
            .lock()
            .map_err(|_| failed("poisoned"))?
            .push(row.clone());
        Ok(row)
    }

    fn supports_update(&self) -> bool {
        !self.read_only
    }

    async fn update_jwk(&self, id: String, update: JwkUpdate) -> Result<(), HostCallbackError> {
        let mut rows = self.rows.lock().map_err(|_| failed("poisoned"))?;
        let row = rows
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| failed("no such row"))?;
        row.expires_at = Some(update.expires_at);
        Ok(())
    }
}

/// A store that is down.
struct DownStore(&'static str);

#[async_trait::async_trait]
impl KeyStore for DownStore {
    async fn get_jwks(&self) -> Result<Vec<JwkRow>, HostCallbackError> {
        Err(failed(self.0))
    }

    async fn create_jwk(&self, _row: JwkRow) -> Result<JwkRow, HostCallbackError> {
        Err(failed(self.0))
    }

    fn supports_update(&self) -> bool {
        false
    }

    async fn update_jwk(&self, _id: String, _update: JwkUpdate) -> Result<(), HostCallbackError> {
        Err(failed(self.0))
    }
}

fn failed(detail: &str) -> HostCallbackError {
    HostCallbackError::Failed {
        detail: detail.to_owned(),
    }
}

fn options() -> IssuerOptions {
    IssuerOptions {
        secret: Some(SECRET.to_owned()),
        issuer: Some("https://auth.example.com".to_owned()),
        audience: vec!["api".to_owned()],
        ..IssuerOptions::default()
    }
}

fn strict() -> VerifyOptions {
    VerifyOptions {
        issuer: Some(vec!["https://auth.example.com".to_owned()]),
        audience: Some(vec!["api".to_owned()]),
        ..VerifyOptions::default()
    }
}

fn kid_of(token: &str) -> Option<String> {
    use base64::Engine as _;
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("kid")?.as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_store_drives_sign_publish_and_verify() -> Result<(), AuthJwtError> {
    let store = Arc::new(VecStore::default());
    let issuer = Issuer::new(store.clone(), options())?;
    let token = issuer
        .sign(PAYLOAD.to_owned(), SignOverrides::default())
        .await?;

    let rows = store.rows.lock().map(|r| r.clone()).unwrap_or_default();
    assert_eq!(rows.len(), 1);
    assert_eq!(kid_of(&token).as_deref(), Some(rows[0].id.as_str()));
    let age = SystemTime::now()
        .duration_since(rows[0].created_at)
        .unwrap_or_default();
    assert!(age < Duration::from_secs(300), "created_at is not now");

    let keys = KeySet::from_jwks(issuer.jwks().await?, None)?;
    let jwt = verify_jwt(token.clone(), keys, strict())?;
    assert!(jwt.payload_json.contains(r#""sub":"user-1""#));
    assert!(jwt.header_json.contains(&rows[0].id));
    let own = issuer.verify(token, strict()).await?;
    assert_eq!(own.payload_json, jwt.payload_json);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_under_100_concurrent_signs_through_the_bridge() -> Result<(), AuthJwtError> {
    let store = Arc::new(VecStore {
        create_delay: Duration::from_millis(50),
        ..VecStore::default()
    });
    let issuer = Arc::new(Issuer::new(store.clone(), options())?);
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let issuer = issuer.clone();
        tasks.push(tokio::spawn(async move {
            issuer
                .sign(PAYLOAD.to_owned(), SignOverrides::default())
                .await
        }));
    }
    let mut kids = std::collections::BTreeSet::new();
    for task in tasks {
        let token = task.await.map_err(|e| AuthJwtError::Internal {
            code: "ERR_INTERNAL".into(),
            detail: e.to_string(),
        })??;
        kids.insert(kid_of(&token));
    }
    assert_eq!(store.creates.load(Ordering::SeqCst), 1);
    assert_eq!(kids.len(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_store_error_is_err_store_with_the_host_message() -> Result<(), AuthJwtError> {
    let issuer = Issuer::new(Arc::new(DownStore("database is down")), options())?;
    let err = issuer
        .sign(PAYLOAD.to_owned(), SignOverrides::default())
        .await
        .err();
    match err {
        Some(AuthJwtError::Store {
            code,
            detail,
            operation,
            timed_out,
        }) => {
            assert_eq!(code, "ERR_STORE");
            assert!(detail.contains("database is down"), "{detail}");
            assert_eq!(operation, "get_jwks");
            assert!(!timed_out);
        }
        other => panic!("expected ERR_STORE, got {other:?}"),
    }
    Ok(())
}

#[test]
fn an_unexpected_host_exception_keeps_its_text() {
    let e = HostCallbackError::from(uniffi::UnexpectedUniFFICallbackError::new(
        "java.lang.IllegalStateException: disk on fire",
    ));
    assert!(
        matches!(&e, HostCallbackError::Unexpected { detail } if detail.contains("disk on fire"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_object_is_a_key_store() -> Result<(), AuthJwtError> {
    let store = MemoryStore::new();
    let issuer = Issuer::new(store.clone(), options())?;
    let token = issuer
        .sign(PAYLOAD.to_owned(), SignOverrides::default())
        .await?;
    let rows = KeyStore::get_jwks(&*store)
        .await
        .map_err(|e| AuthJwtError::Internal {
            code: "ERR_INTERNAL".into(),
            detail: e.to_string(),
        })?;
    assert_eq!(rows.len(), 1);
    assert_eq!(kid_of(&token), Some(rows[0].id.clone()));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_cache_signs_without_reading_the_host_store() -> Result<(), AuthJwtError> {
    let store = Arc::new(VecStore::default());
    let issuer = Issuer::new(store.clone(), options())?;
    issuer
        .sign(PAYLOAD.to_owned(), SignOverrides::default())
        .await?;
    let reads = store.reads.load(Ordering::SeqCst);
    for _ in 0..100 {
        issuer
            .sign(PAYLOAD.to_owned(), SignOverrides::default())
            .await?;
    }
    assert_eq!(store.reads.load(Ordering::SeqCst), reads);
    Ok(())
}

#[test]
fn invalid_options_are_err_invalid_config_at_construction() {
    let bad = IssuerOptions {
        store_timeout: f64::NAN,
        ..options()
    };
    let err = Issuer::new(Arc::new(VecStore::default()), bad).err();
    assert_eq!(
        err.as_ref().map(AuthJwtError::code),
        Some("ERR_INVALID_CONFIG")
    );
}

fn published(jwks_json: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(jwks_json).unwrap_or_default();
    value["keys"]
        .as_array()
        .map(|keys| {
            keys.iter()
                .filter_map(|k| k["kid"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_goes_through_the_host_update_callback() -> Result<(), AuthJwtError> {
    let store = Arc::new(VecStore::default());
    let issuer = Issuer::new(store.clone(), options())?;
    let old = issuer
        .sign(PAYLOAD.to_owned(), SignOverrides::default())
        .await
        .map(|t| kid_of(&t))?
        .unwrap_or_default();
    let new = issuer.rotate().await?;
    let rows = store.rows.lock().map(|r| r.clone()).unwrap_or_default();
    let retired = rows.iter().find(|r| r.id == old).and_then(|r| r.expires_at);
    assert!(
        retired.is_some(),
        "rotate() records the old key's retirement"
    );
    assert!(
        published(&issuer.jwks().await?).contains(&old),
        "grace period"
    );

    issuer.revoke(old.clone()).await?;
    let rows = store.rows.lock().map(|r| r.clone()).unwrap_or_default();
    let revoked = rows.iter().find(|r| r.id == old).and_then(|r| r.expires_at);
    assert_eq!(revoked, Some(SystemTime::UNIX_EPOCH));
    assert_eq!(published(&issuer.jwks().await?), vec![new.id.clone()]);
    let token = issuer
        .sign(PAYLOAD.to_owned(), SignOverrides::default())
        .await?;
    assert_eq!(kid_of(&token), Some(new.id));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_without_the_update_callback_is_invalid_config() -> Result<(), AuthJwtError> {
    let store = Arc::new(VecStore {
        read_only: true,
        ..VecStore::default()
    });
    let issuer = Issuer::new(store.clone(), options())?;
    let token = issuer
        .sign(PAYLOAD.to_owned(), SignOverrides::default())
        .await?;
    let kid = kid_of(&token).unwrap_or_default();
    let err = issuer.revoke(kid.clone()).await.err();
    assert_eq!(
        err.as_ref().map(AuthJwtError::code),
        Some("ERR_INVALID_CONFIG")
    );
    assert!(format!("{err:?}").contains("updateJwk"), "{err:?}");
    assert!(published(&issuer.jwks().await?).contains(&kid));
    Ok(())
}
