//! The client: authentication, retries, timeouts, redirects and error mapping, once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use reqwest::header::{
    ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, USER_AGENT,
};
use reqwest::{Method, StatusCode};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::config::{ClientBuilder, KeySource, Settings};
use crate::error::{Error, ErrorKind, Result};
use crate::key::ApiKey;
use crate::log::{LogEvent, LogLevel};
pub use crate::request::RequestOptions;
use crate::response::ResponseInfo;
use crate::retry::{self, RetryBudget};
use crate::telemetry::{self, AttemptContext, OperationName, Trace};

pub use crate::validate::API_KEY_HEADER;
/// Redirect hops followed within the base URL's origin before giving up.
pub const MAX_REDIRECTS: usize = 5;
/// How much of an error body is read before the rest is dropped.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

impl ClientBuilder {
    /// Validates everything and builds the client. Nothing is sent.
    pub fn build(self) -> Result<Client> {
        self.build_with_env(|name| std::env::var(name).ok())
    }

    pub(crate) fn build_with_env(self, env: impl Fn(&str) -> Option<String>) -> Result<Client> {
        let (settings, key_source) = self.settings_with_env(env)?;
        Client::from_settings(settings, key_source)
    }
}

/// A client for OCUS API v3. Cheap to clone (clones share the connection pool and the key);
/// `Send + Sync`, so one client serves every task and thread.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    /// The HTTP client and the pid it was built in: after `fork()` the child builds its own,
    /// because the parent's pooled sockets and runtime registrations are not its to use.
    http: RwLock<(u32, reqwest::Client)>,
    /// The current key. Each request clones the `Arc` it starts with, so a rotation never
    /// changes the key of a request already in flight. Shared with clients made by
    /// [`Client::with_separate_pool`].
    key: Arc<RwLock<Arc<ApiKey>>>,
    key_file: Option<std::path::PathBuf>,
    /// Cancelled by [`Client::close`]: requests in flight stop, later ones fail. Shared with
    /// clients made by [`Client::with_separate_pool`].
    closing: CancellationToken,
    /// Set by an explicit `rotate_api_key`: from then on the key file is not re-read, so it
    /// cannot silently undo the rotation.
    key_pinned: Arc<AtomicBool>,
    /// Retries spend it, successes refill it. Shared with clients made by
    /// [`Client::with_separate_pool`].
    budget: Arc<RetryBudget>,
}

/// A successful response, body fully read.
pub(crate) struct Response {
    pub url: Url,
    pub body: Bytes,
    pub info: ResponseInfo,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ocus::Client")
            .field("base_url", &self.inner.settings.base.as_str())
            .field("api_key", &"***")
            .field("timeout", &self.inner.settings.timeout)
            .field("max_retries", &self.inner.settings.max_retries)
            .finish()
    }
}

impl Client {
    /// A builder; nothing is read from the environment unless you call
    /// [`ClientBuilder::from_env`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `OCUS_API_KEY` / `OCUS_API_KEY_FILE` and `OCUS_BASE_URL`.
    pub fn from_env() -> Result<Client> {
        Client::builder().from_env().build()
    }

    pub(crate) fn from_settings(settings: Settings, source: KeySource) -> Result<Client> {
        let (key, key_file) = match source {
            KeySource::Value(key) => (key, None),
            KeySource::File(path) => (ApiKey::from_file(&path)?, Some(path)),
        };
        let http = build_http(&settings)?;
        let budget = Arc::new(RetryBudget::new(settings.retry_budget));
        Ok(Client {
            inner: Arc::new(Inner {
                settings,
                http: RwLock::new((crate::runtime::process_id(), http)),
                key: Arc::new(RwLock::new(Arc::new(key))),
                key_file,
                key_pinned: Arc::new(AtomicBool::new(false)),
                closing: CancellationToken::new(),
                budget,
            }),
        })
    }

