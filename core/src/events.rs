//! Monitoring events of issuers and verifiers, sent to `tracing` (target `authjwt`) and to an
//! optional host sink. Events never carry tokens, claim values or key material.

use std::sync::Arc;

/// The `tracing` target every event is emitted under.
pub const TRACING_TARGET: &str = "authjwt";

/// Something that happened, for monitoring.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A key was created and confirmed by the store.
    KeyCreated {
        /// Its kid.
        kid: String,
        /// Its algorithm.
        alg: &'static str,
    },
    /// A key replaced the previous signing key (by rotation interval or `rotate()`).
    KeyRotated {
        /// The new kid.
        kid: String,
        /// Its algorithm.
        alg: &'static str,
    },
    /// A key was stored ahead of signing: it is published now and signs from `signs_at_ms`
    /// (scheduled rotation, or a staged `rotate`).
    KeyPublished {
        /// Its kid.
        kid: String,
        /// Its algorithm.
        alg: &'static str,
        /// When every process starts signing with it (milliseconds since the Unix epoch).
        signs_at_ms: i64,
    },
    /// A rotated-away key's retirement was recorded (`update_jwk`): it signs until
    /// `expires_at_ms` and stays published for the grace period after.
    KeyRetired {
        /// Its kid.
        kid: String,
        /// The recorded `expires_at` (milliseconds since the Unix epoch).
        expires_at_ms: i64,
    },
    /// A rotated-away key's retirement could not be recorded (no `update_jwk` callback, or it
    /// failed): other keys sign, but this one stays published until its own `expires_at` plus the
    /// grace period, or for ever when it has none (`published_until_ms` is then `None`).
    KeyRetirementUnrecorded {
        /// Its kid.
        kid: String,
        /// Until when it stays published, if ever it leaves.
        published_until_ms: Option<i64>,
        /// Why: `no_update_callback` or the failed callback's error code.
        reason: &'static str,
    },
    /// A key was revoked: it left the JWKS and signs no more.
    KeyRevoked {
        /// Its kid.
        kid: String,
    },
    /// Preparing the next key ahead of rotation failed; the current key keeps signing while it
    /// lives and the preparation is tried again after `retry_in_ms`.
    KeyPreparationFailed {
        /// The algorithm of the key being prepared.
        alg: &'static str,
        /// The error code.
        code: &'static str,
        /// Delay before the next attempt.
        retry_in_ms: i64,
    },
    /// A token was signed.
    TokenIssued {
        /// The signing kid.
        kid: String,
        /// Its algorithm.
        alg: &'static str,
    },
    /// A token verified.
    TokenVerified {
        /// The kid that verified it, if the token named one.
        kid: Option<String>,
        /// Its algorithm.
        alg: &'static str,
    },
    /// A token was refused.
    TokenRejected {
        /// The error code.
        code: &'static str,
    },
    /// A remote JWKS was fetched.
    JwksFetched {
        /// The JWKS URL.
        url: String,
        /// Number of keys in it.
        keys: usize,
    },
    /// Fetching a remote JWKS failed.
    JwksFetchFailed {
        /// The JWKS URL.
        url: String,
        /// The error code.
        code: &'static str,
    },
    /// A remote JWKS refetch answered `304 Not Modified`: the cached set stays, freshly confirmed.
    JwksNotModified {
        /// The JWKS URL.
        url: String,
    },
    /// A refresh of a remote JWKS failed and verification goes on with the last good set, past
    /// its lifetime, within the stale-if-error window (retried with backoff).
    JwksStale {
        /// The JWKS URL.
        url: String,
        /// The error code of the failed refresh.
        code: &'static str,
    },
    /// A key of a JWKS was left out of the set because authjwt cannot or must not use it (see
    /// [`crate::jwks::SkipReason`]); the other keys still verify. Reported once per parsed set.
    /// `reason` `private_key_published` means the document leaks private key material: that key
    /// is compromised and must be rotated.
    JwksKeySkipped {
        /// The key's position in the document's `keys` array.
        index: usize,
        /// Its kid, when it has a string one (cut to [`crate::jwks::MAX_REPORTED_KID_CHARS`]).
        kid: Option<String>,
        /// Why.
        reason: crate::jwks::SkipReason,
    },
    /// A remote JWKS was taken from the fleet's shared cache instead of being fetched.
    JwksCacheLoaded {
        /// The JWKS URL.
        url: String,
        /// Number of keys in it.
        keys: usize,
    },
    /// A call to the shared cache failed (`operation`: `load`, `save`, `claim` or `release`);
    /// the key set fetched for itself. The cache's own error text is not carried (it may name
    /// connection strings).
    JwksCacheFailed {
        /// The JWKS URL.
        url: String,
        /// The cache call that failed.
        operation: &'static str,
    },
    /// A shared cache entry was ignored: `reason` `invalid_body` (it does not parse or validate
    /// as a JWKS, or is over the size cap), `invalid_entry` (the stored value is not an entry)
    /// or `other_url` (it belongs to another key set).
    JwksCacheRejected {
        /// The JWKS URL.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// A stored key was opened with a secret shorter than [`crate::seal::MIN_SECRET_CHARS`]
    /// characters: it still signs (no deployment is locked out), but a leaked table is only as
    /// safe as that secret. Seal under a strong secret: configure it first in `secret`/`secrets`
    /// and rotate.
    WeakSecretUsed {
        /// The kid of the key opened.
        kid: String,
    },
}

