//! The tokio runtime the binding runs on and its lifecycle in a Python process.
//!
//! - One runtime per process. After `fork()` only the forking thread exists in the child: the
//!   parent's worker threads (which drive its timers and sockets) are gone, so every future on the
//!   parent's runtime would wait forever. The child therefore builds its own runtime on first use
//!   and never touches, drops or frees the parent's ([`PerProcess`]).
//! - At interpreter exit an `atexit` hook ([`shutdown_at_exit`]) shuts the runtime down with the
//!   GIL released, so that no runtime thread is left alive to attach to (or hold objects of) an
//!   interpreter that is finalizing; later calls fail with a clear error instead.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use authjwt_core::Error;
use pyo3::exceptions::{PyRuntimeError, PyStopIteration};
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;

/// How many `fork()`s deep (counted from the process that imported authjwt) objects still
/// work; deeper, they raise instead of guessing.
const MAX_FORK_DEPTH: usize = 16;

/// Incremented in the child of every `os.fork()` (an `os.register_at_fork` hook), so that
/// per-process state can tell it was inherited from a parent.
static FORK_GENERATION: AtomicUsize = AtomicUsize::new(0);

/// Set by the exit hook: from then on nothing new runs on the runtime.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// How long the exit hook waits for work in flight (a store callback, a fetch) to finish.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// The `os.register_at_fork(after_in_child=...)` hook.
#[pyfunction]
#[pyo3(name = "_after_fork_in_child")]
pub fn after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::SeqCst);
}

fn generation() -> usize {
    FORK_GENERATION.load(Ordering::Acquire)
}

/// A value that belongs to one process. A forked child builds its own on first use; the
/// parent's copy is left untouched and never dropped in the child (its destructors would act on
/// threads, sockets and locks that only exist in the parent). One cell per fork depth: the child
/// never touches its parent's cell, which another thread of the parent may have been filling.
pub struct PerProcess<T> {
    cells: [OnceLock<T>; MAX_FORK_DEPTH],
}

impl<T> PerProcess<T> {
    /// Nothing yet: the first `get_or_try_init` builds the value.
    pub const fn empty() -> Self {
        PerProcess {
            cells: [const { OnceLock::new() }; MAX_FORK_DEPTH],
        }
    }

    /// `value` for this process.
    pub fn new(value: T) -> Result<Self, Error> {
        let made = Self::empty();
        let _ = made.cell()?.set(value);
        Ok(made)
    }

    fn cell(&self) -> Result<&OnceLock<T>, Error> {
        self.cells.get(generation()).ok_or_else(|| {
            Error::InvalidConfig(format!(
                "this authjwt object was made {MAX_FORK_DEPTH} or more fork()s up the process                  tree: make it in this process"
            ))
        })
    }

    /// This process's value, if built.
    pub fn get(&self) -> Option<&T> {
        self.cell().ok()?.get()
    }

    /// This process's value, built by `init` the first time (in a forked child: once per child).
    pub fn get_or_try_init(&self, init: impl FnOnce() -> Result<T, Error>) -> Result<&T, Error> {
        let cell = self.cell()?;
        if let Some(value) = cell.get() {
            return Ok(value);
        }
        // Two threads may both build; the first stored wins and the other value is dropped.
        let _ = cell.set(init()?);
        cell.get()
            .ok_or_else(|| Error::InvalidConfig("unreachable: cell set".to_owned()))
    }
}

impl<T> Drop for PerProcess<T> {
    fn drop(&mut self) {
        let current = generation();
        for (depth, cell) in self.cells.iter_mut().enumerate() {
            if depth != current {
                // An ancestor's value: its memory image, not ours to clean up.
                if let Some(inherited) = cell.take() {
                    std::mem::forget(inherited);
                }
            }
        }
    }
}

/// This process's runtime: the handle every call uses, and the owner the exit hook shuts down.
struct ProcessRuntime {
    handle: tokio::runtime::Handle,
    owner: Mutex<Option<tokio::runtime::Runtime>>,
}

static RUNTIME: PerProcess<ProcessRuntime> = PerProcess::empty();