    /// A client with the same settings and the *same key* (a rotation through either is
    /// seen by both) but its own connection pool. Bindings that drive requests from two
    /// runtimes need this: a pooled connection belongs to the runtime that opened it.
    pub fn with_separate_pool(&self) -> Result<Client> {
        Ok(Client {
            inner: Arc::new(Inner {
                settings: self.inner.settings.clone(),
                http: RwLock::new((
                    crate::runtime::process_id(),
                    build_http(&self.inner.settings)?,
                )),
                key: self.inner.key.clone(),
                key_file: self.inner.key_file.clone(),
                key_pinned: self.inner.key_pinned.clone(),
                closing: self.inner.closing.clone(),
                budget: self.inner.budget.clone(),
            }),
        })
    }

    /// Closes the client (and every client sharing its key through
    /// [`with_separate_pool`](Self::with_separate_pool)): requests in flight stop at once and
    /// every call, now or later, fails with a `configuration` error of code `client_closed`.
    /// Idempotent.
    pub fn close(&self) {
        self.inner.closing.cancel();
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closing.is_cancelled()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.settings.base.as_str()
    }

    /// Replaces the key. Requests already in flight finish with the key they started with;
    /// every request started afterwards uses the new one. An invalid key changes nothing.
    /// After an explicit rotation a key file (if any) is no longer re-read on 401/403.
    pub fn rotate_api_key(&self, key: impl Into<String>) -> Result<()> {
        if self.is_closed() {
            return Err(Error::client_closed());
        }
        let key = ApiKey::new(key)?;
        self.inner.key_pinned.store(true, Ordering::Release);
        self.set_key(key);
        Ok(())
    }

    fn set_key(&self, key: ApiKey) {
        *self.inner.key.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(key);
    }

    fn current_key(&self) -> Arc<ApiKey> {
        self.inner
            .key
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn http(&self) -> Result<reqwest::Client> {
        let pid = crate::runtime::process_id();
        {
            let guard = self.inner.http.read().unwrap_or_else(|p| p.into_inner());
            if guard.0 == pid {
                return Ok(guard.1.clone());
            }
        }
        let mut guard = self.inner.http.write().unwrap_or_else(|p| p.into_inner());
        if guard.0 != pid {
            tracing::debug!("process forked: building a new connection pool");
            // The parent's pool must not be dropped here: its sockets belong to the parent.
            let parents = std::mem::replace(&mut *guard, (pid, build_http(&self.inner.settings)?));
            std::mem::forget(parents);
        }
        Ok(guard.1.clone())
    }

    /// Sends `method path` with the key and returns the decoded JSON body (`null` for an
    /// empty one). Same auth, retries and error mapping as every typed call.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        options: RequestOptions,
    ) -> Result<serde_json::Value> {
        Ok(self.request_with_response(method, path, options).await?.0)
    }

    /// Like [`request`](Self::request), with the response's status, headers and request id.
    pub async fn request_with_response(
        &self,
        method: Method,
        path: &str,
        options: RequestOptions,
    ) -> Result<(serde_json::Value, ResponseInfo)> {
        let trace = options.trace.clone();
        self.operation(OperationName::Request, trace, async |trace| {
            let url = self.inner.settings.base.join(path, &options.query)?;
            let response = self
                .execute(OperationName::Request, method, url, &options, trace)
                .await?;
            if response.body.iter().all(u8::is_ascii_whitespace) {
                return Ok((serde_json::Value::Null, response.info));
            }
            Ok((decode_json(&response.body)?, response.info))
        })
        .await
    }

    /// `call`, reported as one `operation` to `trace`, the call's own, else one from the
    /// client's [`CallTracer`](crate::telemetry::CallTracer), which `call` is given for its
    /// attempts (the span ends however the call does: an error, or the future dropped).
    pub(crate) async fn operation<T>(
        &self,
        operation: OperationName,
        trace: Option<Trace>,
        call: impl AsyncFnOnce(Option<&Trace>) -> Result<T>,
    ) -> Result<T> {
        let from_client = || {
            let tracer = self.inner.settings.call_tracer.as_ref()?;
            tracer.0.begin().map(Trace)
        };
        let Some(trace) = trace.or_else(from_client) else {
            return call(None).await;
        };
        trace.0.operation_started(&telemetry::operation_started(
            operation,
            self.inner.settings.base.url(),
        ));
        let mut ending = OperationEnding(Some(trace.clone()));
        let result = call(Some(&trace)).await;
        if let Some(trace) = ending.0.take() {
            trace
                .0
                .operation_ended(&telemetry::operation_ended(result.as_ref().err()));
        }
        result
    }