impl Event {
    /// The event's dotted name: `key.created`, `key.rotated`, `key.published`, `key.retired`,
    /// `key.retirement_unrecorded`, `key.revoked`, `key.preparation_failed`, `token.issued`, `token.verified`,
    /// `token.rejected`, `jwks.fetched`, `jwks.fetch_failed`, `jwks.not_modified`,
    /// `jwks.stale`, `jwks.key_skipped`, `jwks.cache_loaded`, `jwks.cache_failed`,
    /// `jwks.cache_rejected` or `secret.weak`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::KeyCreated { .. } => "key.created",
            Event::KeyRotated { .. } => "key.rotated",
            Event::KeyPublished { .. } => "key.published",
            Event::KeyRetired { .. } => "key.retired",
            Event::KeyRetirementUnrecorded { .. } => "key.retirement_unrecorded",
            Event::KeyRevoked { .. } => "key.revoked",
            Event::KeyPreparationFailed { .. } => "key.preparation_failed",
            Event::TokenIssued { .. } => "token.issued",
            Event::TokenVerified { .. } => "token.verified",
            Event::TokenRejected { .. } => "token.rejected",
            Event::JwksFetched { .. } => "jwks.fetched",
            Event::JwksFetchFailed { .. } => "jwks.fetch_failed",
            Event::JwksNotModified { .. } => "jwks.not_modified",
            Event::JwksStale { .. } => "jwks.stale",
            Event::JwksKeySkipped { .. } => "jwks.key_skipped",
            Event::JwksCacheLoaded { .. } => "jwks.cache_loaded",
            Event::JwksCacheFailed { .. } => "jwks.cache_failed",
            Event::JwksCacheRejected { .. } => "jwks.cache_rejected",
            Event::WeakSecretUsed { .. } => "secret.weak",
        }
    }
}

impl Event {
    /// The event as a JSON object: `{"type": "key.created", "kid": ..., "alg": ...}`, with the
    /// fields of its variant (`kid`/`alg`, `code`, `url`/`keys`, `index`/`kid`/`reason`/`message`);
    /// hosts hand it to their callbacks as is. Like the event, it carries no tokens, claims or key material.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        let mut o = serde_json::Map::new();
        o.insert("type".to_owned(), Value::from(self.name()));
        match self {
            Event::KeyCreated { kid, alg }
            | Event::KeyRotated { kid, alg }
            | Event::TokenIssued { kid, alg } => {
                o.insert("kid".to_owned(), Value::from(kid.as_str()));
                o.insert("alg".to_owned(), Value::from(*alg));
            }
            Event::KeyPublished {
                kid,
                alg,
                signs_at_ms,
            } => {
                o.insert("kid".to_owned(), Value::from(kid.as_str()));
                o.insert("alg".to_owned(), Value::from(*alg));
                o.insert("signs_at_ms".to_owned(), Value::from(*signs_at_ms));
            }
            Event::KeyRetired { kid, expires_at_ms } => {
                o.insert("kid".to_owned(), Value::from(kid.as_str()));
                o.insert("expires_at_ms".to_owned(), Value::from(*expires_at_ms));
            }
            Event::KeyRetirementUnrecorded {
                kid,
                published_until_ms,
                reason,
            } => {
                o.insert("kid".to_owned(), Value::from(kid.as_str()));
                o.insert(
                    "published_until_ms".to_owned(),
                    published_until_ms.map_or(Value::Null, Value::from),
                );
                o.insert("reason".to_owned(), Value::from(*reason));
            }
            Event::KeyRevoked { kid } => {
                o.insert("kid".to_owned(), Value::from(kid.as_str()));
            }
            Event::KeyPreparationFailed {
                alg,
                code,
                retry_in_ms,
            } => {
                o.insert("alg".to_owned(), Value::from(*alg));
                o.insert("code".to_owned(), Value::from(*code));
                o.insert("retry_in_ms".to_owned(), Value::from(*retry_in_ms));
            }
            Event::TokenVerified { kid, alg } => {
                o.insert(
                    "kid".to_owned(),
                    kid.as_deref().map_or(Value::Null, Value::from),
                );
                o.insert("alg".to_owned(), Value::from(*alg));
            }
            Event::TokenRejected { code } => {
                o.insert("code".to_owned(), Value::from(*code));
            }
            Event::JwksFetched { url, keys } => {
                o.insert("url".to_owned(), Value::from(url.as_str()));
                o.insert("keys".to_owned(), Value::from(*keys));
            }
            Event::JwksFetchFailed { url, code } | Event::JwksStale { url, code } => {
                o.insert("url".to_owned(), Value::from(url.as_str()));
                o.insert("code".to_owned(), Value::from(*code));
            }
            Event::JwksNotModified { url } => {
                o.insert("url".to_owned(), Value::from(url.as_str()));
            }
            Event::JwksKeySkipped { index, kid, reason } => {
                o.insert("index".to_owned(), Value::from(*index));
                o.insert(
                    "kid".to_owned(),
                    kid.as_deref().map_or(Value::Null, Value::from),
                );
                o.insert("reason".to_owned(), Value::from(reason.code()));
                o.insert("message".to_owned(), Value::from(reason.describe()));
            }
            Event::JwksCacheLoaded { url, keys } => {
                o.insert("url".to_owned(), Value::from(url.as_str()));
                o.insert("keys".to_owned(), Value::from(*keys));
            }
            Event::JwksCacheFailed { url, operation } => {
                o.insert("url".to_owned(), Value::from(url.as_str()));
                o.insert("operation".to_owned(), Value::from(*operation));
            }
            Event::JwksCacheRejected { url, reason } => {
                o.insert("url".to_owned(), Value::from(url.as_str()));
                o.insert("reason".to_owned(), Value::from(*reason));
            }
            Event::WeakSecretUsed { kid } => {
                o.insert("kid".to_owned(), Value::from(kid.as_str()));
            }
        }
        Value::Object(o)
    }
}

