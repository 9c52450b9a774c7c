//! Monitoring events of issuers and verifiers, sent to `tracing` and to an optional host sink.
//! Events never carry tokens, claim values or key material.

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
}

/// Receives events; implemented by hosts that want them (a binding forwards to a host callback).
pub trait EventSink: Send + Sync {
    /// Called synchronously when the event happens; keep it cheap.
    fn on_event(&self, event: &Event);
}
