//! authjwt for Kotlin (Android/JVM) and Swift (iOS/macOS), generated with UniFFI.
//!
//! A thin translation of `authjwt-core`: host values are converted, one core call is made, the
//! result or error is converted back. Kotlin package `dev.authjwt`, Swift module `AuthJwt`
//! (`uniffi.toml`). Generate the bindings with `uniffi-bindgen` (the workspace crate
//! `authjwt-uniffi-bindgen`) in library mode.
//!
//! What hosts see: the [`KeyStore`] interface they implement over their own storage, [`JwkRow`],
//! [`MemoryStore`], [`Issuer`] with [`IssuerOptions`], [`KeySet`], [`RemoteKeySet`],
//! [`verify_jwt`], the client helpers [`decode_jwt_unverified`] and [`is_expired`], the HTTP
//! helpers [`extract_bearer_token`], [`missing_scopes`] and [`auth_challenge`], and one error
//! type, [`AuthJwtError`] (`AuthJwtException` in Kotlin).

uniffi::setup_scaffolding!();

mod client;
mod error;
mod hooks;
mod http;
mod issuer;
mod options;
mod shared_cache;
mod store;
mod tasks;
mod verify;

pub use client::{
    decode_jwt_unverified, decode_protected_header_unverified, is_expired, UnverifiedJwt,
};
pub use error::{AuthJwtError, HostCallbackError};
pub use hooks::{AuthJwtEvent, EventListener, ExternalSigner, ExternalSignerConfig, SessionHooks};
pub use http::{
    auth_challenge, extract_bearer_token, if_none_match, jwks_etag, missing_scopes, AuthChallenge,
};
pub use issuer::Issuer;
pub use options::{
    IssuerOptions, KeyPairConfig, PrivateKeyFormat, RemoteKeySetOptions, Secret, SignOverrides,
    VerifyOptions,
};
pub use shared_cache::{JwksCache, JwksCacheEntry};
pub use store::{JwkRow, JwkUpdate, KeyStore, MemoryStore};
pub use verify::{verify_jwt, KeySet, RemoteKeySet, VerifiedJwt};