/// Receives events; implemented by hosts that want them (a binding forwards to a host callback).
pub trait EventSink: Send + Sync {
    /// Called synchronously when the event happens; keep it cheap.
    fn on_event(&self, event: &Event);
}

/// Sends events to `tracing` and to the optional sink. Per-token events are built only when
/// someone listens, so the signing hot path pays nothing when monitoring is off.
#[derive(Clone, Default)]
pub struct Emitter {
    sink: Option<Arc<dyn EventSink>>,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("sink", &self.sink.is_some())
            .finish()
    }
}

impl Emitter {
    /// An emitter forwarding to `sink` (and always to `tracing`).
    pub fn new(sink: Option<Arc<dyn EventSink>>) -> Self {
        Emitter { sink }
    }

    /// Emits `event`.
    pub fn emit(&self, event: Event) {
        trace_event(&event);
        if let Some(sink) = &self.sink {
            sink.on_event(&event);
        }
    }

    /// Emits a per-token event built by `make`, only when a sink or a `tracing` subscriber at
    /// DEBUG for target `authjwt` listens.
    pub fn emit_token_event(&self, make: impl FnOnce() -> Event) {
        if self.sink.is_some() || tracing::enabled!(target: "authjwt", tracing::Level::DEBUG) {
            self.emit(make());
        }
    }
}