    /// Like [`request`](Self::request), with the method given as text (`"GET"`, `"post"`).
    pub async fn request_str(
        &self,
        method: &str,
        path: &str,
        options: RequestOptions,
    ) -> Result<serde_json::Value> {
        self.request(parse_method(method)?, path, options).await
    }

    /// Like [`request_with_response`](Self::request_with_response), with the method as text.
    pub async fn request_str_with_response(
        &self,
        method: &str,
        path: &str,
        options: RequestOptions,
    ) -> Result<(serde_json::Value, ResponseInfo)> {
        self.request_with_response(parse_method(method)?, path, options)
            .await
    }

    pub(crate) fn url_for(&self, path: &str, query: &[(String, String)]) -> Result<Url> {
        self.inner.settings.base.join(path, query)
    }

    pub(crate) fn url_for_id(&self, path: &str, id: &str) -> Result<Url> {
        self.inner.settings.base.join_segment(path, id)
    }

    /// Resolves a `links.next` value; it must stay on the base URL's origin, since the key
    /// is sent to it.
    pub(crate) fn resolve_link(&self, current: &Url, link: &str) -> Result<Url> {
        let url = current
            .join(link)
            .map_err(|e| Error::decode(format!("links.next is not a valid URL ({e})")))?;
        if !self.inner.settings.base.same_origin(&url) {
            return Err(Error::decode(format!(
                "links.next points to another origin ({}); the API key is only sent to {}",
                url.origin().ascii_serialization(),
                self.inner.settings.base.origin_text()
            )));
        }
        Ok(url)
    }

    /// [`retry_loop`](Self::retry_loop), stopped by [`close`](Self::close).
    pub(crate) async fn execute(
        &self,
        operation: OperationName,
        method: Method,
        url: Url,
        options: &RequestOptions,
        trace: Option<&Trace>,
    ) -> Result<Response> {
        if self.is_closed() {
            return Err(Error::client_closed());
        }
        tokio::select! {
            biased;
            () = self.inner.closing.cancelled() => Err(Error::client_closed()),
            result = self.retry_loop(operation, method, url, options, trace) => result,
        }
    }

