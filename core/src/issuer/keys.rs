//! The signing keys: choosing the row that signs (the rule of `rotation`), opening it once,
//! caching it, and creating the next one single-flight. The rules are DESIGN.md's "issuer's rules": a key is used only after
//! `create_jwk` returned it, one key at a time per process, no store read or decryption per token.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::alg::{Algorithm, KeyPairConfig};
use crate::crypto::{fill_random, SigningKey};
use crate::error::{Error, Result, StoreError};
use crate::events::Event;
use crate::jwk::PublicJwk;
use crate::jws::EncodedHeader;
use crate::store::JwkRow;

use super::rotation::{signing_row, signs_until, KeyPlan};
use super::Inner;

/// An opened signing key with what the issuer needs to use it.
pub(super) struct LoadedKey {
    pub key: Arc<SigningKey>,
    pub kid: String,
    pub alg: Algorithm,
    /// The row's `public_key` column, to recognise the same row on a cache refresh.
    pub public_key: String,
    pub expires_at_ms: Option<i64>,
    /// The row's `created_at`.
    pub created_at_ms: i64,
    /// When the rotation rule stops choosing this key, as of the rows it was chosen from: its
    /// `expires_at`, or earlier when a key stored ahead becomes ready.
    pub signs_until_ms: Option<i64>,
    pub loaded_at_ms: i64,
    /// The `{alg, kid}` header, encoded once per key rather than per token.
    pub header: EncodedHeader,
    /// The successor of this key is stored and opened (scheduled rotation).
    next_prepared: AtomicBool,
}

impl LoadedKey {
    /// Before [`LoadedKey::signs_until_ms`]: allowed to sign.
    pub fn usable_at(&self, now_ms: i64) -> bool {
        self.signs_until_ms.is_none_or(|at| now_ms < at)
    }

    /// The same key, chosen until `until`.
    pub fn signing_until(&self, until: Option<i64>) -> LoadedKey {
        LoadedKey {
            key: self.key.clone(),
            kid: self.kid.clone(),
            alg: self.alg,
            public_key: self.public_key.clone(),
            expires_at_ms: self.expires_at_ms,
            created_at_ms: self.created_at_ms,
            signs_until_ms: until,
            loaded_at_ms: self.loaded_at_ms,
            header: self.header.clone(),
            next_prepared: AtomicBool::new(self.next_is_prepared()),
        }
    }

    pub fn next_is_prepared(&self) -> bool {
        self.next_prepared.load(Ordering::Acquire)
    }

    pub fn mark_next_prepared(&self) {
        self.next_prepared.store(true, Ordering::Release);
    }

    /// When scheduled rotation prepares this key's successor: `lead` before `expires_at`.
    pub fn prepare_at(&self, lead_ms: i64) -> Option<i64> {
        self.expires_at_ms.map(|at| at.saturating_sub(lead_ms))
    }

    /// Usable and younger than the cache TTL: no need to read the store.
    pub fn fresh_at(&self, now_ms: i64, ttl_ms: i64) -> bool {
        self.usable_at(now_ms) && now_ms < self.loaded_at_ms.saturating_add(ttl_ms)
    }
}

/// Whether a refused `create_jwk` may fall back to a key another process stored meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Adopt {
    /// Signing needs *a* live key: another process's will do.
    StoredByOthers,
    /// `rotate()` asked for a new key: a refusal is the answer.
    Nothing,
}

/// One configured algorithm: its cached key and the guard that makes refreshes single-flight.
pub(super) struct Slot {
    pub config: KeyPairConfig,
    current: RwLock<Option<Arc<LoadedKey>>>,
    /// The next key, stored and opened ahead of its switch.
    pending: RwLock<Option<Arc<LoadedKey>>>,
    pub(super) refresh: tokio::sync::Mutex<()>,
    background: AtomicBool,
    /// Makes the preparation of the next key single-flight.
    pub(super) prepare: tokio::sync::Mutex<()>,
    preparing: AtomicBool,
    /// Failed preparations in a row, and the earliest time of the next attempt.
    prepare_backoff: Mutex<(u32, i64)>,
}

impl Slot {
    pub fn new(config: KeyPairConfig) -> Self {
        Slot {
            config,
            current: RwLock::new(None),
            pending: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            background: AtomicBool::new(false),
            prepare: tokio::sync::Mutex::new(()),
            preparing: AtomicBool::new(false),
            prepare_backoff: Mutex::new((0, i64::MIN)),
        }
    }

