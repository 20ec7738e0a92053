//! Running core futures for Python: blocking (GIL released, Ctrl-C honoured) or as asyncio
//! futures (resolved on the loop's thread, cancelled when the asyncio future is).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ocus::completion::{Completions, DrivenCalls};
use ocus::runtime::CancelToken;
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

/// Results of calls run on the process runtime's threads travel to the event loop without the
/// GIL: the core's completion queue rings a socket the loop watches (`loop.add_reader`), and
/// the loop thread drains it and resolves the futures. Taking the GIL on runtime threads
/// instead would make them wait for the busy loop thread (up to the 5 ms switch interval) on
/// every completion. With the event-loop runtime (below) only a result finished in another
/// loop's turn arrives here.
type Mailbox = Completions<Completion>;

/// A finished call of the event-loop runtime and the bridge of the loop that awaits it.
type Routed = (Py<LoopBridge>, Completion);

/// The runtime asyncio's calls run on where there is one (Linux): it has no thread of its own;
/// every loop that calls watches its descriptor and turns it on that loop's thread (the core's
/// `DrivenCalls`: one turning at a time), so a call's I/O and result stay on the loop's thread,
/// with no hand-off. One per process, so a client's pooled connections serve every loop (one
/// `asyncio.run` after another); rebuilt in a forked child.
struct EventLoopCalls {
    calls: DrivenCalls<Routed>,
    process_id: u32,
}

static EVENT_LOOP_CALLS: Mutex<Option<Arc<EventLoopCalls>>> = Mutex::new(None);

/// The process's event-loop runtime: `None` where there is none, or with `OCUS_PYTHON_THREADED`
/// set to 1 (calls then run on the process runtime's threads, as on macOS and Windows).
fn event_loop_calls() -> Option<Arc<EventLoopCalls>> {
    static THREADED: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| {
        std::env::var_os("OCUS_PYTHON_THREADED").is_some_and(|v| v == "1")
    });
    static UNAVAILABLE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if *THREADED || UNAVAILABLE.load(Ordering::Relaxed) {
        return None;
    }
    let process_id = ocus::runtime::process_id();
    let mut slot = EVENT_LOOP_CALLS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(calls) = &*slot {
        if calls.process_id == process_id {
            return Some(Arc::clone(calls));
        }
        // The parent's, in a forked child: its tasks and connections are the parent's.
        std::mem::forget(slot.take());
    }
    match DrivenCalls::new() {
        Ok(calls) => {
            let calls = Arc::new(EventLoopCalls { calls, process_id });
            *slot = Some(Arc::clone(&calls));
            Some(calls)
        }
        Err(_) => {
            UNAVAILABLE.store(true, Ordering::Relaxed);
            None
        }
    }
}

/// Which path this process's asyncio calls take: "event-loop" or "threads" (for tests).
#[pyfunction]
pub fn _async_path() -> &'static str {
    if event_loop_calls().is_some() {
        "event-loop"
    } else {
        "threads"
    }
}

/// One per event loop: the futures waiting for results, and the mailbox they arrive in.
#[pyclass(frozen)]
struct LoopBridge {
    mailbox: Arc<Mailbox>,
    /// The loop has no `add_reader`: a task of `ocus._doorbell` watches the mailbox instead.
    watched_by_task: AtomicBool,
    waiting: Mutex<HashMap<u64, Py<PyAny>>>,
    /// Set when this loop watches the event-loop runtime (its calls run there).
    event_loop: OnceLock<Arc<EventLoopCalls>>,
    /// A turn is scheduled with `call_soon` (started calls wait for it).
    turn_scheduled: AtomicBool,
    /// The loop time of the next turn due on a timer, and a weak reference to its handle.
    tick: Mutex<Option<(f64, Py<PyAny>)>>,
    /// A weak reference to the loop (the bridge lives as long as the loop does).
    loop_ref: Py<PyAny>,
}

/// Tickets of every loop's calls: the event-loop runtime's queue is shared.
static NEXT_TICKET: AtomicU64 = AtomicU64::new(0);

