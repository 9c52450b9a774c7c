//! Rotation without a verifier noticing: which stored row signs (a rule over the rows alone, so
//! every process of a deployment switches at the same instant with only the store shared),
//! preparing the next key `rotationLead` before the current one expires, retiring a rotated-away
//! key, and revoking one.
//!
//! The rule, for the rows of one algorithm that are live (not past `expires_at`, not revoked):
//! a row is *ready* once it has been stored for the lead (`created_at + lead <= now`); the newest
//! ready row signs; while no live row is ready, the oldest live row signs. So a key stored ahead
//! of rotation is published for the whole lead before it signs, the first key of an empty store
//! signs at once, and a scheduled next key takes over exactly when the current key expires.

use std::sync::Arc;

use crate::alg::Algorithm;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::store::{JwkRow, JwkUpdate, REVOKED_EXPIRES_AT};

use super::keys::LoadedKey;
use super::Inner;

/// The backoff of a failed preparation: 1 s doubled per failure, at most a minute.
const PREPARE_RETRY_FIRST_MS: i64 = 1_000;
const PREPARE_RETRY_MAX_MS: i64 = 60_000;

/// When a new key's row is dated and when it expires, relative to the moment it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyPlan {
    /// No live key: the key signs at once (`created_at` = now).
    Immediate,
    /// `rotate()`: signs at once in every process, so `created_at` = now − lead (it counts as
    /// published for the lead already).
    Emergency,
    /// A staged rotation: published now, signs after the lead; it then lives a full interval.
    Staged,
    /// Scheduled rotation: the successor of a key expiring at this instant; it signs from then
    /// and lives a full interval after it.
    Next { current_expires_at: i64 },
}

impl KeyPlan {
    /// `(created_at, expires_at)` of a key stored at `now_ms`.
    pub fn times(self, now_ms: i64, lead_ms: i64, interval_ms: Option<i64>) -> (i64, Option<i64>) {
        let after = |start: i64| interval_ms.map(|i| start.saturating_add(i));
        match self {
            KeyPlan::Immediate => (now_ms, after(now_ms)),
            KeyPlan::Emergency => (now_ms.saturating_sub(lead_ms), after(now_ms)),
            KeyPlan::Staged => (now_ms, after(now_ms.saturating_add(lead_ms))),
            KeyPlan::Next { current_expires_at } => (now_ms, after(current_expires_at.max(now_ms))),
        }
    }
}

/// Whether a row may sign at `now_ms`: live and not revoked.
fn live(row: &JwkRow, now_ms: i64) -> bool {
    !row.is_revoked() && row.is_live_at(now_ms)
}

fn ready_at(row: &JwkRow, lead_ms: i64) -> i64 {
    row.created_at.saturating_add(lead_ms)
}

/// The row that signs at `now_ms` among `rows` (all of one algorithm): the newest ready live
/// row, else the oldest live row (ties broken by id, so every process picks the same row).
pub(super) fn signing_row<'r>(
    rows: impl Iterator<Item = &'r JwkRow> + Clone,
    now_ms: i64,
    lead_ms: i64,
) -> Option<&'r JwkRow> {
    let order = |r: &&JwkRow| (r.created_at, r.id.clone());
    let newest_ready = rows
        .clone()
        .filter(|r| live(r, now_ms) && ready_at(r, lead_ms) <= now_ms)
        .max_by_key(order);
    newest_ready.or_else(|| rows.filter(|r| live(r, now_ms)).min_by_key(order))
}

