//! JWKS documents: built from stored rows (with the grace-period filter) for publishing, and parsed
//! and validated into a [`KeySet`] for verification.
//!
//! Parsing keeps the keys authjwt can use and skips the rest, as jose does, so one unusable key
//! (an encryption key beside the signing keys, an old RSA-1024 key) never takes the others down.
//!
//! - The document must be a JSON object with a `"keys"` array of JSON objects, without duplicate
//!   member names anywhere: anything else is `ERR_JWKS_INVALID`, the only error of parsing.
//! - A key is skipped ([`SkipReason`], in this order) when it has private members (`d`, `p`, `q`,
//!   `dp`, `dq`, `qi`, `oth`, `k`: the document leaks a key, reported as
//!   `private_key_published`), `use` other than `"sig"`, `key_ops` without `"verify"`, an `alg`
//!   that is an encryption algorithm or a signature algorithm authjwt does not verify, a `kty` or
//!   `crv` authjwt does not verify with, an `alg` that does not fit the key, weak or invalid
//!   material (RSA under 2048 bits or e not odd in 3..2^33, ROCA moduli, small-order or
//!   non-canonical Ed25519 points, EC points off the curve), or a missing or malformed member
//!   (including a `kid` that is not a string).
//! - Each skipped key is kept in [`KeySet::skipped`] (index, kid, reason; never material) and
//!   reported once as a `jwks.key_skipped` event by whoever parsed the set
//!   ([`KeySet::report_skipped`]).
//! - Several keys may share a kid (jose keeps them all): a token naming it tries those that fit
//!   its `alg`, in document order, at most [`MAX_CANDIDATES`]; more is
//!   `ERR_JWKS_MULTIPLE_MATCHING_KEYS`.
//! - A set where every key was skipped is an empty set: it parses, and every token fails with
//!   `ERR_JWKS_NO_MATCHING_KEY` (jose's behaviour), with the skips reported.

mod roca;
mod skip;

pub use skip::{SkipReason, SkippedKey, MAX_REPORTED_KID_CHARS};

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::alg::{Algorithm, ALL_ALGORITHMS};
use crate::crypto::{Backend, VerifyingKey};
use crate::error::{Error, Result};
use crate::events::{Emitter, Event, EventSink};
use crate::jwk::PublicJwk;
use crate::store::JwkRow;

/// Members that only a private (or symmetric) JWK has.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A validated set of public keys, each parsed once for verification. Cheap to clone.
#[derive(Clone)]
pub struct KeySet {
    inner: Arc<Inner>,
}

struct Inner {
    keys: Vec<KeyEntry>,
    skipped: Vec<SkippedKey>,
    algorithms: Vec<Algorithm>,
    backend: Backend,
}

/// One usable key: its JWK, its `alg` restriction and its verifiers, built once per algorithm.
struct KeyEntry {
    kid: Option<String>,
    jwk: PublicJwk,
    alg: Option<Algorithm>,
    verifiers: [OnceLock<VerifyingKey>; ALL_ALGORITHMS.len()],
}

impl KeySet {
    /// Parses a JWKS document (`{"keys":[...]}`), keeping the keys authjwt can use (see the
    /// module's rules); a document of another shape is `ERR_JWKS_INVALID`.
    pub fn from_json(json: &str) -> Result<KeySet> {
        Self::from_json_with(Backend::preferred(), json)
    }

    /// [`KeySet::from_json`], then each skipped key reported to `events` (and to `tracing`):
    /// what a host's local key set calls.
    pub fn from_json_reporting(json: &str, events: Option<Arc<dyn EventSink>>) -> Result<KeySet> {
        let keys = Self::from_json(json)?;
        keys.report_skipped(&Emitter::new(events));
        Ok(keys)
    }

    /// [`KeySet::from_json`] with a given crypto backend.
    pub fn from_json_with(backend: Backend, json: &str) -> Result<KeySet> {
        let doc = crate::jws::json::parse_value(json.as_bytes())
            .map_err(|e| Error::JwksInvalid(format!("not a JSON document: {e}")))?;
        Self::from_value_with(backend, &doc)
    }

    /// [`KeySet::from_json`] for an already parsed document.
    pub fn from_value(doc: &Value) -> Result<KeySet> {
        Self::from_value_with(Backend::preferred(), doc)
    }

