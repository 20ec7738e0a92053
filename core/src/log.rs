//! Log events: one set, the same fields in every language.
//!
//! The core decides what is logged and at which level; each binding only hands the events to
//! its language's logger (Python `logging`, a Node `logger` object, Go `log/slog`). An event
//! carries metadata only: never the key, a body, a query string or proxy credentials.
//!
//! Every event is also a `tracing` event (target `ocus`) for Rust programs.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};

/// `OCUS_LOG`: the level a client logs at when no option sets it.
pub const ENV_LOG: &str = "OCUS_LOG";

/// How much is logged. Ordered from the least to the most verbose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// The most severe level; the library emits no event at it (a failed call is returned
    /// to the caller, who decides whether to log it).
    Error,
    /// What the client could not do by itself: re-reading a changed API key file failed.
    Warn,
    /// What the client changed by itself: it read a changed API key file.
    Info,
    /// Each request and its outcome, each retry, a retry refused by an empty budget.
    Debug,
    /// The most verbose level; no event uses it yet.
    Trace,
}

impl LogLevel {
    /// The names accepted for a level, `off` included.
    pub const NAMES: &'static str = "off, error, warn, info, debug, trace";

    /// The level's name as `OCUS_LOG` spells it (`"warn"`).
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }

    /// A level by name (any case; `warning` too); `off` (or `none`) is `None`. `what` names
    /// the setting in the error (`log_level`, `OCUS_LOG`).
    pub fn parse(what: &str, text: &str) -> Result<Option<LogLevel>> {
        Ok(Some(match text.trim().to_ascii_lowercase().as_str() {
            "off" | "none" => return Ok(None),
            "error" => LogLevel::Error,
            "warn" | "warning" => LogLevel::Warn,
            "info" => LogLevel::Info,
            "debug" => LogLevel::Debug,
            "trace" => LogLevel::Trace,
            _ => {
                return Err(Error::configuration(format!(
                    "{what} must be one of {}, not {text:?}",
                    LogLevel::NAMES
                )));
            }
        }))
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LogLevel {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One log event. Fields that do not apply are `None` (left out of the JSON form).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LogEvent {
    /// How severe the event is.
    pub level: LogLevel,
    /// What happened: `request succeeded`, `request failed`, `retrying`, `API key file
    /// changed; retrying with the new key`, `could not re-read the API key file`.
    pub message: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The request's method, when the event is about a request.
    pub method: Option<String>,
    /// The URL path (never the query string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The HTTP status, when a response came.
    pub status: Option<u16>,
    /// The error kind of a failed attempt (`server_error`, `timeout`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// The attempt this event is about (1 for the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Time since the call started, in milliseconds.
    pub elapsed_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The `x-request-id` of the response, if any.
    pub request_id: Option<String>,
    /// Before the next attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_ms: Option<u64>,
    /// A one-line description of an error (the core's display, which holds no secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl LogEvent {
    pub(crate) fn new(level: LogLevel, message: &'static str) -> LogEvent {
        LogEvent {
            level,
            message,
            method: None,
            path: None,
            status: None,
            kind: None,
            attempt: None,
            elapsed_ms: None,
            request_id: None,
            wait_ms: None,
            error: None,
        }
    }

    /// The fields after the message, as `(name, value)` text pairs in a fixed order.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = Vec::new();
        let mut add = |name, value: Option<String>| {
            if let Some(value) = value {
                fields.push((name, value));
            }
        };
        add("method", self.method.clone());
        add("path", self.path.clone());
        add("status", self.status.map(|s| s.to_string()));
        add("kind", self.kind.map(str::to_owned));
        add("attempt", self.attempt.map(|a| a.to_string()));
        add("elapsed_ms", self.elapsed_ms.map(|e| e.to_string()));
        add("request_id", self.request_id.clone());
        add("wait_ms", self.wait_ms.map(|w| w.to_string()));
        add("error", self.error.clone());
        fields
    }
}

/// `request succeeded method=GET path=/v3/projects status=200 attempt=1 elapsed_ms=12 ...`
impl fmt::Display for LogEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)?;
        for (name, value) in self.fields() {
            if value.contains(char::is_whitespace) || value.is_empty() {
                write!(f, " {name}={value:?}")?;
            } else {
                write!(f, " {name}={value}")?;
            }
        }
        Ok(())
    }
}

