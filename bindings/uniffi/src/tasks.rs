//! Where core work runs for a suspend/async call: as a task on authjwt's tokio runtime, or in
//! the host's own poll when it needs no wait. Used by [`crate::Issuer`] and the key sets alike.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use crate::error::AuthJwtError;

/// Runs core work as a task on the tokio runtime, so the host thread that polls the call only
/// waits; a task that panicked is `ERR_INTERNAL`, never a crash in the host.
pub(crate) async fn off_thread<T, F>(work: F) -> Result<T, AuthJwtError>
where
    F: Future<Output = authjwt_core::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    match tokio::spawn(work).await {
        Ok(result) => Ok(result?),
        Err(e) => Err(AuthJwtError::internal(format!(
            "an authjwt task did not finish: {e}"
        ))),
    }
}

/// [`off_thread`], except that `work` is first polled right here, in the host's poll of the call:
/// CPU-only work that needs no wait (a verify with cached keys) completes in that poll, so the
/// call returns without suspending. Otherwise it continues as a tokio task from where it stopped.
/// Going through a worker costs a JNA callback from a thread the JVM does not know (attached and
/// detached again on every call) and a second poll, several times the verification itself, and
/// it serialized the calls: a second dispatcher thread added nothing.
pub(crate) async fn now_or_off_thread<T, F>(work: F) -> Result<T, AuthJwtError>
where
    F: Future<Output = authjwt_core::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let mut work = Box::pin(work);
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        work.as_mut().poll(&mut Context::from_waker(Waker::noop()))
    }));
    match first {
        Ok(Poll::Ready(result)) => Ok(result?),
        // The task polls it again with its own waker.
        Ok(Poll::Pending) => off_thread(work).await,
        Err(_) => Err(AuthJwtError::internal(
            "an authjwt call panicked (a bug): please report it".to_owned(),
        )),
    }
}