fn build_runtime() -> Result<ProcessRuntime, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("authjwt-worker")
        .build()
        .map_err(|e| Error::InvalidConfig(format!("cannot start authjwt's worker threads: {e}")))?;
    Ok(ProcessRuntime {
        handle: runtime.handle().clone(),
        owner: Mutex::new(Some(runtime)),
    })
}

fn closed_error() -> Error {
    Error::InvalidConfig(
        "authjwt was shut down because the Python interpreter is exiting (atexit): \
         make authjwt calls before interpreter shutdown"
            .to_owned(),
    )
}

/// This process's runtime handle (built on first use, also in a forked child); an error once
/// the interpreter is exiting.
pub fn handle() -> Result<&'static tokio::runtime::Handle, Error> {
    if CLOSED.load(Ordering::Acquire) {
        return Err(closed_error());
    }
    RUNTIME.get_or_try_init(build_runtime).map(|r| &r.handle)
}

/// Whether the exit hook has run (runtime threads must not attach to Python any more).
pub fn is_closed() -> bool {
    CLOSED.load(Ordering::Acquire)
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
    handle()?.block_on(fut)
}

/// Attaches to Python from a runtime thread unless the interpreter is exiting (then `None`).
pub fn attach_unless_exiting<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    if is_closed() {
        return None;
    }
    Python::try_attach(f)
}

/// [`attach_unless_exiting`] for conversions inside a future: once exiting, an error instead.
pub fn attach_py<T>(f: impl for<'py> FnOnce(Python<'py>) -> PyResult<T>) -> PyResult<T> {
    attach_unless_exiting(f).unwrap_or_else(|| {
        Err(pyo3::exceptions::PyRuntimeError::new_err(
            closed_error().to_string(),
        ))
    })
}

/// The `atexit` hook: refuses new work, then shuts the runtime down with the GIL released so
/// that tasks in flight can finish their Python calls and every runtime thread ends before the
/// interpreter finalizes. Tasks still pending are dropped (their Python references are released
/// without the GIL, which PyO3 defers).
#[pyfunction]
#[pyo3(name = "_shutdown_at_exit")]
pub fn shutdown_at_exit(py: Python<'_>) {
    CLOSED.store(true, Ordering::Release);
    let Some(process) = RUNTIME.get() else {
        return;
    };
    let runtime = process
        .owner
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(runtime) = runtime {
        py.detach(move || runtime.shutdown_timeout(EXIT_GRACE));
    }
}

/// Registers [`shutdown_at_exit`] with `atexit` and [`after_fork_in_child`] with
/// `os.register_at_fork`; called by the module init.
pub fn install(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let exit_hook = wrap_pyfunction!(shutdown_at_exit, m)?;
    m.add_function(exit_hook.clone())?;
    py.import("atexit")?
        .call_method1("register", (exit_hook,))?;
    let fork_hook = wrap_pyfunction!(after_fork_in_child, m)?;
    m.add_function(fork_hook.clone())?;
    let kwargs = pyo3::types::PyDict::new(py);
    kwargs.set_item("after_in_child", fork_hook)?;
    py.import("os")?
        .call_method("register_at_fork", (), Some(&kwargs))?;
    Ok(())
}

/// pyo3-async-runtimes' bridge over this module's per-process runtime (its own global runtime
/// would be inherited dead by a forked child and never shut down at exit).
pub struct ProcessTokio;

tokio::task_local! {
    static TASK_LOCALS: std::cell::OnceCell<TaskLocals>;
}

fn spawn_handle() -> tokio::runtime::Handle {
    // Entry points call `handle()` first, so the runtime exists (and a shut-down runtime's
    // handle still accepts spawns: they are cancelled at once).
    match RUNTIME.get_or_try_init(build_runtime) {
        Ok(process) => process.handle.clone(),
        #[allow(clippy::panic)] // unreachable after `handle()`; PyO3 turns it into an exception
        Err(e) => panic!("{e}"),
    }
}

impl GenericRuntime for ProcessTokio {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        spawn_handle().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        spawn_handle().spawn_blocking(f)
    }
}