/// Where a client's events go: each binding's bridge to its language's logger.
pub trait LogSink: Send + Sync + 'static {
    /// Whether events of `level` are wanted now (checked before an event is built).
    fn enabled(&self, level: LogLevel) -> bool {
        let _ = level;
        true
    }

    /// Takes one event. Called on the thread the request runs on: it must not block.
    fn log(&self, event: &LogEvent);

    /// The level used when neither an option nor `OCUS_LOG` sets one. `warn` unless the
    /// language's logger filters by itself (Python's `logging` does).
    fn default_level(&self) -> Option<LogLevel> {
        Some(LogLevel::Warn)
    }
}

/// A client's logging: its sink and the level it logs at.
#[derive(Default)]
pub(crate) struct Logger {
    // Asserted unwind-safe so a `Client` stays usable inside `catch_unwind` (the C ABI's
    // guard): the core keeps no state of its own inside a sink.
    sink: Option<AssertUnwindSafe<Arc<dyn LogSink>>>,
    level: Option<LogLevel>,
}

impl Clone for Logger {
    fn clone(&self) -> Self {
        Logger {
            sink: self
                .sink
                .as_ref()
                .map(|sink| AssertUnwindSafe(sink.0.clone())),
            level: self.level,
        }
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("sink", &self.sink.is_some())
            .field("level", &self.level)
            .finish()
    }
}

impl Logger {
    pub(crate) fn new(sink: Option<Arc<dyn LogSink>>, level: Option<LogLevel>) -> Logger {
        Logger {
            sink: sink.map(AssertUnwindSafe),
            level,
        }
    }

    /// Sends the event `build` makes to the sink (if `level` is on for it) and to `tracing`
    /// (if a subscriber wants it); builds nothing when neither does.
    pub(crate) fn emit(&self, level: LogLevel, build: impl FnOnce() -> LogEvent) {
        let sink = self
            .sink
            .as_ref()
            .map(|sink| &*sink.0)
            .filter(|sink| self.level.is_some_and(|max| level <= max) && sink.enabled(level));
        let traced = match level {
            LogLevel::Error => tracing::enabled!(target: "ocus", tracing::Level::ERROR),
            LogLevel::Warn => tracing::enabled!(target: "ocus", tracing::Level::WARN),
            LogLevel::Info => tracing::enabled!(target: "ocus", tracing::Level::INFO),
            LogLevel::Debug => tracing::enabled!(target: "ocus", tracing::Level::DEBUG),
            LogLevel::Trace => tracing::enabled!(target: "ocus", tracing::Level::TRACE),
        };
        if sink.is_none() && !traced {
            return;
        }
        let event = build();
        if traced {
            trace(&event);
        }
        if let Some(sink) = sink {
            sink.log(&event);
        }
    }
}

/// The event as a `tracing` event with its fields (those that apply), at its level.
fn trace(event: &LogEvent) {
    macro_rules! at {
        ($level:expr) => {
            tracing::event!(
                target: "ocus",
                $level,
                method = event.method.as_deref(),
                path = event.path.as_deref(),
                status = event.status,
                kind = event.kind,
                attempt = event.attempt,
                elapsed_ms = event.elapsed_ms,
                request_id = event.request_id.as_deref(),
                wait_ms = event.wait_ms,
                error = event.error.as_deref(),
                "{}",
                event.message
            )
        };
    }
    match event.level {
        LogLevel::Error => at!(tracing::Level::ERROR),
        LogLevel::Warn => at!(tracing::Level::WARN),
        LogLevel::Info => at!(tracing::Level::INFO),
        LogLevel::Debug => at!(tracing::Level::DEBUG),
        LogLevel::Trace => at!(tracing::Level::TRACE),
    }
}

/// Writes each event as one JSON line to a file descriptor (`log_fd`): how the C ABI and Go
/// receive events without the library calling back into them. A write that would block (a
/// full pipe) drops the event rather than stall a request.
#[cfg(unix)]
pub(crate) struct FdSink {
    file: std::fs::File,
}

#[cfg(unix)]
impl FdSink {
    /// A sink writing to a duplicate of `fd` (the caller keeps, and may close, its own).
    pub(crate) fn new(fd: i32) -> Result<FdSink> {
        use std::os::fd::BorrowedFd;
        if fd < 0 {
            return Err(Error::configuration(format!(
                "log_fd must be an open file descriptor, not {fd}"
            )));
        }
        // SAFETY: only borrowed for the duplication; an invalid fd makes it fail (EBADF).
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        let owned = borrowed.try_clone_to_owned().map_err(|e| {
            Error::configuration(format!("log_fd {fd} is not an open file descriptor"))
                .with_source(e)
        })?;
        Ok(FdSink {
            file: std::fs::File::from(owned),
        })
    }
}