    /// The retry loop around [`attempt`](Self::attempt).
    async fn retry_loop(
        &self,
        operation: OperationName,
        method: Method,
        url: Url,
        options: &RequestOptions,
        trace: Option<&Trace>,
    ) -> Result<Response> {
        let settings = &self.inner.settings;
        let max_retries = options.max_retries.unwrap_or(settings.max_retries);
        let may_retry = retry::is_idempotent(&method) || options.retry_non_idempotent;
        let timeout = options.timeout.unwrap_or(settings.timeout);
        let body = match &options.json {
            Some(json) => Some(Bytes::from(serde_json::to_vec(json).map_err(|e| {
                Error::configuration("the JSON body cannot be serialised").with_source(e)
            })?)),
            None => None,
        };
        let headers = self.sent_headers(&options.headers, body.is_some())?;
        let http = self.http()?;
        let mut retries = 0u32;
        let mut attempts = 0u32;
        let mut last_retry_cost = 0u32;
        let mut key_file_reread = false;
        let traced = trace.map(|trace| {
            let context = AttemptContext::new(
                operation,
                method.as_str(),
                settings.base.url(),
                &url,
                &settings.captured_headers,
            );
            (trace, context)
        });
        loop {
            attempts += 1;
            let key = self.current_key();
            // The attempt's span context goes out with it (a copy of the headers only then).
            let traced_headers = match &traced {
                Some((trace, context)) => {
                    let started = context.started(attempts, &url, &headers);
                    let propagation = trace.0.attempt_started(&started).await;
                    let mut with_context = headers.clone();
                    with_context.extend(telemetry::checked_propagation(propagation, &headers));
                    Some(with_context)
                }
                None => None,
            };
            let started = Instant::now();
            let mut ending = AttemptEnding {
                traced: traced.as_ref().map(|(t, c)| (*t, c, started)),
                response_headers: Vec::new(),
            };
            let outcome = match tokio::time::timeout(
                timeout,
                self.attempt(
                    &http,
                    &method,
                    &url,
                    body.clone(),
                    traced_headers.as_ref().unwrap_or(&headers),
                    &key,
                    &mut ending,
                ),
            )
            .await
            {
                Ok(outcome) => outcome,
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!("no complete response within {timeout:?}"),
                )),
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;
            match &outcome {
                Ok(Attempt::Success(response)) => ending.end(Some(response.status), None),
                Ok(Attempt::Failure(error)) | Err(error) => ending.end(error.status(), Some(error)),
            }
            let error = match outcome {
                Ok(Attempt::Success(response)) => {
                    settings.logger.emit(LogLevel::Debug, || LogEvent {
                        method: Some(method.to_string()),
                        path: Some(response.url.path().to_owned()),
                        status: Some(response.status),
                        attempt: Some(attempts),
                        elapsed_ms: Some(elapsed_ms),
                        request_id: response.request_id.clone(),
                        ..LogEvent::new(LogLevel::Debug, "request succeeded")
                    });
                    self.inner.budget.deposit(if retries == 0 {
                        retry::SUCCESS_REFILL
                    } else {
                        last_retry_cost
                    });
                    return Ok(Response {
                        info: ResponseInfo {
                            status: response.status,
                            request_id: response.request_id,
                            headers: response.headers,
                            url: response.url.to_string(),
                            attempts,
                        },
                        url: response.url,
                        body: response.body,
                    });
                }
                Ok(Attempt::Failure(error)) => error,
                Err(error) => error,
            };
            settings.logger.emit(LogLevel::Debug, || LogEvent {
                method: Some(method.to_string()),
                path: Some(url.path().to_owned()),
                status: error.status(),
                kind: Some(error.kind().as_str()),
                attempt: Some(attempts),
                elapsed_ms: Some(elapsed_ms),
                request_id: error.request_id().map(str::to_owned),
                // Our own words for a failure without a response; an HTTP error's message
                // comes from its body, which is not logged.
                error: error.status().is_none().then(|| error.to_string()),
                ..LogEvent::new(LogLevel::Debug, "request failed")
            });

            if matches!(error.kind(), ErrorKind::Unauthorized | ErrorKind::Forbidden) {
                // Never retry a rejected key as is; a key file may hold a rotated one.
                if !key_file_reread && self.reload_key_file(&key) {
                    key_file_reread = true;
                    continue;
                }
                return Err(error);
            }
            let retryable = match error.status() {
                Some(status) => retry::is_retryable_status(status),
                None => matches!(error.kind(), ErrorKind::Connection | ErrorKind::Timeout),
            };
            if !(retryable && may_retry && retries < max_retries) {
                return Err(error);
            }
            let wait = match error.retry_after() {
                Some(wait) if wait > retry::MAX_RETRY_AFTER => return Err(error),
                Some(wait) => wait,
                None => retry::backoff(retries, settings.backoff_base, settings.backoff_cap),
            };
            let cost = if error.kind() == ErrorKind::Timeout {
                retry::TIMEOUT_RETRY_COST
            } else {
                retry::RETRY_COST
            };
            if !self.inner.budget.withdraw(cost) {
                settings.logger.emit(LogLevel::Debug, || LogEvent {
                    method: Some(method.to_string()),
                    path: Some(url.path().to_owned()),
                    attempt: Some(attempts),
                    ..LogEvent::new(LogLevel::Debug, "not retrying: the retry budget is empty")
                });
                return Err(error);
            }
            last_retry_cost = cost;
            settings.logger.emit(LogLevel::Debug, || LogEvent {
                method: Some(method.to_string()),
                path: Some(url.path().to_owned()),
                attempt: Some(attempts + 1),
                wait_ms: Some(wait.as_millis() as u64),
                ..LogEvent::new(LogLevel::Debug, "retrying")
            });
            tokio::time::sleep(wait).await;
            retries += 1;
        }
    }

    /// Re-reads the key file; true when it holds a different valid key (now the current one).
    fn reload_key_file(&self, used: &ApiKey) -> bool {
        let Some(path) = &self.inner.key_file else {
            return false;
        };
        if self.inner.key_pinned.load(Ordering::Acquire) {
            return false;
        }
        match ApiKey::from_file(path) {
            Ok(fresh) if !fresh.same_as(used) => {
                self.inner.settings.logger.emit(LogLevel::Info, || {
                    LogEvent::new(
                        LogLevel::Info,
                        "API key file changed; retrying with the new key",
                    )
                });
                self.set_key(fresh);
                true
            }
            Ok(_) => false,
            Err(error) => {
                self.inner
                    .settings
                    .logger
                    .emit(LogLevel::Warn, || LogEvent {
                        error: Some(error.to_string()),
                        ..LogEvent::new(LogLevel::Warn, "could not re-read the API key file")
                    });
                false
            }
        }
    }

    /// Every header an attempt sends but the key: the client's default headers with this
    /// call's on top (a `user-agent` among them extends the client's User-Agent), then
    /// `Accept` unless the caller set one, `Content-Type` with a body, the User-Agent.
    fn sent_headers(&self, extra: &[(String, String)], has_body: bool) -> Result<HeaderMap> {
        let settings = &self.inner.settings;
        let mut headers = settings.default_headers.clone();
        for (name, value) in extra {
            let (name, value) = crate::validate::header("headers", name, value)?;
            headers.insert(name, value);
        }
        if let Some(extension) = headers.get(USER_AGENT) {
            let combined = format!(
                "{} {}",
                settings.user_agent,
                extension.to_str().unwrap_or_default()
            );
            let combined = HeaderValue::from_str(&combined).map_err(|_| {
                Error::configuration("the User-Agent extension is not a valid header value")
            })?;
            headers.insert(USER_AGENT, combined);
        } else {
            headers.insert(USER_AGENT, settings.user_agent_header.clone());
        }
        if !headers.contains_key(ACCEPT) {
            // A caller's Accept (e.g. application/vnd.api+json) replaces this one.
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if has_body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(headers)
    }

    /// One attempt: send, follow same-origin redirects, read the body within its bound.
    // The attempt's parts, borrowed from the retry loop, which keeps them across attempts.
    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        http: &reqwest::Client,
        method: &Method,
        url: &Url,
        body: Option<Bytes>,
        headers: &HeaderMap,
        key: &ApiKey,
        ending: &mut AttemptEnding<'_>,
    ) -> Result<Attempt> {
        let settings = &self.inner.settings;
        let mut method = method.clone();
        let mut url = url.clone();
        let mut body = body;
        for _hop in 0..=MAX_REDIRECTS {
            let mut sent = headers.clone();
            if body.is_none() {
                sent.remove(CONTENT_TYPE); // a redirect that turned a POST into a GET
            }
            let mut request = http
                .request(method.clone(), url.clone())
                .headers(sent)
                .header(HeaderName::from_static(API_KEY_HEADER), key.header_value());
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            let response = request.send().await.map_err(|e| transport_error(e, &url))?;
            // The last response's listed headers are the attempt's (a redirect's too).
            ending.capture(response.headers());
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response.headers().get(LOCATION)
            {
                let next = location
                    .to_str()
                    .ok()
                    .and_then(|l| url.join(l).ok())
                    .ok_or_else(|| {
                        redirect_error(status, response.headers(), "an invalid Location")
                    })?;
                if !settings.base.same_origin(&next) {
                    let target = format!(
                        "another origin ({}); the API key is only sent to {}",
                        next.origin().ascii_serialization(),
                        settings.base.origin_text()
                    );
                    return Ok(Attempt::Failure(redirect_error(
                        status,
                        response.headers(),
                        &target,
                    )));
                }
                if status == StatusCode::SEE_OTHER
                    || (matches!(status.as_u16(), 301 | 302) && method == Method::POST)
                {
                    method = Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
            let request_id = request_id(response.headers());
            if status.is_success() {
                let headers = header_list(response.headers());
                let body = read_bounded(response, settings.max_response_bytes, true).await?;
                return Ok(Attempt::Success(Success {
                    status: status.as_u16(),
                    url,
                    request_id,
                    headers,
                    body,
                }));
            }
            let retry_after = retry::parse_retry_after(response.headers());
            let body = read_bounded(response, MAX_ERROR_BODY_BYTES, false).await?;
            return Ok(Attempt::Failure(Error::from_response(
                status.as_u16(),
                request_id,
                retry_after,
                &body,
            )));
        }
        Err(Error::new(
            ErrorKind::ApiError,
            format!("more than {MAX_REDIRECTS} redirects"),
        ))
    }
}

enum Attempt {
    Success(Success),
    Failure(Error),
}

struct Success {
    status: u16,
    url: Url,
    request_id: Option<String>,
    headers: Vec<(String, String)>,
    body: Bytes,
}

/// The headers as text pairs (names are lower case already). Bytes outside ASCII are read as
/// Latin-1, HTTP's historical charset: every value stays a valid header value in every
/// language (a JS `Headers` refuses characters above U+00FF).
fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = match value.to_str() {
                Ok(text) => text.to_owned(),
                Err(_) => value.as_bytes().iter().map(|&b| char::from(b)).collect(),
            };
            (name.as_str().to_owned(), value)
        })
        .collect()
}