    /// [`KeySet::from_value`] with a given crypto backend.
    pub fn from_value_with(backend: Backend, doc: &Value) -> Result<KeySet> {
        let keys = doc
            .as_object()
            .and_then(|d| d.get("keys"))
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("a JWKS is a JSON object with a \"keys\" array"))?;
        if let Some(index) = keys.iter().position(|k| !k.is_object()) {
            return Err(invalid(format!("key #{index} is not a JSON object")));
        }
        let mut entries = Vec::with_capacity(keys.len());
        let mut skipped = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let Some(obj) = key.as_object() else {
                continue;
            };
            match parse_key(backend, obj) {
                Ok(entry) => entries.push(entry),
                Err(reason) => skipped.push(SkippedKey {
                    index,
                    kid: obj
                        .get("kid")
                        .and_then(Value::as_str)
                        .map(skip::reported_kid),
                    reason,
                }),
            }
        }
        Ok(KeySet::assemble(backend, entries, skipped))
    }

    /// The key set of stored rows (all of them, as Better Auth's `verifyJWT`); rows without `alg`
    /// are read as `default_alg`. Rows whose `alg` is not a signature algorithm (a Better Auth
    /// `ECDH-ES` key) are skipped; a row that cannot be read is `ERR_JWKS_INVALID`.
    pub fn from_rows(rows: &[JwkRow], default_alg: Algorithm) -> Result<KeySet> {
        let backend = Backend::preferred();
        let mut seen: Vec<(&str, &str)> = Vec::with_capacity(rows.len());
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let alg = match row.alg.as_deref() {
                None => default_alg,
                Some(name) => match Algorithm::from_name(name) {
                    Some(alg) => alg,
                    None => continue,
                },
            };
            // A store may return a row twice; the same key twice is harmless, two keys are not.
            if let Some((_, public)) = seen.iter().find(|(id, _)| *id == row.id) {
                if *public == row.public_key {
                    continue;
                }
                return Err(invalid(format!(
                    "two stored rows have id {} with different public keys",
                    row.id
                )));
            }
            seen.push((&row.id, &row.public_key));
            let jwk = PublicJwk::from_json(&row.public_key)
                .map_err(|e| invalid(format!("row {}: {}", row.id, message_of(&e))))?;
            let entry = KeyEntry::new(backend, Some(row.id.clone()), jwk, Some(alg))
                .map_err(|e| invalid(format!("row {}: {}", row.id, message_of(&e))))?;
            entries.push(entry);
        }
        Ok(KeySet::assemble(backend, entries, Vec::new()))
    }

    /// The keys of the document that were left out, in document order.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.inner.skipped
    }

    /// Emits one `jwks.key_skipped` event per skipped key. Call it once per parsed document.
    pub fn report_skipped(&self, events: &Emitter) {
        for s in &self.inner.skipped {
            events.emit(Event::JwksKeySkipped {
                index: s.index,
                kid: s.kid.clone(),
                reason: s.reason,
            });
        }
    }

    /// The algorithms of the keys in the set (the default allowlist). A key without `alg` counts
    /// every algorithm of its family; `EdDSA` and `Ed25519` name the same keys.
    pub fn algorithms(&self) -> Vec<Algorithm> {
        self.inner.algorithms.clone()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.inner.keys.len()
    }

    /// Whether the set has no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kids of the keys, in document order (keys without a kid are left out).
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.inner.keys.iter().filter_map(|k| k.kid.as_deref())
    }

    /// Whether a key with this `kid` is in the set.
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.inner
            .keys
            .iter()
            .any(|k| k.kid.as_deref() == Some(kid))
    }

    /// The keys that may verify a token with `alg` and `kid`, each as its verifier for `alg`.
    ///
    /// With a kid: the keys of that kid that fit `alg`, in document order (usually one; a set
    /// may repeat a kid); `ERR_JWKS_NO_MATCHING_KEY` when none (a skipped key is not in the set).
    /// Without: every key that fits. Either way at most [`MAX_CANDIDATES`]
    /// (`ERR_JWKS_MULTIPLE_MATCHING_KEYS` beyond, so a token cannot make us try a whole set).
    pub fn candidates(&self, alg: Algorithm, kid: Option<&str>) -> Result<Vec<&VerifyingKey>> {
        let keys = &self.inner.keys;
        let fitting: Vec<&KeyEntry> = match kid {
            Some(kid) => {
                let named: Vec<&KeyEntry> = keys
                    .iter()
                    .filter(|k| k.kid.as_deref() == Some(kid))
                    .collect();
                if named.is_empty() {
                    return Err(Error::NoMatchingKey(
                        "no key has the token's kid".to_owned(),
                    ));
                }
                let fitting: Vec<&KeyEntry> = named.into_iter().filter(|k| k.fits(alg)).collect();
                if fitting.is_empty() {
                    return Err(Error::NoMatchingKey(format!(
                        "the key of the token's kid does not fit {alg}"
                    )));
                }
                fitting
            }
            None => {
                let fitting: Vec<&KeyEntry> = keys.iter().filter(|k| k.fits(alg)).collect();
                if fitting.is_empty() {
                    return Err(Error::NoMatchingKey(format!(
                        "the token has no kid and no key fits {alg}"
                    )));
                }
                fitting
            }
        };
        if fitting.len() > MAX_CANDIDATES {
            return Err(Error::MultipleMatchingKeys(match kid {
                Some(_) => format!(
                    "{} keys share the token's kid and fit {alg}; at most {MAX_CANDIDATES} are tried",
                    fitting.len()
                ),
                None => format!(
                    "the token has no kid and {} keys fit {alg}; tokens must name their key",
                    fitting.len()
                ),
            }));
        }
        fitting
            .into_iter()
            .map(|k| k.verifier(self.inner.backend, alg))
            .collect()
    }

    fn assemble(backend: Backend, keys: Vec<KeyEntry>, skipped: Vec<SkippedKey>) -> KeySet {
        let algorithms = ALL_ALGORITHMS
            .into_iter()
            .filter(|&alg| keys.iter().any(|k| k.fits(alg)))
            .collect();
        KeySet {
            inner: Arc::new(Inner {
                keys,
                skipped,
                algorithms,
                backend,
            }),
        }
    }
}