/// A write up to this size reaches a pipe whole (Linux's PIPE_BUF; POSIX's smallest elsewhere).
#[cfg(target_os = "linux")]
const PIPE_BUF: usize = 4096;
#[cfg(all(unix, not(target_os = "linux")))]
const PIPE_BUF: usize = 512;

#[cfg(unix)]
fn shorten(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

#[cfg(unix)]
impl LogSink for FdSink {
    fn log(&self, event: &LogEvent) {
        use std::io::Write;
        let Ok(mut line) = serde_json::to_vec(event) else {
            return;
        };
        if line.len() >= PIPE_BUF {
            // Only a long path or error line can get here: shortened, the line still reaches
            // a pipe in one piece.
            let mut short = event.clone();
            short.path = short.path.map(|p| shorten(p, PIPE_BUF / 8));
            short.error = short.error.map(|e| shorten(e, PIPE_BUF / 8));
            let Ok(shortened) = serde_json::to_vec(&short) else {
                return;
            };
            line = shortened;
        }
        line.push(b'\n');
        // One write: a line shorter than PIPE_BUF reaches a pipe whole or not at all.
        let _ = (&self.file).write(&line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_long_event_still_fits_one_pipe_write() {
        let (reader, writer) = std::io::pipe().unwrap();
        use std::os::fd::AsRawFd;
        let sink = FdSink::new(writer.as_raw_fd()).unwrap();
        drop(writer);
        let mut event = LogEvent::new(LogLevel::Debug, "request failed");
        event.path = Some("/v3/".to_owned() + &"é".repeat(5000));
        event.error = Some("x".repeat(9000));
        sink.log(&event);
        drop(sink);
        let line = std::io::read_to_string(reader).unwrap();
        assert!(
            line.len() < PIPE_BUF && line.ends_with("…\"}\n"),
            "{} bytes",
            line.len()
        );
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(parsed["path"].as_str().unwrap().starts_with("/v3/éé"));
    }

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(
            LogLevel::parse("x", "DEBUG").unwrap(),
            Some(LogLevel::Debug)
        );
        assert_eq!(
            LogLevel::parse("x", "warning").unwrap(),
            Some(LogLevel::Warn)
        );
        assert_eq!(LogLevel::parse("x", "off").unwrap(), None);
        let err = LogLevel::parse("OCUS_LOG", "verbose").unwrap_err();
        assert_eq!(
            err.message(),
            r#"OCUS_LOG must be one of off, error, warn, info, debug, trace, not "verbose""#
        );
        assert!(LogLevel::Error < LogLevel::Warn && LogLevel::Debug < LogLevel::Trace);
    }

    #[test]
    fn an_event_reads_as_text_and_as_json() {
        let mut event = LogEvent::new(LogLevel::Debug, "request failed");
        event.method = Some("GET".into());
        event.path = Some("/v3/projects".into());
        event.status = Some(503);
        event.kind = Some("server_error");
        event.attempt = Some(1);
        event.error = Some("server error (503)".into());
        assert_eq!(
            event.to_string(),
            r#"request failed method=GET path=/v3/projects status=503 kind=server_error attempt=1 error="server error (503)""#
        );
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"level":"debug","message":"request failed","method":"GET","path":"/v3/projects","status":503,"kind":"server_error","attempt":1,"error":"server error (503)"}"#
        );
    }

    struct Collect(std::sync::Mutex<Vec<LogEvent>>);

    impl LogSink for Collect {
        fn log(&self, event: &LogEvent) {
            self.0.lock().unwrap().push(event.clone());
        }
    }

    #[test]
    fn the_level_filters_and_nothing_is_built_below_it() {
        let sink = Arc::new(Collect(Default::default()));
        let logger = Logger::new(Some(sink.clone()), Some(LogLevel::Info));
        logger.emit(LogLevel::Debug, || unreachable!("below the level"));
        logger.emit(LogLevel::Warn, || LogEvent::new(LogLevel::Warn, "w"));
        let off = Logger::new(Some(sink.clone()), None);
        off.emit(LogLevel::Error, || unreachable!("off"));
        assert_eq!(sink.0.lock().unwrap().len(), 1);
    }
}