fn trace_event(event: &Event) {
    let name = event.name();
    match event {
        Event::KeyCreated { kid, alg } | Event::KeyRotated { kid, alg } => {
            tracing::info!(target: "authjwt", event = name, kid = %kid, alg = *alg);
        }
        Event::KeyPublished {
            kid,
            alg,
            signs_at_ms,
        } => {
            tracing::info!(target: "authjwt", event = name, kid = %kid, alg = *alg, signs_at_ms = *signs_at_ms);
        }
        Event::KeyRetired { kid, expires_at_ms } => {
            tracing::info!(target: "authjwt", event = name, kid = %kid, expires_at_ms = *expires_at_ms);
        }
        Event::KeyRetirementUnrecorded {
            kid,
            published_until_ms,
            reason,
        } => {
            tracing::warn!(target: "authjwt", event = name, kid = %kid, published_until_ms = ?published_until_ms, reason = *reason);
        }
        Event::KeyRevoked { kid } => {
            tracing::warn!(target: "authjwt", event = name, kid = %kid);
        }
        Event::KeyPreparationFailed {
            alg,
            code,
            retry_in_ms,
        } => {
            tracing::warn!(target: "authjwt", event = name, alg = *alg, code = *code, retry_in_ms = *retry_in_ms);
        }
        Event::TokenIssued { kid, alg } => {
            tracing::debug!(target: "authjwt", event = name, kid = %kid, alg = *alg);
        }
        Event::TokenVerified { kid, alg } => {
            tracing::debug!(target: "authjwt", event = name, kid = kid.as_deref().unwrap_or(""), alg = *alg);
        }
        Event::TokenRejected { code } => {
            tracing::debug!(target: "authjwt", event = name, code = *code);
        }
        Event::JwksFetched { url, keys } => {
            tracing::info!(target: "authjwt", event = name, url = %url, keys = *keys);
        }
        Event::JwksFetchFailed { url, code } | Event::JwksStale { url, code } => {
            tracing::warn!(target: "authjwt", event = name, url = %url, code = *code);
        }
        Event::JwksNotModified { url } => {
            tracing::debug!(target: "authjwt", event = name, url = %url);
        }
        Event::JwksKeySkipped { index, kid, reason } => {
            let kid = kid.as_deref().unwrap_or("");
            let (code, message) = (reason.code(), reason.describe());
            // A published private key is a compromise, not a compatibility note.
            if *reason == crate::jwks::SkipReason::PrivateKeyPublished {
                tracing::error!(target: "authjwt", event = name, index = *index, kid = %kid, reason = code, "{message}");
            } else {
                tracing::info!(target: "authjwt", event = name, index = *index, kid = %kid, reason = code, "{message}");
            }
        }
        Event::JwksCacheLoaded { url, keys } => {
            tracing::debug!(target: "authjwt", event = name, url = %url, keys = *keys);
        }
        Event::JwksCacheFailed { url, operation } => {
            tracing::warn!(target: "authjwt", event = name, url = %url, operation = *operation);
        }
        Event::JwksCacheRejected { url, reason } => {
            tracing::warn!(target: "authjwt", event = name, url = %url, reason = *reason);
        }
        Event::WeakSecretUsed { kid } => {
            tracing::warn!(target: "authjwt", event = name, kid = %kid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Event>>);

    impl EventSink for Recorder {
        fn on_event(&self, event: &Event) {
            if let Ok(mut v) = self.0.lock() {
                v.push(event.clone());
            }
        }
    }

    #[test]
    fn to_json_has_the_type_and_the_variant_fields() {
        let verified = Event::TokenVerified {
            kid: None,
            alg: "ES256",
        };
        assert_eq!(
            verified.to_json().to_string(),
            r#"{"type":"token.verified","kid":null,"alg":"ES256"}"#
        );
        let fetched = Event::JwksFetched {
            url: "https://a/jwks".into(),
            keys: 2,
        };
        assert_eq!(
            fetched.to_json().to_string(),
            r#"{"type":"jwks.fetched","url":"https://a/jwks","keys":2}"#
        );
        let rejected = Event::TokenRejected {
            code: "ERR_JWT_EXPIRED",
        };
        assert_eq!(rejected.to_json()["code"], "ERR_JWT_EXPIRED");
    }

    #[test]
    fn names_are_the_documented_dotted_names() {
        let names: Vec<&str> = [
            Event::KeyCreated {
                kid: "k".into(),
                alg: "EdDSA",
            },
            Event::KeyRotated {
                kid: "k".into(),
                alg: "EdDSA",
            },
            Event::TokenIssued {
                kid: "k".into(),
                alg: "EdDSA",
            },
            Event::TokenVerified {
                kid: None,
                alg: "EdDSA",
            },
            Event::TokenRejected {
                code: "ERR_JWT_EXPIRED",
            },
            Event::JwksFetched {
                url: "u".into(),
                keys: 1,
            },
            Event::JwksFetchFailed {
                url: "u".into(),
                code: "ERR_JWKS_TIMEOUT",
            },
            Event::JwksNotModified { url: "u".into() },
            Event::JwksStale {
                url: "u".into(),
                code: "ERR_JWKS_UNAVAILABLE",
            },
        ]
        .iter()
        .map(Event::name)
        .collect();
        assert_eq!(
            names,
            [
                "key.created",
                "key.rotated",
                "token.issued",
                "token.verified",
                "token.rejected",
                "jwks.fetched",
                "jwks.fetch_failed",
                "jwks.not_modified",
                "jwks.stale"
            ]
        );
    }

    #[test]
    fn token_events_reach_the_sink_only_when_built() {
        let rec = Arc::new(Recorder::default());
        let emitter = Emitter::new(Some(rec.clone()));
        emitter.emit_token_event(|| Event::TokenRejected {
            code: "ERR_JWT_EXPIRED",
        });
        let got = rec.0.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(
            got,
            vec![Event::TokenRejected {
                code: "ERR_JWT_EXPIRED"
            }]
        );

        let silent = Emitter::new(None);
        let mut built = false;
        silent.emit_token_event(|| {
            built = true;
            Event::TokenRejected {
                code: "ERR_JWT_EXPIRED",
            }
        });
        assert!(
            !built,
            "no sink and no subscriber: the event is never built"
        );
    }
}
