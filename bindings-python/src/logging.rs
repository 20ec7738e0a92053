//! The core's `tracing` events forwarded to the standard `logging` logger `ocus`.
//!
//! Only metadata is logged by the core (never the key or bodies); this layer only moves it.

use std::fmt::Write;
use std::sync::atomic::{AtomicU32, Ordering};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

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

struct PythonLogging;

#[derive(Default)]
struct Message {
    text: String,
    fields: String,
}

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.text, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.text.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

fn python_level(level: &Level) -> u32 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

impl<S: Subscriber> Layer<S> for PythonLogging {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with("ocus") {
            return;
        }
        let level = python_level(event.metadata().level());
        if level < EFFECTIVE_LEVEL.load(Ordering::Relaxed) {
            return;
        }
        Python::attach(|py| {
            let Ok(logger) = logger(py) else {
                return;
            };
            if !logger
                .call_method1("isEnabledFor", (level,))
                .and_then(|enabled| enabled.is_truthy())
                .unwrap_or(false)
            {
                return;
            }
            let mut message = Message::default();
            event.record(&mut message);
            let _ = logger.call_method1(
                "log",
                (level, format!("{}{}", message.text, message.fields)),
            );
        });
    }
}

/// Installs the forwarding layer once per process.
pub fn install() {
    let filter = tracing_subscriber::filter::Targets::new().with_target("ocus", Level::TRACE);
    let _ = tracing_subscriber::registry()
        .with(PythonLogging.with_filter(filter))
        .try_init();
}