/// Most keys one token is tried against: the fitting keys of a token without `kid`, or the fitting
/// keys that share its kid.
pub const MAX_CANDIDATES: usize = 3;

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<String> = self
            .inner
            .keys
            .iter()
            .map(|k| {
                format!(
                    "{}:{}:{}",
                    k.kid.as_deref().unwrap_or("-"),
                    k.jwk.kty(),
                    k.alg.map_or("*", Algorithm::name)
                )
            })
            .collect();
        let skipped: Vec<String> = self
            .inner
            .skipped
            .iter()
            .map(|s| format!("#{}:{}", s.index, s.reason))
            .collect();
        f.debug_struct("KeySet")
            .field("keys", &keys)
            .field("skipped", &skipped)
            .field("backend", &self.inner.backend)
            .finish()
    }
}

impl KeyEntry {
    /// A key whose material has been checked: its verifier for its first algorithm is built now,
    /// so a weak or off-curve key fails here rather than on the first token.
    fn new(
        backend: Backend,
        kid: Option<String>,
        jwk: PublicJwk,
        alg: Option<Algorithm>,
    ) -> Result<KeyEntry> {
        let kind = jwk.kind();
        if let Some(alg) = alg {
            if alg.key_kind() != kind {
                return Err(Error::JwksInvalid(format!(
                    "alg {alg} does not fit a {} key",
                    jwk.kty()
                )));
            }
        }
        if let PublicJwk::Rsa { n, .. } = &jwk {
            if roca::has_roca_fingerprint(n) {
                return Err(Error::WeakKey(
                    "RSA modulus has the ROCA fingerprint (CVE-2017-15361)".to_owned(),
                ));
            }
        }
        let entry = KeyEntry {
            kid,
            jwk,
            alg,
            verifiers: Default::default(),
        };
        let first = alg.or_else(|| ALL_ALGORITHMS.into_iter().find(|a| a.key_kind() == kind));
        if let Some(first) = first {
            entry.verifier(backend, first)?;
        }
        Ok(entry)
    }

    /// Whether this key may verify `alg`: same key family, and the JWK's `alg` (if any) names
    /// `alg` (EdDSA and Ed25519 are one algorithm for Ed25519 keys).
    fn fits(&self, alg: Algorithm) -> bool {
        alg.key_kind() == self.jwk.kind()
            && match self.alg {
                None => true,
                Some(own) => own == alg || (is_ed25519(own) && is_ed25519(alg)),
            }
    }

    /// The verifier for `alg`, built on first use and kept.
    fn verifier(&self, backend: Backend, alg: Algorithm) -> Result<&VerifyingKey> {
        let slot = ALL_ALGORITHMS
            .iter()
            .position(|&a| a == alg)
            .and_then(|i| self.verifiers.get(i))
            .ok_or_else(|| Error::NotSupported(format!("algorithm {alg}")))?;
        if let Some(v) = slot.get() {
            return Ok(v);
        }
        let built = VerifyingKey::from_public_jwk_with(backend, &self.jwk, alg)?;
        // Another thread may have won the race; either verifier is the same key.
        let _ = slot.set(built);
        slot.get()
            .ok_or_else(|| Error::NotSupported(format!("algorithm {alg}")))
    }
}

fn is_ed25519(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::EdDSA | Algorithm::Ed25519)
}