    /// The cached key (a read lock held for one `Arc` clone).
    pub fn cached(&self) -> Option<Arc<LoadedKey>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn set(&self, key: Arc<LoadedKey>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(key);
    }

    pub(super) fn set_pending(&self, key: Arc<LoadedKey>) {
        *self.pending.write().unwrap_or_else(PoisonError::into_inner) = Some(key);
    }

    pub(super) fn pending(&self) -> Option<Arc<LoadedKey>> {
        self.pending
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Drops `kid` from the cache (a revoked key): the next `sign` reads the store.
    pub(super) fn forget(&self, kid: &str) {
        for cell in [&self.current, &self.pending] {
            let mut guard = cell.write().unwrap_or_else(PoisonError::into_inner);
            if guard.as_ref().is_some_and(|k| k.kid == kid) {
                *guard = None;
            }
        }
    }

    /// Claims the right to start one background preparation of the next key at `now_ms`;
    /// `false` if one is running or the backoff of a failed one has not passed.
    pub fn claim_prepare(&self, now_ms: i64) -> bool {
        let due = self
            .prepare_backoff
            .lock()
            .map_or(true, |backoff| now_ms >= backoff.1);
        due && !self.preparing.swap(true, Ordering::AcqRel)
    }

    /// Releases [`Slot::claim_prepare`].
    pub fn release_prepare(&self) {
        self.preparing.store(false, Ordering::Release);
    }

    pub(super) fn prepare_succeeded(&self) {
        if let Ok(mut backoff) = self.prepare_backoff.lock() {
            *backoff = (0, i64::MIN);
        }
    }

    /// Counts one more failed preparation; returns the count.
    pub(super) fn prepare_failed_count(&self) -> u32 {
        self.prepare_backoff
            .lock()
            .map_or(1, |backoff| backoff.0.saturating_add(1))
    }

    /// Records a failed preparation; the next attempt waits until `retry_at_ms`.
    pub(super) fn prepare_failed(&self, retry_at_ms: i64) {
        if let Ok(mut backoff) = self.prepare_backoff.lock() {
            *backoff = (backoff.0.saturating_add(1), retry_at_ms);
        }
    }

    /// Claims the right to start one background refresh; `false` if one is running.
    pub fn claim_background(&self) -> bool {
        !self.background.swap(true, Ordering::AcqRel)
    }

    /// Releases [`Slot::claim_background`].
    pub fn release_background(&self) {
        self.background.store(false, Ordering::Release);
    }
}

impl Inner {
    /// The key to sign with for slot `index`: the cached one while fresh, else the row the
    /// rotation rule chooses, else a new key. Concurrent callers share one refresh.
    pub(super) async fn signing_key(&self, index: usize) -> Result<Arc<LoadedKey>> {
        let slot = self.slot(index)?;
        if let Some(k) = slot.cached() {
            if k.fresh_at(self.clock.now_ms(), self.key_cache_ttl_ms) {
                return Ok(k);
            }
        }
        let _guard = slot.refresh.lock().await;
        let now = self.clock.now_ms();
        let previous = slot.cached();
        if let Some(k) = &previous {
            if k.fresh_at(now, self.key_cache_ttl_ms) {
                return Ok(k.clone());
            }
        }
        let rows = self.read_rows().await?;
        let alg = slot.config.alg;
        let loaded = match self.chosen_row(&rows, alg, now) {
            Some((row, until)) => {
                let reuse = match (&previous, slot.pending()) {
                    (Some(p), _) if p.kid == row.id => Some(p.clone()),
                    (_, Some(p)) if p.kid == row.id => Some(p),
                    (p, _) => p.clone(),
                };
                let opened = self
                    .open_row(row, alg, reuse.as_deref(), now, until)
                    .await?;
                if previous.as_ref().is_some_and(|p| p.kid != opened.kid) {
                    // Scheduled or staged rotation: this process now signs with the next key.
                    self.events.emit(Event::KeyRotated {
                        kid: opened.kid.clone(),
                        alg: alg.name(),
                    });
                }
                opened
            }
            None => {
                let had_key = previous.is_some() || rows.iter().any(|r| self.row_has_alg(r, alg));
                self.create_key(
                    slot.config,
                    had_key,
                    Adopt::StoredByOthers,
                    KeyPlan::Immediate,
                )
                .await?
                .0
            }
        };
        slot.set(loaded.clone());
        Ok(loaded)
    }