fn build_http(settings: &Settings) -> Result<reqwest::Client> {
    crate::runtime::sweep_within(settings.idle_timeout);
    let mut builder = reqwest::Client::builder();
    if settings.base.is_plain_http() {
        // Plain http is only allowed to loopback hosts; a proxy (explicit or HTTP_PROXY) would
        // carry the request, key included, in clear text to another machine. (Over https a
        // proxy only tunnels the encrypted connection.)
        builder = builder.no_proxy();
    } else if let Some(proxy) = &settings.proxy {
        // reqwest takes the credentials from the URL (Proxy-Authorization on the CONNECT).
        let proxy = reqwest::Proxy::all(proxy.as_str())
            .map_err(|_| {
                Error::configuration(format!("the proxy {} cannot be used", proxy.shown()))
            })?
            .no_proxy(reqwest::NoProxy::from_env());
        builder = builder.proxy(proxy);
    }
    builder
        // Redirects are followed by `attempt`, which keeps the key on the base origin:
        // reqwest only strips standard credential headers on cross-origin hops.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(settings.connect_timeout)
        .pool_idle_timeout(settings.idle_timeout)
        // A burst leaves at most this many connections open (hyper-util also keeps the
        // connections it opened while racing a checkout, which grew the pool past the calls
        // in flight after faults).
        .pool_max_idle_per_host(settings.max_idle_connections)
        .tcp_nodelay(true)
        // Extends the platform verifier's roots (SSL_CERT_FILE or the system store).
        .tls_certs_merge(settings.ca_certs.clone())
        .build()
        .map_err(|e| Error::configuration("cannot build the HTTP client").with_source(e))
}

