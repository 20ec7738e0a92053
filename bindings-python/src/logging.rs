//! The core's log events handed to the standard `logging` logger `ocus`.
//!
//! The core decides what is logged (metadata only: never the key or bodies) and `logging`'s
//! configuration decides what is kept; this sink only moves events across.

use std::sync::atomic::{AtomicU32, Ordering};

use ocus::{LogEvent, LogLevel, LogSink};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The `ocus` logger's effective level, read whenever Python calls into the SDK (the GIL is
/// held then). Events below it are dropped without taking the GIL on a runtime thread, which
/// would otherwise wait for the busy event-loop thread on every request.
static EFFECTIVE_LEVEL: AtomicU32 = AtomicU32::new(u32::MAX);

fn logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    Ok(LOGGER
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py
                .import("logging")?
                .call_method1("getLogger", ("ocus",))?
                .unbind())
        })?
        .bind(py))
}

/// Re-reads the logger's level (cheap: a method call on a cached logger).
pub fn refresh(py: Python<'_>) {
    if let Ok(level) =
        logger(py).and_then(|l| l.call_method0("getEffectiveLevel")?.extract::<u32>())
    {
        EFFECTIVE_LEVEL.store(level, Ordering::Relaxed);
    }
}

fn python_level(level: LogLevel) -> u32 {
    match level {
        LogLevel::Error => 40,
        LogLevel::Warn => 30,
        LogLevel::Info => 20,
        LogLevel::Debug => 10,
        LogLevel::Trace => 5,
    }
}

/// Every client's sink: the `ocus` logger.
pub struct PythonLogging;

impl LogSink for PythonLogging {
    fn enabled(&self, level: LogLevel) -> bool {
        python_level(level) >= EFFECTIVE_LEVEL.load(Ordering::Relaxed)
    }

    fn log(&self, event: &LogEvent) {
        let level = python_level(event.level);
        Python::attach(|py| {
            let Ok(logger) = logger(py) else {
                return;
            };
            if logger
                .call_method1("isEnabledFor", (level,))
                .and_then(|enabled| enabled.is_truthy())
                .unwrap_or(false)
            {
                let _ = logger.call_method1("log", (level, "%s", event.to_string()));
            }
        });
    }

    /// `logging`'s configuration filters: every event is offered to it.
    fn default_level(&self) -> Option<LogLevel> {
        Some(LogLevel::Trace)
    }
}
