//! The one point where a core error becomes a Python exception.
//!
//! The core's view of the error (`ocus::ErrorView`) crosses as one JSON text; `ocus/_errors.py`
//! (generated) picks the class from its `kinds` and keeps every field unchanged.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Converts a core error into the matching `ocus` exception.
pub fn to_py_err(py: Python<'_>, error: ocus::Error) -> PyErr {
    build(py, &error).unwrap_or_else(|failure| failure)
}

fn build(py: Python<'_>, error: &ocus::Error) -> PyResult<PyErr> {
    let from_native = FROM_NATIVE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("ocus._errors")?.getattr("_from_native")?.unbind())
    })?;
    // The core's one view of an error (`ocus::ErrorView`), as JSON: no field is copied here.
    let view = serde_json::to_string(&error.view())
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    let exception = from_native.bind(py).call1((view,))?;
    Ok(PyErr::from_value(exception))
}