pub(crate) fn parse_method(method: &str) -> Result<Method> {
    Method::from_bytes(method.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| Error::configuration(format!("invalid HTTP method {method:?}")))
}

/// The request id of a response: `X-Request-Id`, else `Request-Id`.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .or_else(|| headers.get("request-id"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn redirect_error(status: StatusCode, headers: &HeaderMap, target: &str) -> Error {
    Error::new(
        ErrorKind::ApiError,
        format!(
            "refused to follow a {} redirect to {target}",
            status.as_u16()
        ),
    )
    .with_http(status.as_u16(), request_id(headers))
    .with_code("redirect_refused")
}

fn transport_error(error: reqwest::Error, url: &Url) -> Error {
    // reqwest's text can hold the URL; ours names only the host and port, which hold no secret
    // (the base URL may not carry credentials), and says which failure it was.
    let target = match (url.host_str(), url.port_or_known_default()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => "the server".to_owned(),
    };
    if error.is_timeout() {
        return Error::new(
            ErrorKind::Timeout,
            format!("the connection to {target} timed out"),
        )
        .with_source(error.without_url());
    }
    let cause = ConnectionFailure::find(&error);
    let what = if error.is_connect() {
        format!("could not connect to {target}")
    } else {
        format!("the connection to {target} failed")
    };
    let message = match &cause {
        Some(cause) => format!("{what}: {}", cause.describe()),
        None => what,
    };
    let error = Error::new(ErrorKind::Connection, message).with_source(error.without_url());
    match cause {
        Some(cause) => error.with_code(cause.code()),
        None => error,
    }
}