#[pymethods]
impl LoopBridge {
    /// Called by the event loop when the doorbell rings: resolves every delivered future.
    fn _drain(&self, py: Python<'_>) -> PyResult<()> {
        self.resolve_all(py, self.mailbox.drain(usize::MAX));
        Ok(())
    }

    /// Called by the event loop when the event-loop runtime's descriptor is readable, after
    /// calls were started, and on the timer the last turn asked for: runs the runtime's ready
    /// work here and resolves what finished.
    fn _turn(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<()> {
        let bridge = slf.get();
        bridge.turn_scheduled.store(false, Ordering::Relaxed);
        let Some(event_loop) = bridge.event_loop.get() else {
            return Ok(());
        };
        if event_loop.process_id != ocus::runtime::process_id() {
            // A loop made before a fork, in the child: the runtime, its descriptor and its
            // connections are the parent's; this loop's calls take the threads.
            return bridge.stop_watching(py, event_loop);
        }
        // With another loop's thread turning, this one takes nothing (that thread goes round
        // once more) but still learns when to turn again.
        let turn = event_loop.calls.turn(usize::MAX);
        let mut own = Vec::with_capacity(turn.finished.len());
        for (ticket, (owner, completion)) in turn.finished {
            if owner.as_ptr() == slf.as_ptr() {
                own.push((ticket, completion));
            } else {
                // Another loop's call, run in this loop's turn: to its mailbox.
                owner.get().mailbox.deliver(ticket, completion);
            }
        }
        bridge.resolve_all(py, own);
        if let Some(within) = turn.again_within {
            bridge.turn_within(slf, py, within)?;
        }
        Ok(())
    }

    /// The turn due on a timer.
    fn _tick(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<()> {
        *slf.get().tick.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Self::_turn(slf, py)
    }
}

impl LoopBridge {
    fn resolve_all(&self, py: Python<'_>, delivered: Vec<(u64, Completion)>) {
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
    }

    /// Makes sure a turn runs within `within` on the running loop (this bridge's).
    fn turn_within(&self, slf: &Bound<'_, Self>, py: Python<'_>, within: Duration) -> PyResult<()> {
        let event_loop = self.loop_ref.bind(py).call0()?;
        if event_loop.is_none() {
            return Ok(());
        }
        if within.is_zero() {
            return self.schedule_turn(slf, &event_loop);
        }
        let due = event_loop.call_method0("time")?.extract::<f64>()? + within.as_secs_f64();
        let mut tick = self.tick.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((scheduled, handle)) = &*tick {
            // Held weakly (a handle holds its loop, and the loop's bridge must not): gone once
            // it ran or its loop closed.
            let handle = handle.bind(py).call0()?;
            if !handle.is_none() {
                if *scheduled <= due {
                    return Ok(());
                }
                handle.call_method0("cancel")?; // a sweep, later than a tick now due
            }
        }
        let handle = event_loop.call_method1("call_at", (due, slf.getattr("_tick")?))?;
        *tick = Some((due, weak_reference(py, &handle)?));
        Ok(())
    }

    /// Removes the runtime's descriptor from this loop and its pending tick.
    fn stop_watching(&self, py: Python<'_>, calls: &EventLoopCalls) -> PyResult<()> {
        let event_loop = self.loop_ref.bind(py).call0()?;
        if let Some(fd) = runtime_descriptor(calls)
            && !event_loop.is_none()
        {
            event_loop.call_method1("remove_reader", (fd,))?;
        }
        if let Some((_, handle)) = self.tick.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let handle = handle.bind(py).call0()?;
            if !handle.is_none() {
                handle.call_method0("cancel")?;
            }
        }
        Ok(())
    }

    fn schedule_turn(&self, slf: &Bound<'_, Self>, event_loop: &Bound<'_, PyAny>) -> PyResult<()> {
        if !self.turn_scheduled.swap(true, Ordering::Relaxed) {
            event_loop.call_method1("call_soon", (slf.getattr("_turn")?,))?;
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

/// How a cancelled future stops its request.
enum Stop {
    /// A task on the process runtime.
    Abort(tokio::task::AbortHandle),
    /// A call on the event-loop runtime (its task is spawned in a later turn).
    Cancel(CancelToken),
}

/// Forgets a future once it is done and stops its request if it was cancelled.
#[pyclass(frozen)]
struct OnDone {
    bridge: Py<LoopBridge>,
    ticket: u64,
    stop: Stop,
}

#[pymethods]
impl OnDone {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            match &self.stop {
                Stop::Abort(handle) => handle.abort(),
                Stop::Cancel(token) => {
                    token.cancel();
                    // Stopped (its connection closed) now, as an aborted task is, not at a
                    // turn that may never come if the loop is about to close.
                    LoopBridge::_turn(self.bridge.bind(py), py)?;
                }
            }
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
            watched_by_task: AtomicBool::new(false),
            waiting: Mutex::new(HashMap::new()),
            event_loop: OnceLock::new(),
            turn_scheduled: AtomicBool::new(false),
            tick: Mutex::new(None),
            loop_ref: weak_reference(py, event_loop)?,
        },
    )?;
    let drain = bridge.getattr("_drain")?;
    match event_loop.call_method1("add_reader", (fd, &drain)) {
        Ok(_) => {
            // Loops that watch descriptors only: one that cannot would never turn the runtime.
            if let Some(calls) = event_loop_calls()
                && let Some(runtime_fd) = runtime_descriptor(&calls)
                && event_loop
                    .call_method1("add_reader", (runtime_fd, bridge.getattr("_turn")?))
                    .is_ok()
            {
                let _ = bridge.get().event_loop.set(calls);
            }
        }
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

fn weak_reference(py: Python<'_>, object: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    Ok(py
        .import("weakref")?
        .call_method1("ref", (object,))?
        .unbind())
}

#[cfg(target_os = "linux")]
fn runtime_descriptor(calls: &EventLoopCalls) -> Option<i32> {
    Some(calls.calls.fd())
}

#[cfg(not(target_os = "linux"))]
fn runtime_descriptor(_: &EventLoopCalls) -> Option<i32> {
    None // never made there
}

/// Starts `future` and returns an asyncio future of its result, bound to the running event
/// loop: on the event-loop runtime, in this loop's next turn, or on the process runtime's
/// threads. Cancelling the asyncio future stops the request.
pub fn awaitable<'py, T: IntoPython, F>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = ocus::Result<T>> + Send + 'static,
{
    crate::logging::refresh(py);
    let event_loop = running_loop(py)?;
    let bridge = bridge_for(py, &event_loop)?;
    let bridge_ref = bridge.get();
    if bridge_ref.watched_by_task.load(Ordering::Relaxed) {
        // (Re)started if it is not running: see ocus/_doorbell.py.
        py.import("ocus._doorbell")?.call_method1(
            "listen",
            (
                &event_loop,
                bridge_ref.mailbox.fd(),
                bridge.getattr("_drain")?,
            ),
        )?;
    }
    let py_future = event_loop.call_method0("create_future")?;
    let ticket = NEXT_TICKET.fetch_add(1, Ordering::Relaxed);
    bridge_ref
        .waiting
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(ticket, py_future.clone().unbind());
    let finish = |outcome: ocus::Result<T>| -> Completion {
        Box::new(move |py| match outcome {
            Ok(value) => value.into_python(py),
            Err(error) => Err(to_py_err(py, error)),
        })
    };
    // A loop made before a fork keeps the parent's runtime: its calls take the threads.
    let stop = match bridge_ref
        .event_loop
        .get()
        .filter(|calls| calls.process_id == ocus::runtime::process_id())
    {
        Some(calls) => {
            let token = CancelToken::new();
            let owner = bridge.clone().unbind();
            calls
                .calls
                .start(ticket, Some(token.clone()), future, move |outcome| {
                    (owner, finish(outcome))
                });
            bridge_ref.schedule_turn(&bridge, &event_loop)?;
            Stop::Cancel(token)
        }
        None => Stop::Abort(
            bridge_ref
                .mailbox
                .start(ticket, None, future, finish)
                .map_err(|e| to_py_err(py, e))?,
        ),
    };
    py_future.call_method1(
        "add_done_callback",
        (OnDone {
            bridge: bridge.unbind(),
            ticket,
            stop,
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
