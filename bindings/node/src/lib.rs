//! authjwt for Node.js: a thin napi-rs translation layer over `authjwt-core`.
//!
//! Every export converts JS values (payloads and options arrive as one JSON string, which is
//! cheaper than walking JS objects field by field), calls the core, and converts the result or
//! error back. The JS layer in `npm/lib/` turns the encoded error code into `AuthJwtError`
//! subclasses and hands store callbacks' own errors back as `.cause`.

// napi-derive registers exports only outside `cfg(test)`, so unit-test builds see them unused.
#![cfg_attr(test, allow(dead_code))]

mod convert;
mod error;
mod hooks;
mod http;
mod issuer;
mod keyset;
mod shared_cache;
mod store;
