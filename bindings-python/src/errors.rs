//! The one point where a core error becomes a Python exception.
//!
//! The class is chosen in `ocus/_errors.py` from the error's stable kind; every field of the
//! core error is passed through unchanged.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Converts a core error into the matching `ocus` exception.
pub fn to_py_err(py: Python<'_>, error: ocus::Error) -> PyErr {
    build(py, &error).unwrap_or_else(|failure| failure)
}

fn build(py: Python<'_>, error: &ocus::Error) -> PyResult<PyErr> {
    let from_native = FROM_NATIVE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("ocus._errors")?.getattr("_from_native")?.unbind())
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", error.kind().as_str())?;
    kwargs.set_item("message", error.message())?;
    kwargs.set_item("status", error.status())?;
    kwargs.set_item("code", error.code())?;
    kwargs.set_item("request_id", error.request_id())?;
    kwargs.set_item("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
    kwargs.set_item("body", error.body())?;
    kwargs.set_item("causes", error.causes())?;
    let exception = from_native
        .bind(py)
        .call((error.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}
