//! Client settings: the builder, the environment, and base-URL rules.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};
use crate::key::ApiKey;
use crate::log::{ENV_LOG, LogLevel, LogSink, Logger};
pub use crate::validate::DEFAULT_BASE_URL;
use crate::validate::{BaseUrl, ProxyUrl};

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one attempt, from sending to the last byte of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default size of a client's retry budget, in tokens: 100 retries (5 tokens each) while
/// nothing succeeds, then none until successes refill it (1 token each).
pub const DEFAULT_RETRY_BUDGET: u32 = 500;
/// Default most idle connections a client's pool keeps open to the API once calls finish: a
/// burst of more calls in flight opens more, and the ones above this close as their calls end.
/// Idle connections also close after the idle timeout (see [`IDLE_CONNECTION_TIMEOUT`]). Below the calls in flight, every call that
/// ends closes a connection and the next opens one: at 1,000 in flight a limit of 100 doubled
/// the core's CPU per call (`ocus-bench core`, 30 -> 64 µs), hence room for 1,000 callers.
pub const MAX_IDLE_CONNECTIONS: usize = 1024;
/// Default time an unused pooled connection stays open ([`ClientBuilder::idle_timeout`]).
///
/// The rule for connections after a burst: as calls end, the pool keeps at most
/// [`ClientBuilder::max_idle_connections`]; a connection then unused for this long closes
/// within twice this time (the pool checks once per idle timeout), or three times on the
/// blocking path, where no caller may be driving the runtime (a sweep thread runs it twice per
/// idle timeout; `core/tests/pool.rs` checks both). The pool hands out the most
/// recently used connection first, so under a lighter load the connections in use stay warm
/// and the rest age out: open connections settle to the calls in flight.
pub const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest successful response body accepted.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Environment variable holding the key.
pub const ENV_API_KEY: &str = "OCUS_API_KEY";
/// Environment variable naming a file holding the key (re-read on 401/403).
pub const ENV_API_KEY_FILE: &str = "OCUS_API_KEY_FILE";
/// Environment variable overriding the base URL.
pub const ENV_BASE_URL: &str = "OCUS_BASE_URL";
/// A PEM file of extra CA certificates to trust (see [`ClientBuilder::ca_bundle`]).
pub const ENV_CA_BUNDLE: &str = "OCUS_CA_BUNDLE";

/// Where the key comes from: a file is re-read once on 401/403 so keys rotate without restart.
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    Value(ApiKey),
    File(PathBuf),
}

/// The settings a built client runs with.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub base: BaseUrl,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    /// The retry budget's capacity (see [`crate::retry::RetryBudget`]).
    pub retry_budget: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    pub max_response_bytes: usize,
    pub max_idle_connections: usize,
    pub idle_timeout: Duration,
    pub user_agent: String,
    /// `user_agent` as the header value every request sends.
    pub user_agent_header: reqwest::header::HeaderValue,
    /// Extra trusted CA certificates (on top of the system's).
    pub ca_certs: Vec<reqwest::Certificate>,
    /// An explicit proxy (else the standard variables, HTTPS_PROXY and the rest).
    pub proxy: Option<ProxyUrl>,
    /// Sent with every request (checked; a `user-agent` here extends the client's).
    pub default_headers: reqwest::header::HeaderMap,
    pub logger: Logger,
    /// Traces each call that has no trace of its own (see [`crate::telemetry`]).
    pub call_tracer: Option<crate::telemetry::Tracer>,
    /// The headers a traced attempt records (never the key's).
    pub captured_headers: crate::telemetry::CapturedHeaders,
}

