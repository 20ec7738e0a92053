//! Running core futures for Python: blocking (GIL released, Ctrl-C honoured) or as asyncio
//! futures (resolved on the loop's thread, cancelled when the asyncio future is).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ocus::completion::Completions;
use pyo3::exceptions::{PyNotImplementedError, PyStopAsyncIteration};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::errors::to_py_err;

/// A core result that can become a Python object.
pub trait IntoPython: Send + 'static {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>>;
}

impl IntoPython for () {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(py.None())
    }
}

impl IntoPython for serde_json::Value {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(crate::convert::to_py(py, &self)?.unbind())
    }
}

impl IntoPython for ocus::Project {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, crate::models::Project { inner: self })?.into_any())
    }
}

impl IntoPython for ocus::Page<ocus::Project> {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(Py::new(py, crate::models::Page { inner: self })?.into_any())
    }
}

/// A generic request's JSON, with its response when the caller asked for it.
pub struct RequestResult {
    pub value: serde_json::Value,
    pub response: Option<ocus::ResponseInfo>,
}

impl IntoPython for RequestResult {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let value = crate::convert::to_py(py, &self.value)?;
        match self.response {
            None => Ok(value.unbind()),
            Some(response) => {
                let response = Py::new(py, crate::models::Response::from(response))?;
                Ok((value, response).into_pyobject(py)?.into_any().unbind())
            }
        }
    }
}

/// The next item of an async iteration: `None` ends it with `StopAsyncIteration`.
pub struct AsyncNext<T>(pub Option<T>);

impl<T: IntoPython> IntoPython for AsyncNext<T> {
    fn into_python(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.0 {
            Some(item) => item.into_python(py),
            None => Err(PyStopAsyncIteration::new_err(())),
        }
    }
}

/// How often a blocking call wakes to let Python handle signals (Ctrl-C).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// Runs `future` on the shared runtime from this thread with the GIL released. A pending
/// signal (KeyboardInterrupt) drops the request and is raised.
pub fn blocking<T, F>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = ocus::Result<T>> + Send,
    T: Send,
{
    crate::logging::refresh(py);
    // Signal handlers run only on the main thread; other threads need not wake to check.
    let check_signals = on_main_thread(py);
    let outcome: Result<ocus::Result<T>, PyErr> = py.detach(|| {
        let finished = ocus::runtime::block_on(async {
            let mut future = std::pin::pin!(future);
            if !check_signals {
                return Ok(future.await);
            }
            loop {
                tokio::select! {
                    result = &mut future => return Ok(result),
                    () = tokio::time::sleep(SIGNAL_CHECK_INTERVAL) => {
                        Python::attach(|py| py.check_signals())?;
                    }
                }
            }
        });
        finished.unwrap_or_else(|error| Ok(Err(error)))
    });
    outcome?.map_err(|error| to_py_err(py, error))
}

static MAIN_THREAD_IDENT: PyOnceLock<(Py<PyAny>, u64)> = PyOnceLock::new();

fn on_main_thread(py: Python<'_>) -> bool {
    let Ok((get_ident, main)) = MAIN_THREAD_IDENT.get_or_try_init(py, || -> PyResult<_> {
        let threading = py.import("threading")?;
        let main: u64 = threading
            .call_method0("main_thread")?
            .getattr("ident")?
            .extract()?;
        Ok((threading.getattr("get_ident")?.unbind(), main))
    }) else {
        return true;
    };
    get_ident
        .bind(py)
        .call0()
        .and_then(|ident| ident.extract::<u64>())
        .is_ok_and(|ident| ident == *main)
}

/// [`blocking`], then converted to Python.
pub fn blocking_py<T: IntoPython, F>(py: Python<'_>, future: F) -> PyResult<Py<PyAny>>
where
    F: Future<Output = ocus::Result<T>> + Send,
{
    blocking(py, future)?.into_python(py)
}

/// Turns a finished core future into the Python value, on the event loop's thread.
type Completion = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// Results travel from runtime threads to the event loop without the GIL: the core's
/// completion queue rings a socket the loop watches (`loop.add_reader`), and the loop thread
/// drains it and resolves the futures. Taking the GIL on runtime threads instead would make
/// them wait for the busy loop thread (up to the 5 ms switch interval) on every completion.
type Mailbox = Completions<Completion>;

/// One per event loop: the futures waiting for results, and the mailbox they arrive in.
#[pyclass(frozen)]
struct LoopBridge {
    mailbox: Arc<Mailbox>,
    /// The loop has no `add_reader`: a task of `ocus._doorbell` watches the mailbox instead.
    watched_by_task: std::sync::atomic::AtomicBool,
    waiting: Mutex<HashMap<u64, Py<PyAny>>>,
    next_ticket: AtomicU64,
}

#[pymethods]
impl LoopBridge {
    /// Called by the event loop when the doorbell rings: resolves every delivered future.
    fn _drain(&self, py: Python<'_>) -> PyResult<()> {
        let delivered = self.mailbox.drain(usize::MAX);
        for (ticket, completion) in delivered {
            let future = self
                .waiting
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&ticket);
            let Some(future) = future else { continue };
            // One failing future must not strand the others of the batch.
            if let Err(error) = resolve(py, future.bind(py), completion) {
                error.write_unraisable(py, Some(future.bind(py)));
            }
        }
        Ok(())
    }
}

