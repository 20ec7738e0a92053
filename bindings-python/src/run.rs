//! Running core futures for Python: blocking (GIL released, Ctrl-C honoured) or as asyncio
//! futures (resolved from the shared runtime, cancelled when the asyncio future is).

use std::future::Future;
use std::time::Duration;

use pyo3::exceptions::PyStopAsyncIteration;
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
        Ok(crate::convert::json_to_py(py, &self)?.unbind())
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
    let outcome: Result<ocus::Result<T>, PyErr> = py.detach(|| {
        let runtime = match ocus::runtime::get() {
            Ok(runtime) => runtime,
            Err(error) => return Ok(Err(error)),
        };
        runtime.block_on(async {
            let mut future = std::pin::pin!(future);
            loop {
                tokio::select! {
                    result = &mut future => return Ok(result),
                    () = tokio::time::sleep(SIGNAL_CHECK_INTERVAL) => {
                        Python::attach(|py| py.check_signals())?;
                    }
                }
            }
        })
    });
    outcome?.map_err(|error| to_py_err(py, error))
}

/// [`blocking`], then converted to Python.
pub fn blocking_py<T: IntoPython, F>(py: Python<'_>, future: F) -> PyResult<Py<PyAny>>
where
    F: Future<Output = ocus::Result<T>> + Send,
{
    blocking(py, future)?.into_python(py)
}

/// Sets the asyncio future's result or exception, unless it was cancelled meanwhile. Called
/// on the event loop's thread through `call_soon_threadsafe`.
#[pyfunction]
fn _resolve(future: &Bound<'_, PyAny>, ok: bool, value: &Bound<'_, PyAny>) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    if ok {
        future.call_method1("set_result", (value,))?;
    } else {
        future.call_method1("set_exception", (value,))?;
    }
    Ok(())
}

/// Aborts the Rust task when its asyncio future is cancelled (dropping the request).
#[pyclass(frozen)]
struct AbortOnCancel {
    handle: tokio::task::AbortHandle,
}

#[pymethods]
impl AbortOnCancel {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.handle.abort();
        }
        Ok(())
    }
}

static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Starts `future` on the shared runtime and returns an asyncio future of its result, bound
/// to the running event loop.
pub fn awaitable<'py, T: IntoPython, F>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = ocus::Result<T>> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let py_future = event_loop.call_method0("create_future")?;
    let resolve = RESOLVE
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(wrap_pyfunction!(_resolve, py)?.into_any().unbind())
        })?
        .clone_ref(py);
    let runtime = ocus::runtime::get().map_err(|e| to_py_err(py, e))?;
    let loop_ref = event_loop.unbind();
    let future_ref = py_future.clone().unbind();
    let task = runtime.spawn(async move {
        let outcome = future.await;
        Python::attach(|py| {
            let (ok, value) = match outcome
                .map_err(|error| to_py_err(py, error))
                .and_then(|value| value.into_python(py))
            {
                Ok(value) => (true, value),
                Err(error) => (false, error.into_value(py).into_any()),
            };
            // Fails only if the loop is closed: nobody is waiting any more.
            let _ = loop_ref
                .bind(py)
                .call_method1("call_soon_threadsafe", (resolve, future_ref, ok, value));
        });
    });
    py_future.call_method1(
        "add_done_callback",
        (AbortOnCancel {
            handle: task.abort_handle(),
        },),
    )?;
    Ok(py_future)
}

/// An asyncio future already holding `value` (for `__aenter__`/`__aexit__`).
pub fn ready<'py>(py: Python<'py>, value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let future = event_loop.call_method0("create_future")?;
    future.call_method1("set_result", (value,))?;
    Ok(future)
}
