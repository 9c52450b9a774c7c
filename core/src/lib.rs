//! authjwt-core: the JWT engine of an auth server, written once and used from every runtime.
//!
//! It makes signing keys, keeps private keys sealed at rest, signs short-lived JWTs, publishes a
//! JWKS, rotates keys with a grace period, and verifies tokens from a local or remote key set under
//! a strict policy. Hosts keep keys in their own storage behind the [`store::KeyStore`] trait, whose
//! rows are those of Better Auth's `jwks` table.
//!
//! Modules follow the data: [`alg`] and [`jwk`] describe keys, [`crypto`] is the only seam to the
//! primitives, [`seal`] protects private keys, [`jws`] and [`claims`] encode tokens, [`verify`]
//! applies the policy, [`jwks`] builds and parses key sets, [`store`] and [`issuer`] run the key
//! lifecycle, and [`remote`] fetches a remote key set. [`config`] turns host option values into
//! core types and [`http`] reads `Authorization` headers, so every binding follows one rule.

#[cfg(not(any(feature = "aws-lc", feature = "rust-crypto")))]
compile_error!("authjwt-core needs a crypto backend: enable feature `aws-lc` or `rust-crypto`");

pub mod alg;
pub mod claims;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod error;
pub mod events;
pub mod http;
pub mod issuer;
pub mod jwk;
pub mod jwks;
pub mod jws;
#[cfg(feature = "remote")]
pub mod remote;
pub mod seal;
pub mod store;
pub mod verify;

pub use alg::{Algorithm, KeyPairConfig};
pub use error::{ClaimReason, Error, Result, StoreError};