fn resolve(py: Python<'_>, future: &Bound<'_, PyAny>, completion: Completion) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(()); // cancelled meanwhile
    }
    match completion(py) {
        Ok(value) => future.call_method1("set_result", (value,))?,
        Err(error) => future.call_method1("set_exception", (error.into_value(py),))?,
    };
    Ok(())
}

/// Forgets a future once it is done and aborts its request if it was cancelled.
#[pyclass(frozen)]
struct OnDone {
    bridge: Py<LoopBridge>,
    ticket: u64,
    handle: tokio::task::AbortHandle,
}

#[pymethods]
impl OnDone {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.handle.abort();
        }
        let removed = self
            .bridge
            .get()
            .waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.ticket);
        if let Some(future) = removed {
            future.drop_ref(py);
        }
        Ok(())
    }
}

/// Bridges per event loop, dropped with their loop.
static BRIDGES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn bridge_for<'py>(
    py: Python<'py>,
    event_loop: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, LoopBridge>> {
    let bridges = BRIDGES
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py
                .import("weakref")?
                .call_method0("WeakKeyDictionary")?
                .unbind())
        })?
        .bind(py);
    if let Ok(existing) = bridges
        .call_method1("get", (event_loop,))?
        .cast_into::<LoopBridge>()
    {
        return Ok(existing);
    }
    let mailbox = Arc::new(Mailbox::new()?);
    let fd = mailbox.fd().ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err("the completion queue has no descriptor")
    })?;
    let bridge = Bound::new(
        py,
        LoopBridge {
            mailbox,
            watched_by_task: std::sync::atomic::AtomicBool::new(false),
            waiting: Mutex::new(HashMap::new()),
            next_ticket: AtomicU64::new(0),
        },
    )?;
    let drain = bridge.getattr("_drain")?;
    match event_loop.call_method1("add_reader", (fd, &drain)) {
        Ok(_) => {}
        // Windows' default (proactor) loop watches no descriptors; a task awaits the
        // doorbell instead (ocus/_doorbell.py).
        Err(error) if error.is_instance_of::<PyNotImplementedError>(py) => {
            bridge.get().watched_by_task.store(true, Ordering::Relaxed);
        }
        Err(error) => return Err(error),
    }
    bridges.set_item(event_loop, &bridge)?;
    Ok(bridge)
}

/// Starts `future` on the shared runtime and returns an asyncio future of its result, bound
/// to the running event loop. Cancelling the asyncio future aborts the request.
pub fn awaitable<'py, T: IntoPython, F>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = ocus::Result<T>> + Send + 'static,
{
    crate::logging::refresh(py);
    let event_loop = running_loop(py)?;
    let bridge = bridge_for(py, &event_loop)?;
    if bridge.get().watched_by_task.load(Ordering::Relaxed) {
        // (Re)started if it is not running: see ocus/_doorbell.py.
        py.import("ocus._doorbell")?.call_method1(
            "listen",
            (
                &event_loop,
                bridge.get().mailbox.fd(),
                bridge.getattr("_drain")?,
            ),
        )?;
    }
    let py_future = event_loop.call_method0("create_future")?;
    let bridge_ref = bridge.get();
    let ticket = bridge_ref.next_ticket.fetch_add(1, Ordering::Relaxed);
    bridge_ref
        .waiting
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(ticket, py_future.clone().unbind());
    let task = bridge_ref
        .mailbox
        .start(ticket, None, future, |outcome| -> Completion {
            Box::new(move |py| match outcome {
                Ok(value) => value.into_python(py),
                Err(error) => Err(to_py_err(py, error)),
            })
        })
        .map_err(|e| to_py_err(py, e))?;
    py_future.call_method1(
        "add_done_callback",
        (OnDone {
            bridge: bridge.unbind(),
            ticket,
            handle: task,
        },),
    )?;
    Ok(py_future)
}

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    GET_RUNNING_LOOP
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
        })?
        .bind(py)
        .call0()
}

/// An asyncio future already holding `value` (for `__aenter__`/`__aexit__`).
pub fn ready<'py>(py: Python<'py>, value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let future = running_loop(py)?.call_method0("create_future")?;
    future.call_method1("set_result", (value,))?;
    Ok(future)
}
