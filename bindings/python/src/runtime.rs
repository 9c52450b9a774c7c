//! The one tokio runtime (pyo3-async-runtimes' multi-thread runtime) and blocking on it from the
//! sync API.

use std::future::Future;

use authjwt_core::Error;

/// The shared runtime: async methods run their futures on it, sync methods block on it.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// Runs `fut` to completion from a sync entry point (the GIL must already be released). Called
/// from inside a tokio task (a Python callback of an async operation calling the sync API) it
/// fails instead of deadlocking.
pub fn block_on<T>(fut: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::InvalidConfig(
            "a synchronous authjwt call was made from inside an asynchronous operation \
             (e.g. a store callback of AsyncIssuer): use the async API there"
                .to_owned(),
        ));
    }
    runtime().block_on(fut)
}