impl ContextExt for ProcessTokio {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}

/// An `asyncio.Future` on the running loop resolved by `fut` (run on this process's runtime).
pub fn future_into_py<F, T>(py: Python<'_>, fut: F) -> PyResult<Bound<'_, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'py> IntoPyObject<'py> + Send + 'static,
{
    handle().map_err(crate::errors::to_py_err)?;
    pyo3_async_runtimes::generic::future_into_py::<ProcessTokio, F, T>(py, fut)
}

/// The calling asyncio task's loop and context (or the running loop's).
pub fn current_locals(py: Python<'_>) -> PyResult<TaskLocals> {
    pyo3_async_runtimes::generic::get_current_locals::<ProcessTokio>(py)
}

/// An awaitable that is already done: `await` gives `value` (or raises its error) at once, with
/// no event-loop turn. It speaks the coroutine protocol (`send`, `throw`, `close`), so
/// `asyncio.create_task`, `gather` and `wait_for` take it like a coroutine, and an error is
/// raised where the caller awaits, never at the call.
#[pyclass(name = "_Ready", module = "authjwt", frozen)]
pub struct Ready {
    outcome: Result<Py<PyAny>, PyErr>,
}

impl Ready {
    fn finish(&self, py: Python<'_>) -> PyErr {
        match &self.outcome {
            Ok(value) => PyStopIteration::new_err((value.clone_ref(py),)),
            Err(error) => error.clone_ref(py),
        }
    }
}

#[pymethods]
impl Ready {
    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The awaiting coroutine's first step: finished, with `value` as the result.
    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Err(self.finish(py))
    }

    /// As `__next__`: a done awaitable ignores what is sent.
    fn send(&self, py: Python<'_>, _value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Err(self.finish(py))
    }

    /// Raises what is thrown in (a cancellation, a timeout), as a coroutine would.
    #[pyo3(signature = (error, value=None, _traceback=None))]
    fn throw(
        &self,
        error: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let raised = match value {
            Some(value) if !value.is_none() => value.clone(),
            _ => error.clone(),
        };
        Err(PyErr::from_value(raised))
    }

    fn close(&self) {}
}

/// `value` as a done awaitable.
pub fn ready<'py, T>(py: Python<'py>, value: T) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPyObject<'py>,
{
    let value = pyo3::IntoPyObjectExt::into_py_any(value, py)?;
    Ok(Bound::new(py, Ready { outcome: Ok(value) })?.into_any())
}

/// The awaitable of `work`, whose result `convert` turns into Python. `work` is first polled
/// here, on the caller's (event loop) thread with the GIL released and this process's runtime
/// entered: CPU-only work that needs no wait (a verify with cached keys) finishes in that poll
/// and comes back as a done awaitable, with no hop to a worker thread and back through the loop
/// (that round trip cost several times the verification itself). Work that has to wait (a store
/// callback, a fetch, a contended lock) continues on the runtime from where it stopped.
pub fn now_or_on_runtime<'py, F, T, C>(
    py: Python<'py>,
    work: F,
    convert: C,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: Send + 'static,
    C: for<'a> FnOnce(Python<'a>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let runtime = handle().map_err(crate::errors::to_py_err)?;
    let mut work = Box::pin(work);
    let first = py.detach(|| {
        let _entered = runtime.enter();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            work.as_mut().poll(&mut Context::from_waker(Waker::noop()))
        }))
    });
    match first {
        Ok(Poll::Ready(outcome)) => {
            let outcome = outcome
                .map_err(crate::errors::to_py_err)
                .and_then(|value| convert(py, value));
            Ok(Bound::new(py, Ready { outcome })?.into_any())
        }
        // Polled again by the runtime's task, with a real waker.
        Ok(Poll::Pending) => future_into_py(py, async move {
            let value = work.await.map_err(crate::errors::to_py_err)?;
            attach_py(|py| convert(py, value))
        }),
        Err(_) => Err(PyRuntimeError::new_err(
            "authjwt internal error (a bug): please report it",
        )),
    }
}