/// Which way a connection failed, read from the error's cause chain. Its [`code`] is the
/// error's `code`, the same in every language.
#[derive(Debug)]
pub(crate) enum ConnectionFailure {
    Dns,
    Refused,
    Reset,
    /// The proxy would not open a tunnel (wrong credentials, a refused port).
    ProxyTunnel,
    Certificate(rustls::CertificateError),
    Tls(String),
}

impl ConnectionFailure {
    pub(crate) fn find(error: &(dyn std::error::Error + 'static)) -> Option<ConnectionFailure> {
        let mut current = Some(error);
        while let Some(e) = current {
            if let Some(tls) = e.downcast_ref::<rustls::Error>() {
                return Some(ConnectionFailure::from_tls(tls));
            }
            let io = e.downcast_ref::<std::io::Error>();
            match io.map(std::io::Error::kind) {
                Some(std::io::ErrorKind::ConnectionRefused) => {
                    return Some(ConnectionFailure::Refused);
                }
                Some(
                    std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe,
                ) => return Some(ConnectionFailure::Reset),
                _ => {}
            }
            // hyper-util's proxy connector reports a refused CONNECT (any status, 407 with
            // HTTP/1.0 included) as "tunnel error: unsuccessful" or "... proxy authorization
            // required", with no type to test. Its other tunnel errors (the proxy unreachable)
            // fall through to the I/O error they wrap.
            let text = e.to_string();
            if text == "tunnel error: unsuccessful"
                || text == "tunnel error: proxy authorization required"
            {
                return Some(ConnectionFailure::ProxyTunnel);
            }
            // hyper-util's resolver reports failures as "dns error" with no type to test.
            if e.to_string().starts_with("dns error") {
                return Some(ConnectionFailure::Dns);
            }
            // An io::Error's `source()` skips the error it wraps (the TLS stack nests them:
            // Other around InvalidData around rustls::Error), so step into it instead.
            current = match io.and_then(std::io::Error::get_ref) {
                Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
                None => e.source(),
            };
        }
        None
    }

    fn from_tls(error: &rustls::Error) -> ConnectionFailure {
        match error {
            rustls::Error::InvalidCertificate(reason) => {
                ConnectionFailure::Certificate(reason.clone())
            }
            other => ConnectionFailure::Tls(other.to_string()),
        }
    }

    pub(crate) fn code(&self) -> &'static str {
        match self {
            ConnectionFailure::Dns => "dns_failure",
            ConnectionFailure::Refused => "connection_refused",
            ConnectionFailure::Reset => "connection_reset",
            ConnectionFailure::ProxyTunnel => "proxy_refused",
            ConnectionFailure::Certificate(_) => "certificate_untrusted",
            ConnectionFailure::Tls(_) => "tls_handshake_failed",
        }
    }

    fn describe(&self) -> String {
        match self {
            ConnectionFailure::Dns => "the host name could not be resolved (DNS)".to_owned(),
            ConnectionFailure::Refused => "the connection was refused".to_owned(),
            ConnectionFailure::Reset => "the connection was reset".to_owned(),
            ConnectionFailure::ProxyTunnel => "the proxy refused to open a tunnel to it (check \
                                               the proxy URL and its credentials)"
                .to_owned(),
            ConnectionFailure::Certificate(reason) => {
                // rustls words each reason well ("certificate not valid for name ...",
                // "certificate expired: ..."); only the advice depends on which it is.
                let said = match reason {
                    rustls::CertificateError::UnknownIssuer => {
                        "issued by a certificate authority this machine does not trust".to_owned()
                    }
                    _ => rustls::Error::InvalidCertificate(reason.clone())
                        .to_string()
                        .trim_start_matches("invalid peer certificate: ")
                        .to_owned(),
                };
                let advice = match reason {
                    rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. } => {
                        "; check the base URL's host name"
                    }
                    rustls::CertificateError::Expired
                    | rustls::CertificateError::ExpiredContext { .. }
                    | rustls::CertificateError::NotValidYet
                    | rustls::CertificateError::NotValidYetContext { .. } => {
                        "; check the server's certificate and this machine's clock"
                    }
                    _ => {
                        "; if it comes from a private CA, trust that CA with the ca_bundle \
                         option or OCUS_CA_BUNDLE (a PEM file)"
                    }
                };
                format!("the server's TLS certificate was not accepted ({said}){advice}")
            }
            ConnectionFailure::Tls(reason) => format!("the TLS handshake failed ({reason})"),
        }
    }
}