/// Until when `chosen` stays the signing row, seen from `rows` at `now_ms`: its `expires_at`,
/// or earlier, when another live row becomes ready (and, being newer, takes over).
pub(super) fn signs_until<'r>(
    rows: impl Iterator<Item = &'r JwkRow>,
    chosen: &JwkRow,
    now_ms: i64,
    lead_ms: i64,
) -> Option<i64> {
    let next_ready = rows
        .filter(|r| r.id != chosen.id && live(r, now_ms))
        .map(|r| ready_at(r, lead_ms))
        .filter(|at| *at > now_ms)
        .min();
    match (chosen.expires_at, next_ready) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Inner {
    /// Rows of `alg` (a missing `alg` reads as the configured one).
    pub(super) fn rows_of<'r>(
        &self,
        rows: &'r [JwkRow],
        alg: Algorithm,
    ) -> impl Iterator<Item = &'r JwkRow> + Clone + use<'r> {
        let name = alg.name();
        let default = self.default_alg.name();
        rows.iter().filter(move |r| r.alg_or(default) == name)
    }

    /// Stores the successor of slot `index`'s signing key once it is within the lead of its
    /// `expires_at` (scheduled rotation), or adopts one another process stored; the next key is
    /// opened ahead so the switch costs no decryption. `None` when nothing was due.
    pub(super) async fn prepare_next(&self, index: usize) -> Result<Option<JwkRow>> {
        let slot = self.slot(index)?;
        let _guard = slot.prepare.lock().await;
        let current = self.signing_key(index).await?;
        let (Some(_), Some(expires_at)) = (self.rotation_interval_ms, current.expires_at_ms) else {
            return Ok(None);
        };
        let now = self.clock.now_ms();
        if now < expires_at.saturating_sub(self.rotation_lead_ms) || current.next_is_prepared() {
            return Ok(None);
        }
        let alg = slot.config.alg;
        let rows = self.read_rows().await?;
        if let Some(row) = self.successor_row(&rows, alg, &current, now) {
            // Already opened (an earlier preparation of this process): no second decryption.
            let pending = slot.pending();
            slot.set_pending(
                self.open_row(row, alg, pending.as_deref(), now, None)
                    .await?,
            );
            current.mark_next_prepared();
            return Ok(Some(row.clone()));
        }
        let plan = KeyPlan::Next {
            current_expires_at: expires_at,
        };
        let created = match self.create_key_with(slot.config, false, plan).await {
            Ok(created) => created,
            // A store that lets one process create the key of a window refuses the others:
            // the successor another process stored is the one to use.
            Err(e @ Error::Store(_)) => {
                let Ok(rows) = self.read_rows().await else {
                    return Err(e);
                };
                let row = self
                    .successor_row(&rows, alg, &current, now)
                    .ok_or(e)?
                    .clone();
                (self.open_row(&row, alg, None, now, None).await?, row)
            }
            Err(e) => return Err(e),
        };
        let (loaded, row) = created;
        self.events.emit(Event::KeyPublished {
            kid: row.id.clone(),
            alg: alg.name(),
            signs_at_ms: expires_at.max(row.created_at.saturating_add(self.rotation_lead_ms)),
        });
        slot.set_pending(loaded);
        current.mark_next_prepared();
        Ok(Some(row))
    }

    /// [`Inner::prepare_next`] with its failures reported and retried after a backoff.
    pub(super) async fn prepare_next_reporting(&self, index: usize) -> Result<Option<JwkRow>> {
        let slot = self.slot(index)?;
        let result = self.prepare_next(index).await;
        match &result {
            Ok(_) => slot.prepare_succeeded(),
            Err(e) => {
                let failures = slot.prepare_failed_count();
                let shift = failures.saturating_sub(1).min(16);
                let retry_in_ms = PREPARE_RETRY_FIRST_MS
                    .saturating_mul(1_i64 << shift)
                    .min(PREPARE_RETRY_MAX_MS);
                slot.prepare_failed(self.clock.now_ms().saturating_add(retry_in_ms));
                self.events.emit(Event::KeyPreparationFailed {
                    alg: slot.config.alg.name(),
                    code: e.code(),
                    retry_in_ms,
                });
            }
        }
        result
    }

    /// A live row of `alg` stored after `current`: the next key, already there.
    fn successor_row<'r>(
        &self,
        rows: &'r [JwkRow],
        alg: Algorithm,
        current: &LoadedKey,
        now_ms: i64,
    ) -> Option<&'r JwkRow> {
        self.rows_of(rows, alg)
            .filter(|r| r.id != current.kid && live(r, now_ms))
            .filter(|r| r.created_at > current.created_at_ms)
            .max_by_key(|r| (r.created_at, r.id.clone()))
    }

    /// `rotate()` (`staged` false: the new key signs now in every process) or a staged rotation
    /// (published now, signs after the lead). Every other live key of the algorithm is retired
    /// at the switch.
    pub(super) async fn rotate_primary(&self, staged: bool) -> Result<JwkRow> {
        let slot = self.slot(0)?;
        let _guard = slot.refresh.lock().await;
        let rows = self.read_rows().await?;
        let plan = if staged {
            KeyPlan::Staged
        } else {
            KeyPlan::Emergency
        };
        let (loaded, row) = self.create_key_with(slot.config, !staged, plan).await?;
        let now = self.clock.now_ms();
        let switch_at = if staged {
            now.saturating_add(self.rotation_lead_ms)
        } else {
            now
        };
        let alg = slot.config.alg;
        let mut after = self.retire_others(&rows, alg, &row.id, switch_at).await;
        after.push(row.clone());
        if staged {
            self.events.emit(Event::KeyPublished {
                kid: row.id.clone(),
                alg: alg.name(),
                signs_at_ms: switch_at,
            });
            slot.set_pending(loaded);
            if let Some(current) = slot.cached() {
                slot.set(Arc::new(current.signing_until(Some(switch_at))));
            }
        } else {
            let until = signs_until(self.rows_of(&after, alg), &row, now, self.rotation_lead_ms);
            slot.set(Arc::new(loaded.signing_until(until)));
        }
        Ok(row)
    }

    /// Records `switch_at` as the `expires_at` of every other live row of `alg` that would
    /// outlive it (`update_jwk`), so it stops signing then and leaves the JWKS after the grace
    /// period in every process; returns the rows as they now are. Without the callback (or when it
    /// fails) an event says what stays published; the rotation itself stands.
    async fn retire_others(
        &self,
        rows: &[JwkRow],
        alg: Algorithm,
        new_id: &str,
        switch_at: i64,
    ) -> Vec<JwkRow> {
        let now = self.clock.now_ms();
        let grace_ms = self.grace_period_s.saturating_mul(1000);
        let mut out = rows.to_vec();
        let can_update = self.io.store.can_update();
        for row in out.iter_mut() {
            let outlives = row.expires_at.is_none_or(|at| at > switch_at);
            if row.id == new_id || !outlives || !live(row, now) || !self.row_is(row, alg) {
                continue;
            }
            let failure = if can_update {
                let update = JwkUpdate {
                    expires_at: switch_at,
                };
                match self.io.update_row(&row.id, update).await {
                    Ok(()) => None,
                    Err(e) => Some(e.code()),
                }
            } else {
                Some("no_update_callback")
            };
            match failure {
                None => {
                    row.expires_at = Some(switch_at);
                    self.remember_updated_row(&row.id, switch_at);
                    self.events.emit(Event::KeyRetired {
                        kid: row.id.clone(),
                        expires_at_ms: switch_at,
                    });
                }
                Some(reason) => self.events.emit(Event::KeyRetirementUnrecorded {
                    kid: row.id.clone(),
                    published_until_ms: row.expires_at.map(|at| at.saturating_add(grace_ms)),
                    reason,
                }),
            }
        }
        out
    }

    fn row_is(&self, row: &JwkRow, alg: Algorithm) -> bool {
        row.alg_or(self.default_alg.name()) == alg.name()
    }

    /// `revoke(kid)`: `expires_at` becomes the epoch through `update_jwk`, so the key leaves the
    /// JWKS at once (no grace), verifies nothing and never signs again; if it was signing, the
    /// next live key (or a new one) takes over at the next `sign`.
    pub(super) async fn revoke(&self, kid: &str) -> Result<()> {
        if !self.io.store.can_update() {
            return Err(Error::InvalidConfig(
                "revoke needs the key store's update_jwk callback (updateJwk in Node and the \
                 Better Auth adapter, update_jwk in Python, updateJwk with supportsUpdate() \
                 returning true in Kotlin/Swift) to record the revocation in the store"
                    .to_owned(),
            ));
        }
        let rows = self.read_rows().await?;
        if !rows.iter().any(|r| r.id == kid) {
            return Err(Error::NoMatchingKey(format!(
                "revoke: no stored key has the kid {kid}"
            )));
        }
        let update = JwkUpdate {
            expires_at: REVOKED_EXPIRES_AT,
        };
        self.io.update_row(kid, update).await?;
        self.remember_updated_row(kid, REVOKED_EXPIRES_AT);
        for slot in &self.slots {
            slot.forget(kid);
        }
        self.forget_pinned(kid);
        self.events.emit(Event::KeyRevoked {
            kid: kid.to_owned(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, created_at: i64, expires_at: Option<i64>) -> JwkRow {
        JwkRow {
            id: id.into(),
            public_key: "{}".into(),
            private_key: "{}".into(),
            created_at,
            expires_at,
            alg: None,
            crv: None,
        }
    }

    fn signer(rows: &[JwkRow], now: i64, lead: i64) -> Option<String> {
        signing_row(rows.iter(), now, lead).map(|r| r.id.clone())
    }

    #[test]
    fn a_lone_new_key_signs_at_once() {
        assert_eq!(signer(&[row("a", 100, None)], 100, 50), Some("a".into()));
    }

    #[test]
    fn a_key_stored_ahead_signs_when_the_current_one_expires() {
        // a expires at 1000; b stored at 900 with a lead of 100.
        let rows = [row("a", 0, Some(1000)), row("b", 900, Some(2000))];
        assert_eq!(signer(&rows, 999, 100), Some("a".into()));
        assert_eq!(signer(&rows, 1000, 100), Some("b".into()));
        let until = signs_until(rows.iter(), &rows[0], 950, 100);
        assert_eq!(until, Some(1000));
    }

    #[test]
    fn a_staged_key_signs_after_the_lead_even_while_the_current_one_lives() {
        let rows = [row("a", 0, None), row("b", 500, None)];
        assert_eq!(signer(&rows, 599, 100), Some("a".into()));
        assert_eq!(signer(&rows, 600, 100), Some("b".into()));
        assert_eq!(signs_until(rows.iter(), &rows[0], 550, 100), Some(600));
    }

    #[test]
    fn a_young_first_key_keeps_signing_when_a_second_is_staged() {
        let rows = [row("a", 100, None), row("b", 110, None)];
        assert_eq!(signer(&rows, 120, 100), Some("a".into()));
        assert_eq!(signer(&rows, 210, 100), Some("b".into()));
    }

    #[test]
    fn revoked_and_expired_rows_never_sign() {
        let rows = [
            row("a", 0, Some(REVOKED_EXPIRES_AT)),
            row("b", 10, Some(20)),
        ];
        assert_eq!(signer(&rows, 25, 0), None);
        assert_eq!(signer(&rows, 15, 0), Some("b".into()));
    }

    #[test]
    fn plans_date_and_expire_keys_by_the_schedule() {
        let (lead, interval) = (100, Some(1000));
        assert_eq!(
            KeyPlan::Immediate.times(5000, lead, interval),
            (5000, Some(6000))
        );
        assert_eq!(
            KeyPlan::Emergency.times(5000, lead, interval),
            (4900, Some(6000))
        );
        assert_eq!(
            KeyPlan::Staged.times(5000, lead, interval),
            (5000, Some(6100))
        );
        let next = KeyPlan::Next {
            current_expires_at: 5050,
        };
        assert_eq!(next.times(4950, lead, interval), (4950, Some(6050)));
    }
}
