//! JWKS documents: built from stored rows (with the grace-period filter) for publishing, and parsed
//! and validated into a [`KeySet`] for verification.

use serde_json::Value;

use crate::alg::Algorithm;
use crate::error::Result;
use crate::store::JwkRow;

/// A validated set of public keys, each parsed once for verification.
#[derive(Debug, Clone)]
pub struct KeySet {
    _todo: (),
}

impl KeySet {
    /// Parses and validates a JWKS document (`{"keys":[...]}`); unsafe or malformed sets are
    /// `ERR_JWKS_INVALID`.
    pub fn from_json(json: &str) -> Result<KeySet> {
        todo!("{}", json.len())
    }

    /// [`KeySet::from_json`] for an already parsed document.
    pub fn from_value(doc: &Value) -> Result<KeySet> {
        todo!("{doc}")
    }

    /// The key set of stored rows (all of them, as Better Auth's `verifyJWT`); rows without `alg`
    /// are read as `default_alg`.
    pub fn from_rows(rows: &[JwkRow], default_alg: Algorithm) -> Result<KeySet> {
        todo!("{rows:?} {default_alg}")
    }

    /// The algorithms of the keys in the set (the default allowlist).
    pub fn algorithms(&self) -> Vec<Algorithm> {
        todo!()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// Whether the set has no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The published JWKS body built from stored rows as Better Auth's `/jwks` does: each key's public
/// JWK with `kid` = row id, `alg`, `crv` and `use: "sig"`; keys past `expires_at + grace_period_s`
/// left out.
pub fn build_jwks(
    rows: &[JwkRow],
    default_alg: Algorithm,
    now_ms: i64,
    grace_period_s: i64,
) -> Result<Value> {
    todo!("{rows:?} {default_alg} {now_ms} {grace_period_s}")
}
