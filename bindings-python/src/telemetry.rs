//! The core's description of each call (`ocus::telemetry`) handed to Python's OpenTelemetry
//! API through `ocus._otel`, which only translates: names, attributes and error types come
//! from the core.
//!
//! Without the `otel` extra installed, `ocus._otel.begin` is `None` and a call pays one
//! check of a cached flag; with it, `begin()` returns `None` (no tracer or meter provider
//! set up) or a trace that has captured the caller's current context.

use std::sync::Arc;

use ocus::telemetry::{
    AttemptEnded, AttemptStarted, AttributeValue, Attributes, CallTrace, OperationEnded,
    OperationStarted, PropagationFuture,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// `ocus._otel.begin`, or `None` when the OpenTelemetry API is not installed.
static BEGIN: PyOnceLock<Option<Py<PyAny>>> = PyOnceLock::new();

/// A trace for a call starting now on this thread, if the application set up OpenTelemetry.
pub fn begin(py: Python<'_>) -> Option<Arc<dyn CallTrace>> {
    let begin = BEGIN
        .get_or_init(py, || {
            let module = py.import("ocus._otel").ok()?;
            let begin = module.getattr("begin").ok()?;
            (!begin.is_none()).then(|| begin.unbind())
        })
        .as_ref()?;
    match begin.bind(py).call0() {
        Ok(trace) if !trace.is_none() => Some(Arc::new(PythonTrace(trace.unbind()))),
        Ok(_) => None,
        Err(error) => {
            // Telemetry never fails a call.
            error.write_unraisable(py, None);
            None
        }
    }
}

/// An `ocus._otel.CallTrace`.
struct PythonTrace(Py<PyAny>);

fn attributes<'py>(py: Python<'py>, attributes: &Attributes) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in attributes {
        match value {
            AttributeValue::Text(text) => dict.set_item(name.as_ref(), text)?,
            AttributeValue::Int(number) => dict.set_item(name.as_ref(), number)?,
            AttributeValue::TextList(values) => dict.set_item(name.as_ref(), values)?,
        }
    }
    Ok(dict)
}

impl PythonTrace {
    /// Calls `method`; an exception in the application's OpenTelemetry setup is reported as
    /// unraisable and the call goes on.
    fn call<'py, A>(&self, py: Python<'py>, method: &str, arguments: A) -> Option<Bound<'py, PyAny>>
    where
        A: pyo3::call::PyCallArgs<'py>,
    {
        match self.0.bind(py).call_method1(method, arguments) {
            Ok(result) => Some(result),
            Err(error) => {
                error.write_unraisable(py, None);
                None
            }
        }
    }
}

impl CallTrace for PythonTrace {
    fn operation_started(&self, operation: &OperationStarted) {
        Python::attach(|py| {
            if let Ok(attributes) = attributes(py, &operation.attributes) {
                self.call(py, "operation_started", (operation.name, attributes));
            }
        });
    }

    fn attempt_started(&self, attempt: &AttemptStarted) -> PropagationFuture {
        let headers = Python::attach(|py| {
            let attributes = attributes(py, &attempt.attributes).ok()?;
            let carrier = self.call(py, "attempt_started", (attempt.name.as_str(), attributes))?;
            carrier.extract::<Vec<(String, String)>>().ok()
        });
        Box::pin(std::future::ready(headers.unwrap_or_default()))
    }

    fn attempt_ended(&self, attempt: &AttemptEnded) {
        Python::attach(|py| {
            let (Ok(span), Ok(metric)) = (
                attributes(py, &attempt.attributes),
                attributes(py, &attempt.metric_attributes),
            ) else {
                return;
            };
            let duration = attempt.duration.as_secs_f64();
            self.call(
                py,
                "attempt_ended",
                (span, attempt.error.as_deref(), duration, metric),
            );
        });
    }

    fn operation_ended(&self, operation: &OperationEnded) {
        Python::attach(|py| {
            if let Ok(attributes) = attributes(py, &operation.attributes) {
                self.call(
                    py,
                    "operation_ended",
                    (attributes, operation.error.as_deref()),
                );
            }
        });
    }
}

/// The core's names for the instruments, for `ocus._otel` (`_ocus.TELEMETRY`).
pub fn constants(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let constants = PyDict::new(py);
    constants.set_item(
        "instrumentation_name",
        ocus::telemetry::INSTRUMENTATION_NAME,
    )?;
    constants.set_item("duration_metric", ocus::telemetry::REQUEST_DURATION_METRIC)?;
    constants.set_item("duration_unit", ocus::telemetry::REQUEST_DURATION_UNIT)?;
    constants.set_item(
        "duration_description",
        ocus::telemetry::REQUEST_DURATION_DESCRIPTION,
    )?;
    constants.set_item(
        "duration_buckets",
        ocus::telemetry::REQUEST_DURATION_BUCKETS.to_vec(),
    )?;
    Ok(constants)
}