/// Reads at most `limit` bytes. Past it, a success is a `decode` error and an error body is
/// simply cut (the status already says what happened).
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
    fail_when_over: bool,
) -> Result<Bytes> {
    if fail_when_over
        && let Some(length) = response.content_length()
        && length > limit as u64
    {
        return Err(too_large(limit));
    }
    let mut buffer = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        let error = Error::new(
            ErrorKind::Connection,
            "the connection broke while reading the response body",
        );
        match ConnectionFailure::find(&e) {
            Some(cause) => error.with_code(cause.code()),
            None => error,
        }
        .with_source(e.without_url())
    })? {
        if buffer.len() + chunk.len() > limit {
            if fail_when_over {
                return Err(too_large(limit));
            }
            buffer.extend_from_slice(&chunk[..limit - buffer.len()]);
            break;
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

fn too_large(limit: usize) -> Error {
    Error::decode(format!("the response body is larger than {limit} bytes"))
}

pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        Error::decode(format!("the response is not the expected JSON ({e})")).with_source(e)
    })
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
};

/// Ends an operation's span when its call is dropped before it ended (cancelled).
struct OperationEnding(Option<Trace>);

impl Drop for OperationEnding {
    fn drop(&mut self) {
        if let Some(trace) = self.0.take() {
            let cancelled = Error::new(ErrorKind::Cancelled, "the call was cancelled");
            trace
                .0
                .operation_ended(&telemetry::operation_ended(Some(&cancelled)));
        }
    }
}

/// Ends an attempt's span once: with its outcome, or as cancelled when the call is dropped
/// (or times out) mid-attempt.
struct AttemptEnding<'a> {
    traced: Option<(&'a Trace, &'a AttemptContext, Instant)>,
    /// The listed response headers of the attempt's last response, if traced.
    response_headers: telemetry::Attributes,
}

impl AttemptEnding<'_> {
    /// Keeps the listed headers of the response the attempt ends with.
    fn capture(&mut self, headers: &HeaderMap) {
        if let Some((_, context, _)) = &self.traced {
            self.response_headers = context.response_headers(headers);
        }
    }

    fn end(&mut self, status: Option<u16>, error: Option<&Error>) {
        if let Some((trace, context, started)) = self.traced.take() {
            let response_headers = std::mem::take(&mut self.response_headers);
            trace.0.attempt_ended(&context.ended(
                status,
                error,
                started.elapsed(),
                response_headers,
            ));
        }
    }
}

impl Drop for AttemptEnding<'_> {
    fn drop(&mut self) {
        if self.traced.is_some() {
            let cancelled = Error::new(ErrorKind::Cancelled, "the call was cancelled");
            self.end(None, Some(&cancelled));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn connection_failures_are_found_through_nested_io_errors() {
        // The shape the TLS stack produces (seen with a self-signed server): Other around
        // InvalidData around the rustls error.
        let certificate = io::Error::other(io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        ));
        let found = ConnectionFailure::find(&certificate).unwrap();
        assert_eq!(found.code(), "certificate_untrusted");
        assert!(found.describe().contains("OCUS_CA_BUNDLE"));
        let handshake = io::Error::other(rustls::Error::HandshakeNotComplete);
        assert_eq!(
            ConnectionFailure::find(&handshake).unwrap().code(),
            "tls_handshake_failed"
        );
        let refused = io::Error::other(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(
            ConnectionFailure::find(&refused).unwrap().code(),
            "connection_refused"
        );
        assert!(ConnectionFailure::find(&io::Error::other("something else")).is_none());
    }
}