    /// The row the rotation rule chooses for `alg` at `now_ms`, and until when.
    fn chosen_row<'r>(
        &self,
        rows: &'r [JwkRow],
        alg: Algorithm,
        now_ms: i64,
    ) -> Option<(&'r JwkRow, Option<i64>)> {
        let lead = self.rotation_lead_ms;
        let row = signing_row(self.rows_of(rows, alg), now_ms, lead)?;
        Some((row, signs_until(self.rows_of(rows, alg), row, now_ms, lead)))
    }

    /// The key of a pinned `signingKeyId` (Better Auth's semantics: it must exist, must not be
    /// expired, and must have `wanted` as its algorithm when one is asked for).
    pub(super) async fn pinned_key(
        &self,
        kid: &str,
        wanted: Option<Algorithm>,
    ) -> Result<Arc<LoadedKey>> {
        let now = self.clock.now_ms();
        if let Some(k) = self.cached_pinned(kid, now) {
            if k.fresh_at(now, self.key_cache_ttl_ms) {
                check_pinned_alg(&k, wanted)?;
                return Ok(k);
            }
        }
        let rows = self.read_rows().await?;
        let row = rows.iter().find(|r| r.id == kid).ok_or_else(|| {
            Error::NoMatchingKey(format!(
                "signingKeyId {kid} is not in the key store; create the key before pinning it"
            ))
        })?;
        let alg = self.row_algorithm(row).ok_or_else(|| {
            Error::InvalidConfig(format!(
                "signingKeyId {kid} has an algorithm this issuer does not sign with"
            ))
        })?;
        if let Some(w) = wanted {
            if w != alg {
                return Err(Error::InvalidConfig(format!(
                    "signingKeyId {kid} has alg {alg} but signingAlgorithm is {w}"
                )));
            }
        }
        if !row.is_live_at(now) {
            return Err(Error::NoMatchingKey(format!(
                "signingKeyId {kid} has expired; a pinned key is never replaced silently, rotate explicitly"
            )));
        }
        let previous = self.cached_pinned(kid, now);
        let loaded = self
            .open_row(row, alg, previous.as_deref(), now, row.expires_at)
            .await?;
        self.pinned
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(kid.to_owned(), loaded.clone());
        Ok(loaded)
    }

    /// A pinned key already opened (by a slot or an earlier pinned call), if any.
    pub(super) fn cached_pinned(&self, kid: &str, now_ms: i64) -> Option<Arc<LoadedKey>> {
        for slot in &self.slots {
            if let Some(k) = slot.cached() {
                if k.kid == kid && k.usable_at(now_ms) {
                    return Some(k);
                }
            }
        }
        self.pinned
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(kid)
            .cloned()
    }

    /// The algorithm of a row (a missing `alg` reads as the configured one), if supported.
    pub(super) fn row_algorithm(&self, row: &JwkRow) -> Option<Algorithm> {
        Algorithm::from_name(row.alg_or(self.default_alg.name()))
    }

    fn row_has_alg(&self, row: &JwkRow, alg: Algorithm) -> bool {
        row.alg_or(self.default_alg.name()) == alg.name()
    }

    /// Drops a revoked `kid` from the pinned keys.
    pub(super) fn forget_pinned(&self, kid: &str) {
        self.pinned
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(kid);
    }

    /// Opens a stored row into a signing key, off the async executor (PBKDF2, RSA parsing).
    /// The same row as `previous` reuses its opened key: no decryption on a cache refresh.
    /// `signs_until` is when the rotation rule stops choosing it.
    pub(super) async fn open_row(
        &self,
        row: &JwkRow,
        alg: Algorithm,
        previous: Option<&LoadedKey>,
        now_ms: i64,
        signs_until: Option<i64>,
    ) -> Result<Arc<LoadedKey>> {
        let key = match previous {
            Some(p) if p.kid == row.id && p.public_key == row.public_key && p.alg == alg => {
                p.key.clone()
            }
            _ => Arc::new(self.open_private_key(row, alg).await?),
        };
        Ok(Arc::new(LoadedKey {
            key,
            header: EncodedHeader::new(alg, &row.id, None)?,
            kid: row.id.clone(),
            alg,
            public_key: row.public_key.clone(),
            expires_at_ms: row.expires_at,
            created_at_ms: row.created_at,
            signs_until_ms: signs_until,
            loaded_at_ms: now_ms,
            // A re-read of the same key keeps its prepared successor: no second preparation.
            next_prepared: AtomicBool::new(
                previous.is_some_and(|p| p.kid == row.id && p.next_is_prepared()),
            ),
        }))
    }