/// One JWK of a set as a usable key, or why it is skipped (the checks in the module's order).
fn parse_key(
    backend: Backend,
    obj: &Map<String, Value>,
) -> std::result::Result<KeyEntry, SkipReason> {
    if PRIVATE_MEMBERS.iter().any(|m| obj.contains_key(*m)) {
        return Err(SkipReason::PrivateKeyPublished);
    }
    match obj.get("use") {
        None => {}
        Some(Value::String(u)) if u == "sig" => {}
        Some(_) => return Err(SkipReason::NotForSignatures),
    }
    if let Some(ops) = obj.get("key_ops") {
        let verify = ops.as_array().is_some_and(|ops| {
            ops.iter().all(Value::is_string) && ops.iter().any(|op| op == "verify")
        });
        if !verify {
            return Err(SkipReason::KeyOpsWithoutVerify);
        }
    }
    let alg = match obj.get("alg") {
        None => None,
        Some(Value::String(name)) => match Algorithm::from_name(name) {
            Some(alg) => Some(alg),
            None if skip::is_encryption_alg(name) => return Err(SkipReason::EncryptionAlgorithm),
            None => return Err(SkipReason::UnsupportedAlgorithm),
        },
        Some(_) => return Err(SkipReason::MalformedKey),
    };
    let kid = match obj.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(SkipReason::MalformedKey),
    };
    let jwk = PublicJwk::from_map(obj).map_err(|e| SkipReason::of_error(&e))?;
    if alg.is_some_and(|alg| alg.key_kind() != jwk.kind()) {
        return Err(SkipReason::AlgorithmMismatch);
    }
    KeyEntry::new(backend, kid, jwk, alg).map_err(|e| SkipReason::of_error(&e))
}

/// The message of an error without its "invalid JWKS:" style prefix, for wrapping.
fn message_of(e: &Error) -> String {
    match e {
        Error::JwksInvalid(m) | Error::WeakKey(m) | Error::NotSupported(m) => m.clone(),
        other => other.to_string(),
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::JwksInvalid(msg.into())
}

/// A row's `public_key` column as a JSON object holding no private member: what [`build_jwks`]
/// publishes and what the issuer requires before signing with the row, so a row that could never
/// be published never signs either. `ERR_JWKS_INVALID` naming the row (never the member's value).
pub fn public_column(row: &JwkRow) -> Result<Map<String, Value>> {
    let public = crate::jws::json::parse_object(row.public_key.as_bytes())
        .map_err(|e| invalid(format!("row {}: public key: {e}", row.id)))?;
    if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| public.contains_key(**m)) {
        return Err(invalid(format!(
            "row {}: the public key column holds the private member {member:?}; store the \
             public JWK only",
            row.id
        )));
    }
    Ok(public)
}

/// The published JWKS body built from stored rows as Better Auth's `/jwks` does: each key's public
/// JWK with `kid` = row id, `alg`, `crv` and `use: "sig"`; keys past `expires_at + grace_period_s`
/// left out.
///
/// Members come in Better Auth's order (`{alg, crv, ...publicKey, kid}`) with `use` last. A row is
/// kept while `now_ms < expires_at + grace` (Better Auth: `expiresAt + gracePeriod > now`). A row
/// whose public key is not a JSON object, or carries private members, is `ERR_JWKS_INVALID`:
/// nothing private is ever published.
pub fn build_jwks(
    rows: &[JwkRow],
    default_alg: Algorithm,
    now_ms: i64,
    grace_period_s: i64,
) -> Result<Value> {
    let grace_ms = grace_period_s.saturating_mul(1000);
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows {
        if row
            .expires_at
            .is_some_and(|exp| exp.saturating_add(grace_ms) <= now_ms)
        {
            continue;
        }
        let public = public_column(row)?;
        let alg = row
            .alg
            .clone()
            .unwrap_or_else(|| default_alg.name().to_owned());
        let crv = row.crv.clone().or_else(|| {
            Algorithm::from_name(&alg)
                .and_then(Algorithm::crv)
                .map(str::to_owned)
        });
        let mut key = Map::with_capacity(public.len() + 4);
        key.insert("alg".to_owned(), Value::String(alg));
        if let Some(crv) = crv {
            key.insert("crv".to_owned(), Value::String(crv));
        }
        key.extend(public);
        key.insert("kid".to_owned(), Value::String(row.id.clone()));
        key.insert("use".to_owned(), Value::String("sig".to_owned()));
        keys.push(Value::Object(key));
    }
    let mut doc = Map::with_capacity(1);
    doc.insert("keys".to_owned(), Value::Array(keys));
    Ok(Value::Object(doc))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