/// Builds a [`Client`](crate::Client). Values set here win over the environment.
///
/// ```no_run
/// # fn main() -> ocus::Result<()> {
/// let client = ocus::Client::builder()
///     .api_key("my-key")
///     .base_url("https://api.ocus.io/v3")
///     .max_retries(3)
///     .timeout(std::time::Duration::from_secs(30))
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder {
    api_key: Option<SecretString>,
    api_key_file: Option<PathBuf>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
    retry_budget: Option<u32>,
    backoff_base: Duration,
    backoff_cap: Duration,
    max_response_bytes: usize,
    max_idle_connections: usize,
    idle_timeout: Option<Duration>,
    sdk: Option<String>,
    user_agent: Option<String>,
    ca_bundles: Vec<PathBuf>,
    extra_ca_bundles: Vec<PathBuf>,
    proxy: Option<String>,
    default_headers: Vec<(String, String)>,
    log_sink: Option<Arc<dyn LogSink>>,
    call_tracer: Option<Arc<dyn crate::telemetry::CallTracer>>,
    capture_request_headers: Option<Vec<String>>,
    capture_response_headers: Option<Vec<String>>,
    /// Set explicitly (`Some(None)`: off).
    log_level: Option<Option<LogLevel>>,
    log_fd: Option<i32>,
    read_env: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            api_key_file: None,
            base_url: None,
            timeout: None,
            connect_timeout: None,
            max_retries: None,
            retry_budget: None,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(8),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_idle_connections: MAX_IDLE_CONNECTIONS,
            idle_timeout: None,
            sdk: None,
            user_agent: None,
            ca_bundles: Vec::new(),
            extra_ca_bundles: Vec::new(),
            proxy: None,
            default_headers: Vec::new(),
            log_sink: None,
            call_tracer: None,
            capture_request_headers: None,
            capture_response_headers: None,
            log_level: None,
            log_fd: None,
            read_env: false,
        }
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("api_key_file", &self.api_key_file)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("ca_bundles", &self.ca_bundles)
            .field("extra_ca_bundles", &self.extra_ca_bundles)
            .field("proxy", &self.proxy.as_ref().map(|_| "***"))
            .field("log_level", &self.log_level)
            .field("read_env", &self.read_env)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key. Validated by [`build`](Self::build).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// A file holding the API key. It is re-read once when the server answers 401 or 403, and
    /// the request retried with the new key if it changed.
    pub fn api_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.api_key_file = Some(path.into());
        self
    }

    /// The base URL, `https://` (or `http://` to a loopback host). Default
    /// [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Time allowed for one attempt, body included. Default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to open a connection. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Most idle connections the pool keeps once calls end. Default [`MAX_IDLE_CONNECTIONS`];
    /// 0 keeps none (every call opens a connection).
    pub fn max_idle_connections(mut self, connections: usize) -> Self {
        self.max_idle_connections = connections;
        self
    }

    /// How long an unused pooled connection stays open. Default [`IDLE_CONNECTION_TIMEOUT`],
    /// which also states the rule for connections after a burst.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Retries after the first attempt. Default [`DEFAULT_MAX_RETRIES`].
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// The client's retry budget, in tokens (default [`DEFAULT_RETRY_BUDGET`]): each retry
    /// takes 5 (10 after a timeout), each call that succeeds at once gives 1 back, and a call
    /// that succeeds after retrying returns what its last retry took. An empty budget means
    /// no retries: a failing call fails with its own error at once. Shared by every call of
    /// the client (and of [`Client::with_separate_pool`](crate::Client::with_separate_pool) copies); 0 turns retries off.
    /// At most [`MAX_RETRY_BUDGET`](crate::MAX_RETRY_BUDGET), checked by `build` (as on the
    /// JSON path).
    pub fn retry_budget(mut self, tokens: u32) -> Self {
        self.retry_budget = Some(tokens);
        self
    }

    /// Base and cap of the exponential backoff with full jitter (default 0.5 s and 8 s).
    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_cap = cap;
        self
    }

    /// Largest successful body accepted; a larger one is a `decode` error.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The SDK's product token, first in every User-Agent: `ocus-rust/<version>` unless a
    /// binding names itself (`ocus-python/0.1.0`). Applications use
    /// [`user_agent`](Self::user_agent) instead.
    pub fn sdk(mut self, product: impl Into<String>) -> Self {
        self.sdk = Some(product.into());
        self
    }

    /// The application's product token(s), sent after the SDK's: `.user_agent("billing/2.1")`
    /// sends `User-Agent: ocus-rust/0.1.0 billing/2.1` (every language, and a `User-Agent`
    /// header given as a default or per-call header extends it the same way).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A PEM file of CA certificates to trust *in addition to* the system's (a private CA, a
    /// TLS-inspecting proxy's). Each call adds one file. An unreadable file, or one without a
    /// PEM certificate, is a configuration error at [`build`](Self::build) naming the path.
    /// Default: `OCUS_CA_BUNDLE` (with [`from_env`](Self::from_env)).
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_bundles.push(path.into());
        self
    }

    /// A CA bundle a host platform adds by its own convention (Node's `NODE_EXTRA_CA_CERTS`),
    /// trusted on top of the ones [`ca_bundle`](Self::ca_bundle) or `OCUS_CA_BUNDLE` name:
    /// it never replaces them, so `OCUS_CA_BUNDLE` works the same in every language.
    pub fn extra_ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.extra_ca_bundles.push(path.into());
        self
    }

    /// The proxy to send requests through, instead of the one the standard variables name
    /// (`HTTPS_PROXY`, `ALL_PROXY`, lower case too; `NO_PROXY` still exempts hosts): an
    /// `http://` or `https://` URL, credentials in it if the proxy asks for them
    /// (`http://user:password@proxy:3128`). HTTPS requests go through it in a CONNECT tunnel,
    /// so the proxy never sees the key. Never used for a plain-http (loopback) base URL.
    /// The password is never printed.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// A header sent with every request (e.g. `traceparent`, a tenant id). Checked by
    /// [`build`](Self::build): a valid name, a value of visible ASCII (no CR or LF), and not
    /// one the client or the HTTP layer sets (`x-api-key`, `host`, `content-length`,
    /// `content-type`, `transfer-encoding`, `connection` and the like: a configuration error
    /// that says so). A `user-agent` is appended to the client's User-Agent, not put in its
    /// place. Per-call headers ([`RequestOptions::header`](crate::RequestOptions::header))
    /// come on top.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Where the client's log events go (each binding's bridge to its language's logger).
    /// Every event is also a `tracing` event (target `ocus`) whatever the sink.
    pub fn log_sink(mut self, sink: Arc<dyn LogSink>) -> Self {
        self.log_sink = Some(sink);
        self
    }

    /// Reports every call that has no trace of its own
    /// ([`RequestOptions::trace`](crate::RequestOptions::trace)) to the traces `tracer` makes:
    /// how a Rust application's OpenTelemetry sees the client's calls (`ocus-opentelemetry`).
    pub fn call_tracer(mut self, tracer: Arc<dyn crate::telemetry::CallTracer>) -> Self {
        self.call_tracer = Some(tracer);
        self
    }

    /// Request headers each traced attempt records, by name (any case), as the OpenTelemetry
    /// conventions' `http.request.header.<name>` (all values, as a list). None is recorded
    /// unless listed; `x-api-key` cannot be listed ([`build`](Self::build) refuses it). Default:
    /// `OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST` (comma-separated, with
    /// [`from_env`](Self::from_env)), else none.
    pub fn capture_request_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.capture_request_headers = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Response headers each traced attempt records, as `http.response.header.<name>`, under
    /// the same rules. Default: `OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE`.
    pub fn capture_response_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.capture_response_headers = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The level events reach the sink at (`None`: none do). Default: `OCUS_LOG` (with
    /// [`from_env`](Self::from_env)), else the sink's default (`warn`).
    pub fn log_level(mut self, level: Option<LogLevel>) -> Self {
        self.log_level = Some(level);
        self
    }

    /// Writes the log events as JSON lines to a duplicate of this file descriptor (Unix;
    /// instead of any [`log_sink`](Self::log_sink)): how the C ABI and Go receive them. A
    /// write that would block drops the event.
    pub fn log_fd(mut self, fd: i32) -> Self {
        self.log_fd = Some(fd);
        self
    }

    /// Fill every value not set explicitly from `OCUS_API_KEY`, `OCUS_API_KEY_FILE`,
    /// `OCUS_BASE_URL`, `OCUS_CA_BUNDLE`, `OCUS_LOG` and the two
    /// `OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_*` lists.
    pub fn from_env(mut self) -> Self {
        self.read_env = true;
        self
    }

    /// Everything `build` checks, up to (not including) the HTTP client and the key file read.
    pub(crate) fn settings_with_env(
        self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<(Settings, KeySource)> {
        let env = |name: &str| {
            if self.read_env {
                env(name).filter(|v| !v.is_empty())
            } else {
                None
            }
        };
        let key_source = if let Some(key) = &self.api_key {
            KeySource::Value(ApiKey::new(key.expose_secret())?)
        } else if let Some(path) = &self.api_key_file {
            KeySource::File(path.clone())
        } else if let Some(key) = env(ENV_API_KEY).map(SecretString::from) {
            KeySource::Value(
                ApiKey::new(key.expose_secret())
                    .map_err(|e| Error::configuration(format!("{ENV_API_KEY}: {}", e.message())))?,
            )
        } else if let Some(path) = env(ENV_API_KEY_FILE) {
            KeySource::File(PathBuf::from(path))
        } else {
            return Err(Error::configuration(format!(
                "no API key: pass one explicitly or set {ENV_API_KEY} or {ENV_API_KEY_FILE}"
            )));
        };
        let base_url = self
            .base_url
            .clone()
            .or_else(|| env(ENV_BASE_URL))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base = BaseUrl::parse(&base_url)?;
        let timeout = crate::validate::timeout("timeout", self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let connect_timeout = crate::validate::timeout(
            "connect_timeout",
            self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
        )?;
        let idle_timeout = crate::validate::timeout(
            "idle_timeout",
            self.idle_timeout.unwrap_or(IDLE_CONNECTION_TIMEOUT),
        )?;
        let sdk = self
            .sdk
            .unwrap_or_else(|| format!("ocus-rust/{}", env!("CARGO_PKG_VERSION")));
        let user_agent = match self.user_agent.as_deref().map(str::trim) {
            Some(application) if !application.is_empty() => format!("{sdk} {application}"),
            _ => sdk,
        };
        let user_agent_header = reqwest::header::HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::configuration("the user agent is not a valid header value"))?;
        let max_retries = crate::validate::retries(
            "max_retries",
            f64::from(self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES)),
        )?;
        let ca_bundles = match (&self.ca_bundles[..], env(ENV_CA_BUNDLE)) {
            ([], Some(path)) => vec![PathBuf::from(path)],
            (paths, _) => paths.to_vec(),
        };
        let mut ca_certs = Vec::new();
        for path in ca_bundles.iter().chain(&self.extra_ca_bundles) {
            ca_certs.extend(read_ca_bundle(path)?);
        }
        let proxy = self.proxy.as_deref().map(ProxyUrl::parse).transpose()?;
        let mut default_headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.default_headers {
            let (name, value) = crate::validate::header("default_headers", name, value)?;
            default_headers.insert(name, value);
        }
        let sink: Option<Arc<dyn LogSink>> = match self.log_fd {
            #[cfg(unix)]
            Some(fd) => Some(Arc::new(crate::log::FdSink::new(fd)?)),
            #[cfg(not(unix))]
            Some(_) => {
                return Err(Error::configuration("log_fd is only available on Unix"));
            }
            None => self.log_sink.clone(),
        };
        let log_level = match (self.log_level, env(ENV_LOG)) {
            (Some(level), _) => level,
            (None, Some(text)) => LogLevel::parse(ENV_LOG, &text)?,
            (None, None) => sink.as_ref().and_then(|s| s.default_level()),
        };
        let mut skipped = Vec::new();
        let mut captured = |option: &str, given: &Option<Vec<String>>, variable: &str| match given {
            Some(names) => crate::telemetry::header_names(option, names),
            None => {
                let listed = env(variable).unwrap_or_default();
                let (names, refused) = crate::telemetry::listed_header_names(variable, &listed);
                skipped.extend(refused);
                Ok(names)
            }
        };
        let captured_headers = crate::telemetry::CapturedHeaders {
            request: captured(
                "capture_request_headers",
                &self.capture_request_headers,
                crate::telemetry::ENV_CAPTURE_REQUEST_HEADERS,
            )?,
            response: captured(
                "capture_response_headers",
                &self.capture_response_headers,
                crate::telemetry::ENV_CAPTURE_RESPONSE_HEADERS,
            )?,
        };
        let logger = Logger::new(sink, log_level);
        for why in skipped {
            logger.emit(LogLevel::Warn, || crate::log::LogEvent {
                error: Some(why.clone()),
                ..crate::log::LogEvent::new(LogLevel::Warn, "a listed header is not recorded")
            });
        }
        let settings = Settings {
            logger,
            user_agent_header,
            retry_budget: crate::validate::retry_budget(
                "retry_budget",
                f64::from(self.retry_budget.unwrap_or(DEFAULT_RETRY_BUDGET)),
            )?,
            base,
            timeout,
            connect_timeout,
            max_retries,
            backoff_base: self.backoff_base,
            backoff_cap: self.backoff_cap,
            max_response_bytes: self.max_response_bytes,
            max_idle_connections: self.max_idle_connections,
            idle_timeout,
            user_agent,
            ca_certs,
            proxy,
            default_headers,
            call_tracer: self.call_tracer.clone().map(crate::telemetry::Tracer),
            captured_headers,
        };
        Ok((settings, key_source))
    }
}