    async fn open_private_key(&self, row: &JwkRow, alg: Algorithm) -> Result<SigningKey> {
        // The same refusal as jwks(): a row that cannot be published never signs.
        crate::jwks::public_column(row)?;
        let kid = row.id.clone();
        let public = PublicJwk::from_json(&row.public_key)
            .map_err(|e| unusable_row(&kid, &format!("its public key is unreadable ({e})")))?;
        let sealer = self.sealer.clone();
        let column = row.private_key.clone();
        let task_kid = kid.clone();
        let task_public = public.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let (jwk, weak_secret) =
                sealer.open_reporting_strength(&task_kid, &column, &task_public)?;
            SigningKey::from_private_jwk(&jwk, alg).map(|key| (key, weak_secret))
        })
        .await
        .map_err(|_| Error::KeyDecryptionFailed {
            kid: kid.clone(),
            message: "the task opening the key was cancelled".to_owned(),
        })?;
        // Same code as `seal` uses for a private key that does not belong to its row.
        let refuse = |message: String| Error::KeyDecryptionFailed {
            kid: kid.clone(),
            message,
        };
        let (key, weak_secret) = match opened {
            Ok(opened) => opened,
            Err(e @ Error::KeyDecryptionFailed { .. }) => return Err(e),
            Err(e) => return Err(refuse(format!("the opened private key is unusable ({e})"))),
        };
        // The public key is always derived from the private key, never trusted from the row.
        if key.public_jwk() != &public {
            return Err(refuse(
                "the private key does not match the row's public key; refusing to sign with it"
                    .to_owned(),
            ));
        }
        if weak_secret {
            self.events.emit(Event::WeakSecretUsed { kid });
        }
        Ok(key)
    }

    /// [`Inner::create_key`] without adoption: a refusal is the answer.
    pub(super) async fn create_key_with(
        &self,
        config: KeyPairConfig,
        replaces: bool,
        plan: KeyPlan,
    ) -> Result<(Arc<LoadedKey>, JwkRow)> {
        self.create_key(config, replaces, Adopt::Nothing, plan)
            .await
    }

    /// Generates, seals and stores a new key dated and expiring as `plan` says; only the row
    /// `create_jwk` returns is used. With [`Adopt::StoredByOthers`], a store that refuses the key
    /// is read once more (see there).
    async fn create_key(
        &self,
        config: KeyPairConfig,
        replaces: bool,
        adopt: Adopt,
        plan: KeyPlan,
    ) -> Result<(Arc<LoadedKey>, JwkRow)> {
        let sealer = self.sealer.clone();
        let made = tokio::task::spawn_blocking(move || -> Result<_> {
            let key = SigningKey::generate(&config)?;
            let sealed = sealer.seal(&key.to_private_jwk()?)?;
            Ok((key, sealed))
        })
        .await
        .map_err(|_| {
            Error::Store(StoreError::new(
                "create_jwk",
                "the task generating the key was cancelled; nothing was stored",
            ))
        })?;
        let (key, sealed) = made?;
        let alg = config.alg;
        let now = self.clock.now_ms();
        let (created_at, expires_at) =
            plan.times(now, self.rotation_lead_ms, self.rotation_interval_ms);
        let proposed = JwkRow {
            id: random_kid()?,
            public_key: key.public_jwk().to_json(),
            private_key: sealed,
            created_at,
            expires_at,
            alg: Some(alg.name().to_owned()),
            crv: alg.crv().map(str::to_owned),
        };
        let stored = match self.io.create_row(proposed).await {
            Ok(row) => row,
            Err(Error::Store(refused)) if adopt == Adopt::StoredByOthers => {
                return self.key_stored_by_others(alg, refused).await;
            }
            Err(e) => return Err(e),
        };
        self.check_stored_row(&stored, &key, alg)?;
        let loaded = Arc::new(LoadedKey {
            header: EncodedHeader::new(alg, &stored.id, None)?,
            key: Arc::new(key),
            kid: stored.id.clone(),
            alg,
            public_key: stored.public_key.clone(),
            expires_at_ms: stored.expires_at,
            created_at_ms: stored.created_at,
            signs_until_ms: stored.expires_at,
            loaded_at_ms: self.clock.now_ms(),
            next_prepared: AtomicBool::new(false),
        });
        self.remember_created_row(&stored);
        let name = alg.name();
        self.events.emit(Event::KeyCreated {
            kid: stored.id.clone(),
            alg: name,
        });
        if replaces {
            self.events.emit(Event::KeyRotated {
                kid: stored.id.clone(),
                alg: name,
            });
        }
        Ok((loaded, stored))
    }

    /// After `create_jwk` refused our key: a store that lets one process create the key of a
    /// window (an advisory lock or a unique constraint) refuses the others, so read once more and
    /// use the live key another process stored. Without one, the store's own error stands.
    async fn key_stored_by_others(
        &self,
        alg: Algorithm,
        refused: StoreError,
    ) -> Result<(Arc<LoadedKey>, JwkRow)> {
        let Ok(rows) = self.read_rows().await else {
            return Err(Error::Store(refused));
        };
        let now = self.clock.now_ms();
        match self.chosen_row(&rows, alg, now) {
            Some((row, until)) => Ok((
                self.open_row(row, alg, None, now, until).await?,
                row.clone(),
            )),
            None => Err(Error::Store(refused)),
        }
    }

    /// The row `create_jwk` returned must hold the key we made (its id may differ).
    fn check_stored_row(&self, stored: &JwkRow, key: &SigningKey, alg: Algorithm) -> Result<()> {
        let refuse = |why: &str| {
            Err(Error::Store(StoreError::new(
                "create_jwk",
                format!("the stored row {why}; the key is not used"),
            )))
        };
        if stored.id.is_empty() {
            return refuse("has an empty id");
        }
        if self.kid_taken_by_another_key(&stored.id, key.public_jwk()) {
            // Signing under it would give one kid two keys: every other reader of the store
            // keeps the old one and refuses our tokens.
            return Err(Error::Store(StoreError::new(
                "create_jwk",
                format!(
                    "the stored row has the id {} of a row already in the store; the store must \
                     keep ids unique (keep the proposed id or make a new one); the key is not used",
                    stored.id
                ),
            )));
        }
        crate::jwks::public_column(stored)?;
        match PublicJwk::from_json(&stored.public_key) {
            Ok(p) if &p == key.public_jwk() => {}
            _ => return refuse("holds a different public key than the one proposed"),
        }
        if !self.row_has_alg(stored, alg) {
            return refuse("has a different alg than the one proposed");
        }
        if !stored.is_live_at(self.clock.now_ms()) {
            return refuse("is already past its expires_at");
        }
        Ok(())
    }
}

