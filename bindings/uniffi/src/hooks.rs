//! The other host callbacks of an issuer, each with its one adapter to the core: [`SessionHooks`]
//! (Better Auth's `definePayload` / `getSubject`), [`ExternalSigner`] and [`KeyVersionSigner`] (a
//! key that never leaves Android Keystore, the Secure Enclave or a KMS) and [`EventListener`]
//! (monitoring).

use std::sync::Arc;

use authjwt_core::error::StoreError;
use authjwt_core::events::{Event, EventSink};
use authjwt_core::issuer::{
    ExternalSigner as CoreExternalSigner, SessionHooks as CoreSessionHooks, SignRequest,
};
use serde_json::{Map, Value};

use crate::error::HostCallbackError;

/// Better Auth's `definePayload({ user, session })` and `getSubject({ user, session })`, as a host
/// interface; objects cross as JSON text. Return `null`/`nil` for Better Auth's default (the whole
/// user object; `user.id`).
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait SessionHooks: Send + Sync {
    /// The payload (a JSON object) for this user and session, or none for the default.
    async fn define_payload(
        &self,
        user_json: String,
        session_json: String,
    ) -> Result<Option<String>, HostCallbackError>;

    /// The `sub` for this user and session, or none for the default.
    async fn get_subject(
        &self,
        user_json: String,
        session_json: String,
    ) -> Result<Option<String>, HostCallbackError>;
}

/// Signs with a key the host keeps (Android Keystore, Secure Enclave, a KMS), as Better Auth's
/// `jwt.sign`: receives the JWS signing input (or its digest, with `messageType = "digest"`),
/// returns the signature: ECDSA in the JOSE form `r || s` (Java's
/// `SHA256withECDSAinP1363Format`) or DER (`SHA256withECDSA`, a KMS), converted here. A thrown
/// error, or an answer that is not a valid signature, is the core's external-signer failure, as
/// in Node and Python: `ERR_STORE` with `operation` `sign` (`kid` for `currentKid`).
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait ExternalSigner: Send + Sync {
    /// The signature of `signing_input`.
    async fn sign(&self, signing_input: Vec<u8>) -> Result<Vec<u8>, HostCallbackError>;
}

/// An [`ExternalSigner`] that names its key version per token (a KMS key version), so a rotation
/// at the KMS needs no restart: before each token the issuer asks `current_kid`, puts that kid in
/// the header, and has the same key version sign; the token is verified against that kid's key
/// at `remoteUrl` before it is returned.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait KeyVersionSigner: Send + Sync {
    /// The kid of the key version that signs next; none for the config's `kid`.
    async fn current_kid(&self) -> Result<Option<String>, HostCallbackError>;

    /// The signature of `signing_input` (or its digest) by the key version `kid`.
    async fn sign(&self, signing_input: Vec<u8>, kid: String)
        -> Result<Vec<u8>, HostCallbackError>;
}

/// An [`ExternalSigner`] (one `kid`) or a [`KeyVersionSigner`] (a kid per token) with the
/// algorithm it signs with; exactly one of `signer` and `keyVersionSigner` is set.
#[derive(Clone, uniffi::Record)]
pub struct ExternalSignerConfig {
    /// The host's signer, signing under `kid`.
    #[uniffi(default = None)]
    pub signer: Option<Arc<dyn ExternalSigner>>,
    /// Its algorithm (`ES256`, `EdDSA`, ...).
    pub alg: String,
    /// The key id of its public key in the JWKS published at `remoteUrl`; with a
    /// `keyVersionSigner`, the kid used when `currentKid` answers none (may then be empty).
    #[uniffi(default = "")]
    pub kid: String,
    /// `"raw"` (default): the signer gets the signing input; `"digest"`: its SHA-256/384/512.
    #[uniffi(default = None)]
    pub message_type: Option<String>,
    /// Verify each token against the signer's public key before returning it (default true).
    #[uniffi(default = true)]
    pub verify_before_return: bool,
    /// The signer's public JWK (JSON); without it, the key of `kid` at `remoteUrl`.
    #[uniffi(default = None)]
    pub public_key: Option<String>,
    /// A signer that names its key version per token, instead of `signer`.
    #[uniffi(default = None)]
    pub key_version_signer: Option<Arc<dyn KeyVersionSigner>>,
}

/// One monitoring event: `key.created`, `key.rotated`, `token.issued`, `token.verified`,
/// `token.rejected`, `jwks.fetched`, `jwks.fetch_failed` or `jwks.key_skipped` (a key of a JWKS
/// left out of the set). Never carries tokens, claim values or key material.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthJwtEvent {
    /// The event's dotted name.
    pub name: String,
    /// The key id, when the event is about a key.
    pub kid: Option<String>,
    /// The algorithm, when the event is about a key or token.
    pub alg: Option<String>,
    /// The error code of a rejection or failed fetch.
    pub code: Option<String>,
    /// The JWKS URL of a fetch.
    pub url: Option<String>,
    /// The number of keys fetched.
    pub keys: Option<u32>,
    /// `jwks.key_skipped`: the key's position in the document's `keys` array.
    #[uniffi(default = None)]
    pub index: Option<u32>,
    /// `jwks.key_skipped`: why (`use_not_sig`, `weak_key`, `private_key_published`...).
    #[uniffi(default = None)]
    pub reason: Option<String>,
    /// `jwks.key_skipped`: one sentence for logs.
    #[uniffi(default = None)]
    pub message: Option<String>,
}