/// A CA bundle larger than this is refused (a system bundle is about 200 KiB).
const MAX_CA_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;

/// The certificates of a PEM bundle, or a configuration error naming the file.
fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>> {
    let shown = path.display();
    let pem = crate::io::read_small_file(path, MAX_CA_BUNDLE_BYTES, "CA bundle")?;
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        Ok(_) => Err(Error::configuration(format!(
            "the CA bundle {shown} holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")"
        ))),
        Err(e) => Err(Error::configuration(format!(
            "the CA bundle {shown} is not valid PEM ({e})"
        ))
        .with_source(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::BaseUrl;
    use crate::{Client, ErrorKind};

    /// The builder refuses what the JSON options refuse (it accepted any budget before).
    #[test]
    fn a_retry_budget_over_the_limit_is_refused_by_the_builder_too() {
        let error = Client::builder()
            .api_key("k")
            .retry_budget(crate::MAX_RETRY_BUDGET + 1)
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Configuration);
        assert!(
            error
                .message()
                .contains("retry_budget must be a whole number of tokens from 0 to 1000000"),
            "{error}"
        );
        let json = serde_json::json!({"retry_budget": crate::MAX_RETRY_BUDGET + 1});
        let from_json = Client::builder()
            .api_key("k")
            .options(json.as_object().unwrap().clone())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(from_json.message(), error.message());
        Client::builder()
            .api_key("k")
            .retry_budget(crate::MAX_RETRY_BUDGET)
            .build()
            .unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_device_or_huge_file_named_as_a_key_or_bundle_fails_without_filling_memory() {
        let dev_zero = std::path::Path::new("/dev/zero");
        let error = crate::io::read_small_file(dev_zero, 1024, "CA bundle").unwrap_err();
        assert_eq!(
            error.message(),
            "the CA bundle /dev/zero is larger than 1024 bytes"
        );
        let error = ApiKey::from_file(dev_zero).unwrap_err();
        assert!(
            error.message().contains("larger than 65536 bytes"),
            "{error}"
        );
        let error = Client::builder()
            .api_key("k")
            .ca_bundle(dev_zero)
            .build()
            .unwrap_err();
        assert!(error.message().contains("larger than"), "{error}");
    }

    #[test]
    fn base_urls_must_be_secure_or_loopback() {
        for ok in [
            "https://api.ocus.io/v3",
            "https://api.ocus.io/v3/",
            "http://127.0.0.1:8080/v3",
            "http://127.9.9.9/v3",
            "http://localhost:1/v3",
            "http://[::1]:99/v3",
        ] {
            BaseUrl::parse(ok).unwrap();
        }
        for bad in [
            "http://api.ocus.io/v3",
            "http://10.0.0.1/v3",
            "ftp://api.ocus.io/v3",
            "not a url",
            "/v3",
            "https://user:pw@api.ocus.io/v3",
            "https://api.ocus.io/v3?x=1",
        ] {
            let err = BaseUrl::parse(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Configuration, "{bad}");
        }
    }

    #[test]
    fn paths_join_with_or_without_slashes_and_encode_queries() {
        let query = vec![
            ("page[size]".to_string(), "10".to_string()),
            ("q".to_string(), "a b&c".to_string()),
        ];
        for base in ["https://api.ocus.io/v3", "https://api.ocus.io/v3/"] {
            let base = BaseUrl::parse(base).unwrap();
            for path in ["/projects", "projects"] {
                assert_eq!(
                    base.join(path, &[]).unwrap().as_str(),
                    "https://api.ocus.io/v3/projects"
                );
            }
            assert_eq!(
                base.join("/projects", &query).unwrap().as_str(),
                "https://api.ocus.io/v3/projects?page%5Bsize%5D=10&q=a+b%26c"
            );
            assert_eq!(
                base.join_segment("/projects", "a/b c").unwrap().as_str(),
                "https://api.ocus.io/v3/projects/a%2Fb%20c"
            );
        }
        let base = BaseUrl::parse(DEFAULT_BASE_URL).unwrap();
        assert!(base.join("https://evil.example/x", &[]).is_err());
        assert!(base.join("//evil.example/x", &[]).is_err());
        assert!(base.join("/../admin", &[]).is_err());
        assert!(base.join_segment("/projects", "..").is_err());
        assert!(base.join_segment("/projects", "").is_err());
    }

    #[test]
    fn explicit_values_win_over_the_environment() {
        let env = |name: &str| match name {
            ENV_API_KEY => Some("env_key".to_string()),
            ENV_BASE_URL => Some("http://127.0.0.1:9/v3".to_string()),
            _ => None,
        };
        let client = Client::builder().from_env().build_with_env(env).unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9/v3");
        let client = Client::builder()
            .from_env()
            .base_url("https://example.test/v3")
            .build_with_env(env)
            .unwrap();
        assert_eq!(client.base_url(), "https://example.test/v3");
        // Header lists for traces come from OpenTelemetry's variables, checked the same way.
        let listed = |name: &str| {
            (name == crate::telemetry::ENV_CAPTURE_REQUEST_HEADERS)
                .then(|| "X-Tenant, ,accept".to_string())
                .or_else(|| env(name))
        };
        let (settings, _) = Client::builder()
            .from_env()
            .settings_with_env(listed)
            .unwrap();
        let request = settings.captured_headers.request;
        let names: Vec<&str> = request.iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["x-tenant", "accept"]);
        // One the check refuses is skipped (the variable is OpenTelemetry's, read by every
        // client): never the key, and never fatal.
        let keyed = |name: &str| {
            (name == crate::telemetry::ENV_CAPTURE_RESPONSE_HEADERS)
                .then(|| "x-request-id,X-API-Key,x-(a|b)".to_string())
                .or_else(|| env(name))
        };
        let (settings, _) = Client::builder()
            .from_env()
            .settings_with_env(keyed)
            .unwrap();
        let response = settings.captured_headers.response;
        assert_eq!(
            response.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
            ["x-request-id"]
        );
        // An empty list given explicitly turns the variable's list off.
        let (settings, _) = Client::builder()
            .from_env()
            .capture_request_headers(Vec::<String>::new())
            .settings_with_env(listed)
            .unwrap();
        assert!(settings.captured_headers.request.is_empty());
        // Without from_env() nothing is read.
        let err = Client::builder().build_with_env(env).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(err.message().contains(ENV_API_KEY));
        let bad = |name: &str| (name == ENV_API_KEY).then(|| "has space".to_string());
        let err = Client::builder()
            .from_env()
            .build_with_env(bad)
            .unwrap_err();
        assert!(err.message().starts_with(ENV_API_KEY));
        assert!(!err.to_string().contains("has space"));
    }

    #[test]
    fn zero_timeouts_are_rejected() {
        let err = Client::builder()
            .api_key("k")
            .timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
    }
}