impl Inner {
    /// Whether `kid` already names another key: a row of the issuer's last read of the store, or
    /// a key it has loaded, that holds a public key other than `ours` (the key just made; a
    /// concurrent read may already have seen our own new row, which is no conflict).
    fn kid_taken_by_another_key(&self, kid: &str, ours: &PublicJwk) -> bool {
        let other_row = self
            .snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|snap| {
                snap.rows.iter().any(|r| {
                    r.id == kid && PublicJwk::from_json(&r.public_key).ok().as_ref() != Some(ours)
                })
            });
        let other_loaded = |k: &LoadedKey| k.kid == kid && k.key.public_jwk() != ours;
        other_row
            || self
                .slots
                .iter()
                .filter_map(Slot::cached)
                .any(|k| other_loaded(&k))
            || self
                .pinned
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(kid)
                .is_some_and(|k| other_loaded(k))
    }
}

pub(super) fn check_pinned_alg(key: &LoadedKey, wanted: Option<Algorithm>) -> Result<()> {
    match wanted {
        Some(w) if w != key.alg => Err(Error::InvalidConfig(format!(
            "signingKeyId {} has alg {} but signingAlgorithm is {w}",
            key.kid, key.alg
        ))),
        _ => Ok(()),
    }
}

fn unusable_row(kid: &str, why: &str) -> Error {
    Error::Store(StoreError::new("get_jwks", format!("row {kid}: {why}")))
}

/// 32 random alphanumerics, as Better Auth's generated ids.
fn random_kid() -> Result<String> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(32);
    while out.len() < 32 {
        let mut buf = [0u8; 64];
        fill_random(&mut buf)?;
        // Rejection sampling: 248 = 4 * 62, so accepted bytes are uniform over the alphabet.
        for b in buf.iter().filter(|b| **b < 248) {
            if out.len() == 32 {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(*b % 62)]));
        }
    }
    Ok(out)
}