/// Receives [`AuthJwtEvent`]s; called synchronously on an authjwt worker thread, so keep it cheap
/// (hand the event to a logger or a channel).
#[uniffi::export(foreign)]
pub trait EventListener: Send + Sync {
    /// Called when something happens.
    fn on_event(&self, event: AuthJwtEvent) -> Result<(), HostCallbackError>;
}

/// The adapter from host [`SessionHooks`] to the core's.
pub(crate) struct HostSessionHooks(pub(crate) Arc<dyn SessionHooks>);

#[async_trait::async_trait]
impl CoreSessionHooks for HostSessionHooks {
    async fn define_payload(
        &self,
        user: &Value,
        session: &Value,
    ) -> Result<Option<Map<String, Value>>, StoreError> {
        let json = self
            .0
            .define_payload(user.to_string(), session.to_string())
            .await
            .map_err(|e| StoreError::with_source("define_payload", e))?;
        match json.map(|text| serde_json::from_str::<Value>(&text)) {
            None => Ok(None),
            Some(Ok(Value::Object(map))) => Ok(Some(map)),
            Some(_) => Err(StoreError::new(
                "define_payload",
                "definePayload must return a JSON object",
            )),
        }
    }

    async fn get_subject(
        &self,
        user: &Value,
        session: &Value,
    ) -> Result<Option<String>, StoreError> {
        self.0
            .get_subject(user.to_string(), session.to_string())
            .await
            .map_err(|e| StoreError::with_source("get_subject", e))
    }
}

/// The adapter from a host [`ExternalSigner`] or [`KeyVersionSigner`] to the core's.
pub(crate) enum HostSigner {
    /// One kid, the config's.
    Fixed(Arc<dyn ExternalSigner>),
    /// A kid per token, asked of the host.
    Versioned(Arc<dyn KeyVersionSigner>),
}

#[async_trait::async_trait]
impl CoreExternalSigner for HostSigner {
    async fn sign(&self, request: SignRequest) -> Result<Vec<u8>, StoreError> {
        match self {
            HostSigner::Fixed(signer) => signer.sign(request.message).await,
            HostSigner::Versioned(signer) => signer.sign(request.message, request.kid).await,
        }
        .map_err(|e| StoreError::with_source("sign", e))
    }

    async fn current_kid(&self) -> Result<Option<String>, StoreError> {
        match self {
            HostSigner::Fixed(_) => Ok(None),
            HostSigner::Versioned(signer) => signer
                .current_kid()
                .await
                .map_err(|e| StoreError::with_source("kid", e)),
        }
    }
}

/// The adapter from a host [`EventListener`] to the core's event sink. A listener that throws
/// is ignored: monitoring never fails an operation.
pub(crate) struct HostEvents(pub(crate) Arc<dyn EventListener>);

impl EventSink for HostEvents {
    fn on_event(&self, event: &Event) {
        // The core's JSON form decides which fields an event has; a newer core event still
        // reaches the host by name, with the fields this record knows.
        let json = event.to_json();
        let text = |name: &str| json.get(name).and_then(Value::as_str).map(str::to_owned);
        let number = |name: &str| {
            json.get(name)
                .and_then(Value::as_u64)
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        };
        let out = AuthJwtEvent {
            name: event.name().to_owned(),
            kid: text("kid"),
            alg: text("alg"),
            code: text("code"),
            url: text("url"),
            keys: number("keys"),
            index: number("index"),
            reason: text("reason"),
            message: text("message"),
        };
        let _ = self.0.on_event(out);
    }
}

#[cfg(test)]
mod tests {
    use authjwt_core::error::Error as CoreError;
    use authjwt_core::issuer::MessageType;
    use authjwt_core::Algorithm;

    use super::*;
    use crate::error::AuthJwtError;

    struct RefusingSigner;

    #[async_trait::async_trait]
    impl ExternalSigner for RefusingSigner {
        async fn sign(&self, _signing_input: Vec<u8>) -> Result<Vec<u8>, HostCallbackError> {
            Err(HostCallbackError::Failed {
                detail: "KMS refused".into(),
            })
        }
    }

    #[tokio::test]
    async fn a_failing_signer_is_the_sign_callback_with_the_host_message() {
        let request = SignRequest {
            message: b"header.payload".to_vec(),
            message_type: MessageType::Raw,
            alg: Algorithm::ES256,
            kid: "kms-1".into(),
        };
        let failed = HostSigner::Fixed(Arc::new(RefusingSigner))
            .sign(request)
            .await
            .err()
            .map(|e| AuthJwtError::from(CoreError::from(e)));
        assert!(
            matches!(&failed, Some(AuthJwtError::Store { operation, detail, .. })
            if operation == "sign" && detail.contains("KMS refused")),
            "{failed:?}"
        );
    }
}
