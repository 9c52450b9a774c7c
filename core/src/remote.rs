//! [`RemoteJwks`]: a JWKS fetched over HTTPS and cached, with cooldown and single-flight refresh.

use std::time::Duration;

use crate::error::Result;
use crate::verify::{VerifiedJwt, VerifyOptions};

/// Options of a remote key set (jose's names in the hosts).
#[derive(Debug, Clone)]
pub struct RemoteJwksOptions {
    /// How long a fetched set is fresh (default 10 minutes).
    pub cache_max_age: Duration,
    /// Least time between two fetches caused by unknown kids (default 30 s).
    pub cooldown_duration: Duration,
    /// Bound on one fetch (default 5 s).
    pub timeout_duration: Duration,
    /// Largest accepted response body, bytes.
    pub max_response_size: usize,
}

impl Default for RemoteJwksOptions {
    fn default() -> Self {
        RemoteJwksOptions {
            cache_max_age: Duration::from_secs(600),
            cooldown_duration: Duration::from_secs(30),
            timeout_duration: Duration::from_secs(5),
            max_response_size: 512 * 1024,
        }
    }
}

/// A remote JWKS. Cheap to clone; clones share the cache.
#[derive(Debug, Clone)]
pub struct RemoteJwks {
    _todo: (),
}

impl RemoteJwks {
    /// A key set at `url` (https, or http on a loopback host).
    pub fn new(url: &str, options: RemoteJwksOptions) -> Result<RemoteJwks> {
        todo!("{url} {options:?}")
    }

    /// Verifies a token with the cached keys, refetching once (within the cooldown) for an unknown kid.
    pub async fn verify(&self, token: &str, options: &VerifyOptions) -> Result<VerifiedJwt> {
        todo!("{} {options:?}", token.len())
    }
}
