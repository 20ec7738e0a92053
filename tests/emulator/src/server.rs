//! The HTTP side: `/v3` as OCUS documents it, a second "foreign" origin that records what
//! reaches it, and the `/__admin` API that tests in every language drive.

use std::collections::VecDeque;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::fixtures;

pub const UNAUTHORIZED_MESSAGE: &str = "Unauthorized. Please provide a valid API key.";
pub const FORBIDDEN_MESSAGE: &str = "Forbidden. This API key has been revoked or expired.";
const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    Valid,
    Revoked,
    Expired,
}

impl KeyState {
    fn as_str(self) -> &'static str {
        match self {
            KeyState::Valid => "valid",
            KeyState::Revoked => "revoked",
            KeyState::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone)]
pub struct KeyEntry {
    key: String,
    state: KeyState,
    /// What the request log shows instead of the key.
    name: String,
}

impl KeyEntry {
    pub fn new(key: String, state: KeyState, name: Option<String>, index: usize) -> KeyEntry {
        let name = name.unwrap_or_else(|| format!("{}-{index}", state.as_str()));
        KeyEntry { key, state, name }
    }
}

/// One injected behaviour, consumed by the next matching `/v3` request.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Fault {
    /// Only requests whose path starts with this (e.g. `/v3/projects`).
    path: Option<String>,
    /// Only requests with this method.
    method: Option<String>,
    /// What to do: respond (default when `status` is set), pass (default otherwise; with
    /// `delay_ms`), hang, reset, redirect, huge, malformed, empty.
    action: Option<String>,
    status: Option<u16>,
    /// Raw body text.
    body: Option<String>,
    /// JSON body.
    json: Option<Value>,
    #[serde(default)]
    headers: serde_json::Map<String, Value>,
    /// Wait before acting.
    #[serde(default)]
    delay_ms: u64,
    /// redirect: `same:/path`, `foreign:/path`, or an absolute URL.
    location: Option<String>,
    /// huge: body size in bytes.
    size: Option<usize>,
    /// How many requests this fault applies to (default 1; with `probability`, unlimited).
    times: Option<u32>,
    /// Applies to each matching request with this chance (0 < p <= 1) instead of to the next
    /// ones: a fault mix for load tests. Faults are tried in the order they were queued.
    probability: Option<f64>,
}

impl Fault {
    fn action(&self) -> &str {
        self.action.as_deref().unwrap_or(if self.status.is_some() {
            "respond"
        } else {
            "pass"
        })
    }

    /// How the request log names it: the action, and the status it answers with.
    fn label(&self) -> String {
        match self.status {
            Some(status) => format!("{} {status}", self.action()),
            None => self.action().to_owned(),
        }
    }
}

struct Recorded {
    origin: &'static str,
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    key: Option<String>,
    auth: &'static str,
    /// "HTTP/1.1" or "HTTP/2.0".
    version: String,
    /// The fault applied to it, if any (`respond 503`, `reset`, `hang`...).
    fault: Option<String>,
}

/// Where the `--tls` listeners are (see `tls.rs`).
struct TlsInfo {
    base_url: String,
    ip_base_url: String,
    expired_base_url: String,
    ca_file: String,
}

struct Shared {
    base_url: String,
    foreign_url: String,
    tls: Option<TlsInfo>,
    default_keys: Vec<KeyEntry>,
    keys: Mutex<Vec<KeyEntry>>,
    faults: Mutex<VecDeque<(Fault, u32)>>,
    requests: Mutex<Vec<Recorded>>,
    projects: Vec<Value>,
    next_request_id: AtomicU64,
    http: reqwest::Client,
}

type AppState = Arc<Shared>;

/// Where the base URL goes once the server listens: the first line of stdout, or a channel
/// (`ocus-mock -- COMMAND`, whose own stdout is the command's).
pub enum Announce {
    Stdout,
    To(tokio::sync::oneshot::Sender<String>),
}

pub async fn run(
    addr: SocketAddr,
    keys: Vec<KeyEntry>,
    project_count: usize,
    serve_tls: bool,
    announce: Announce,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let foreign = tokio::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?;
    let local = listener.local_addr()?;
    let foreign_local = foreign.local_addr()?;
    let mut tls_listeners = Vec::new();
    let tls = if serve_tls {
        let certificates = crate::tls::generate()?;
        let valid = tokio::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?;
        let expired = tokio::net::TcpListener::bind(SocketAddr::new(addr.ip(), 0)).await?;
        let (port, expired_port) = (valid.local_addr()?.port(), expired.local_addr()?.port());
        tls_listeners.push(crate::tls::TlsListener::new(valid, certificates.valid)?);
        tls_listeners.push(crate::tls::TlsListener::new(expired, certificates.expired)?);
        Some(TlsInfo {
            base_url: format!("https://localhost:{port}/v3"),
            ip_base_url: format!("https://{}:{port}/v3", addr.ip()),
            expired_base_url: format!("https://localhost:{expired_port}/v3"),
            ca_file: certificates.ca_file.display().to_string(),
        })
    } else {
        None
    };
    let state = Arc::new(Shared {
        base_url: format!("http://{local}/v3"),
        foreign_url: format!("http://{foreign_local}"),
        tls,
        default_keys: keys.clone(),
        keys: Mutex::new(keys),
        faults: Mutex::new(VecDeque::new()),
        requests: Mutex::new(Vec::new()),
        projects: fixtures::projects(project_count),
        next_request_id: AtomicU64::new(1),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?,
    });
    match announce {
        Announce::Stdout => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{}", state.base_url)?;
            stdout.flush()?;
        }
        Announce::To(ready) => {
            let _ = ready.send(state.base_url.clone());
        }
    }
    eprintln!(
        "ocus-mock: serving {} (foreign origin {}, admin {}/__admin)",
        state.base_url,
        state.foreign_url,
        state.base_url.trim_end_matches("/v3")
    );
    let app = Router::new()
        .route("/__admin/info", get(admin_info))
        .route("/__admin/reset", post(admin_reset))
        .route("/__admin/keys", post(admin_keys))
        .route(
            "/__admin/faults",
            post(admin_add_faults).delete(admin_clear_faults),
        )
        .route(
            "/__admin/requests",
            get(admin_requests).delete(admin_clear_requests),
        )
        .route("/__admin/webhooks", post(admin_send_webhook))
        .fallback(v3)
        .with_state(state.clone());
    if let Some(tls) = &state.tls {
        eprintln!(
            "ocus-mock: serving {} (HTTP/2 or 1.1; {} is a name mismatch, {} has an expired \
             certificate); trust the CA in {}",
            tls.base_url, tls.ip_base_url, tls.expired_base_url, tls.ca_file
        );
    }
    for listener in tls_listeners {
        let app = app.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    }
    let foreign_app = Router::new().fallback(foreign_handler).with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(foreign, foreign_app).await;
    });
    axum::serve(listener, app).await
}

fn request_id(state: &Shared) -> HeaderValue {
    let n = state.next_request_id.fetch_add(1, Ordering::Relaxed);
    HeaderValue::from_str(&format!("req_{n:08}")).expect("ascii")
}

fn with_request_id(state: &Shared, mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(HeaderName::from_static("x-request-id"), request_id(state));
    response
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The error body OCUS documents for 401/403, and `{"error": {"code", "message"}}` for the
/// rest of the error-code table.
fn error_response(status: u16) -> Response {
    let status_code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match status {
        401 => json!({ "error": UNAUTHORIZED_MESSAGE }),
        403 => json!({ "error": FORBIDDEN_MESSAGE }),
        _ => {
            let code = match status {
                400 => "invalid_request",
                404 => "not_found",
                405 => "method_not_allowed",
                409 => "conflict",
                429 => "rate_limited",
                503 => "service_unavailable",
                500..=599 => "server_error",
                _ => "error",
            };
            let message = status_code
                .canonical_reason()
                .map(|r| format!("{r}."))
                .unwrap_or_else(|| format!("Status {status}."));
            json!({ "error": { "code": code, "message": message } })
        }
    };
    json_response(status_code, body)
}

fn error_with(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(
        status,
        json!({ "error": { "code": code, "message": message } }),
    )
}

fn masked_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if name.as_str() == "x-api-key" {
                "***".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), value)
        })
        .collect()
}

fn classify_key(
    state: &Shared,
    headers: &HeaderMap,
) -> (Option<String>, &'static str, Option<KeyState>) {
    let Some(sent) = headers.get("x-api-key") else {
        return (None, "missing", None);
    };
    let keys = state.keys.lock().unwrap();
    match keys.iter().find(|k| k.key.as_bytes() == sent.as_bytes()) {
        Some(entry) => (
            Some(entry.name.clone()),
            entry.state.as_str(),
            Some(entry.state),
        ),
        None => (Some("unknown".to_owned()), "unknown", None),
    }
}

fn record(
    state: &Shared,
    origin: &'static str,
    request: &Request,
    key: Option<String>,
    auth: &'static str,
    fault: Option<&Fault>,
) {
    state.requests.lock().unwrap().push(Recorded {
        fault: fault.map(Fault::label),
        origin,
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        query: request.uri().query().map(str::to_owned),
        headers: masked_headers(request.headers()),
        key,
        auth,
        version: format!("{:?}", request.version()),
    });
}

fn take_fault(state: &Shared, method: &Method, path: &str) -> Option<Fault> {
    let mut faults = state.faults.lock().unwrap();
    let index = faults.iter().position(|(fault, _)| {
        fault.path.as_deref().is_none_or(|p| path.starts_with(p))
            && fault
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
            && fault.probability.is_none_or(|p| fastrand::f64() < p)
    })?;
    let (fault, remaining) = &mut faults[index];
    let fault_copy = fault.clone();
    if *remaining != u32::MAX {
        *remaining -= 1;
        if *remaining == 0 {
            faults.remove(index);
        }
    }
    Some(fault_copy)
}

async fn v3(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let (key, auth, key_state) = classify_key(&state, request.headers());
    if !path.starts_with("/v3/") && path != "/v3" {
        return with_request_id(
            &state,
            error_with(
                StatusCode::NOT_FOUND,
                "not_found",
                "No such path. The API lives under /v3.",
            ),
        );
    }
    let method = request.method().clone();
    let fault = take_fault(&state, &method, &path);
    record(&state, "main", &request, key, auth, fault.as_ref());
    if let Some(fault) = fault {
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if let Some(response) = apply_fault(&state, &fault) {
            return with_request_id(&state, response);
        }
    }
    let response = match key_state {
        None => error_response(401),
        Some(KeyState::Revoked | KeyState::Expired) => error_response(403),
        Some(KeyState::Valid) => route(&state, &method, &path, request.uri().query()),
    };
    with_request_id(&state, response)
}

fn apply_fault(state: &Shared, fault: &Fault) -> Option<Response> {
    let action = fault.action();
    let mut response = match action {
        "pass" => return None,
        "respond" => {
            let status = fault.status.unwrap_or(200);
            if let Some(body) = &fault.body {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                (status, body.clone()).into_response()
            } else if let Some(body) = &fault.json {
                json_response(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                    body.clone(),
                )
            } else {
                error_response(status)
            }
        }
        "empty" => StatusCode::from_u16(fault.status.unwrap_or(500))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        "hang" => {
            // Never answer; the client's timeout is what is under test.
            let body = Body::from_stream(futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok::<Bytes, std::io::Error>(Bytes::new())
            }));
            return Some(
                Response::builder()
                    .status(200)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .unwrap_or_default(),
            )
            .map(|r| hang_headers(r, fault));
        }
        "reset" => {
            // Headers and half a body, then the connection is dropped.
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(b"{\"data\": [{\"type\": \"project\", ")),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "reset by fault",
                )),
            ];
            Response::builder()
                .status(fault.status.unwrap_or(200))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(futures_util::stream::iter(chunks)))
                .unwrap_or_default()
        }
        "redirect" => {
            let location = fault.location.as_deref().unwrap_or("same:/v3/projects");
            let target = if let Some(path) = location.strip_prefix("same:") {
                format!("{}{}", state.base_url.trim_end_matches("/v3"), path)
            } else if let Some(path) = location.strip_prefix("foreign:") {
                format!("{}{}", state.foreign_url, path)
            } else {
                location.to_owned()
            };
            Response::builder()
                .status(fault.status.unwrap_or(302))
                .header(header::LOCATION, target)
                .body(Body::empty())
                .unwrap_or_default()
        }
        "huge" => {
            let size = fault.size.unwrap_or(64 * 1024 * 1024);
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let mut remaining = size;
            let stream = futures_util::stream::iter(std::iter::from_fn(move || {
                if remaining == 0 {
                    return None;
                }
                let n = remaining.min(chunk.len());
                remaining -= n;
                Some(Ok::<Bytes, std::io::Error>(chunk.slice(..n)))
            }));
            Response::builder()
                .status(fault.status.unwrap_or(200))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(stream))
                .unwrap_or_default()
        }
        "malformed" => Response::builder()
            .status(fault.status.unwrap_or(200))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(fault.body.clone().unwrap_or_else(|| {
                "{\"data\": [{\"type\": \"project\", \"id\": ".to_owned()
            })))
            .unwrap_or_default(),
        other => error_with(
            StatusCode::BAD_REQUEST,
            "invalid_fault",
            &format!("unknown fault action {other:?}"),
        ),
    };
    apply_headers(&mut response, fault);
    Some(response)
}

fn hang_headers(mut response: Response, fault: &Fault) -> Response {
    apply_headers(&mut response, fault);
    response
}

fn apply_headers(response: &mut Response, fault: &Fault) {
    for (name, value) in &fault.headers {
        let value = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
}

fn route(state: &Shared, method: &Method, path: &str, query: Option<&str>) -> Response {
    let rest = path.trim_start_matches("/v3").trim_end_matches('/');
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["projects"] if method == Method::GET => list_projects(state, query),
        ["projects", id] if method == Method::GET => get_project(state, id),
        ["projects"] | ["projects", _] => {
            let mut response = error_with(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                &format!("{method} is not allowed on this resource."),
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET"));
            response
        }
        _ => error_with(StatusCode::NOT_FOUND, "not_found", "No such resource."),
    }
}

fn list_projects(state: &Shared, query: Option<&str>) -> Response {
    let mut page_size = DEFAULT_PAGE_SIZE;
    let mut page_number = 1usize;
    let mut status_filter: Option<String> = None;
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "page[size]" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => page_size = n,
                _ => {
                    return error_with(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        &format!("page[size] must be an integer between 1 and {MAX_PAGE_SIZE}."),
                    );
                }
            },
            "page[number]" => match value.parse::<usize>() {
                Ok(n) if n >= 1 => page_number = n,
                _ => {
                    return error_with(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "page[number] must be an integer of at least 1.",
                    );
                }
            },
            "filter[status]" => status_filter = Some(value.into_owned()),
            _ => {}
        }
    }
    let matching: Vec<&Value> = state
        .projects
        .iter()
        .filter(|p| {
            status_filter
                .as_deref()
                .is_none_or(|s| p["attributes"]["status"] == s)
        })
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(page_size).max(1);
    let start = (page_number - 1).saturating_mul(page_size).min(total);
    let end = (start + page_size).min(total);
    let link = |number: usize| {
        let mut url = url::Url::parse(&format!("{}/projects", state.base_url)).expect("base url");
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("page[number]", &number.to_string());
            pairs.append_pair("page[size]", &page_size.to_string());
            if let Some(status) = &status_filter {
                pairs.append_pair("filter[status]", status);
            }
        }
        url.to_string()
    };
    let next = (page_number < pages).then(|| link(page_number + 1));
    json_response(
        StatusCode::OK,
        json!({
            "data": &matching[start..end],
            "links": { "self": link(page_number), "next": next },
            "meta": { "total": total, "page": page_number, "page_size": page_size, "pages": pages },
        }),
    )
}

fn get_project(state: &Shared, id: &str) -> Response {
    match state.projects.iter().find(|p| p["id"] == id) {
        Some(project) => json_response(StatusCode::OK, json!({ "data": project })),
        None => error_with(StatusCode::NOT_FOUND, "not_found", "Project not found."),
    }
}

async fn foreign_handler(State(state): State<AppState>, request: Request) -> Response {
    let (key, auth, _) = classify_key(&state, request.headers());
    record(&state, "foreign", &request, key, auth, None);
    json_response(
        StatusCode::OK,
        json!({ "data": [], "links": { "next": null }, "meta": { "foreign": true } }),
    )
}

// ---- admin -------------------------------------------------------------------------------

async fn admin_info(State(state): State<AppState>) -> Response {
    json_response(
        StatusCode::OK,
        json!({
            "base_url": state.base_url,
            "foreign_url": state.foreign_url,
            "tls": state.tls.as_ref().map(|tls| json!({
                "base_url": tls.base_url,
                "ip_base_url": tls.ip_base_url,
                "expired_base_url": tls.expired_base_url,
                "ca_file": tls.ca_file,
            })),
            "projects": state.projects.len(),
            "project_ids": state.projects.iter().map(|p| p["id"].clone()).collect::<Vec<_>>(),
        }),
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct KeysBody {
    #[serde(default)]
    keys: Option<KeysSpec>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum KeysSpec {
    /// `[{"key": "...", "state": "valid", "name": "alpha"}]`
    List(Vec<KeySpec>),
    /// `{"valid": [...], "revoked": [...], "expired": [...]}`
    ByState {
        #[serde(default)]
        valid: Vec<String>,
        #[serde(default)]
        revoked: Vec<String>,
        #[serde(default)]
        expired: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeySpec {
    key: String,
    state: KeyState,
    name: Option<String>,
}

impl KeysSpec {
    fn into_entries(self) -> Vec<KeyEntry> {
        match self {
            KeysSpec::List(list) => list
                .into_iter()
                .enumerate()
                .map(|(i, k)| KeyEntry::new(k.key, k.state, k.name, i))
                .collect(),
            KeysSpec::ByState {
                valid,
                revoked,
                expired,
            } => [
                (KeyState::Valid, valid),
                (KeyState::Revoked, revoked),
                (KeyState::Expired, expired),
            ]
            .into_iter()
            .flat_map(|(state, keys)| {
                keys.into_iter()
                    .enumerate()
                    .map(move |(i, key)| KeyEntry::new(key, state, None, i))
            })
            .collect(),
        }
    }
}

fn parse_body<T: serde::de::DeserializeOwned + Default>(body: &Bytes) -> Result<T, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

fn bad_admin_request(message: &str) -> Response {
    error_with(StatusCode::BAD_REQUEST, "invalid_admin_request", message)
}

async fn admin_reset(State(state): State<AppState>, body: Bytes) -> Response {
    let spec: KeysBody = match parse_body(&body) {
        Ok(spec) => spec,
        Err(message) => return bad_admin_request(&message),
    };
    *state.keys.lock().unwrap() = match spec.keys {
        Some(keys) => keys.into_entries(),
        None => state.default_keys.clone(),
    };
    state.faults.lock().unwrap().clear();
    state.requests.lock().unwrap().clear();
    json_response(StatusCode::OK, json!({ "reset": true }))
}

async fn admin_keys(State(state): State<AppState>, body: Bytes) -> Response {
    let spec: KeysBody = match parse_body(&body) {
        Ok(spec) => spec,
        Err(message) => return bad_admin_request(&message),
    };
    let entries = spec.keys.map(KeysSpec::into_entries).unwrap_or_default();
    let count = entries.len();
    *state.keys.lock().unwrap() = entries;
    json_response(StatusCode::OK, json!({ "keys": count }))
}

/// What a fault can do (`action`).
const FAULT_ACTIONS: [&str; 8] = [
    "respond",
    "pass",
    "hang",
    "reset",
    "redirect",
    "huge",
    "malformed",
    "empty",
];

/// The faults of an admin body, checked now so a typo in a test's setup is a 400 that names
/// it, not an API error on a later call: one fault or a list, each with known fields only and
/// a known action.
fn parse_faults(body: &Bytes) -> Result<Vec<Fault>, String> {
    let value: Value = match parse_body::<Option<Value>>(body)? {
        None => return Ok(Vec::new()),
        Some(value) => value,
    };
    let items = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let fault: Fault =
                serde_json::from_value(item).map_err(|e| format!("fault {index}: {e}"))?;
            match fault.action.as_deref() {
                Some(action) if !FAULT_ACTIONS.contains(&action) => Err(format!(
                    "fault {index}: unknown action {action:?} (expected one of: {})",
                    FAULT_ACTIONS.join(", ")
                )),
                _ if fault.probability.is_some_and(|p| !(p > 0.0 && p <= 1.0)) => Err(format!(
                    "fault {index}: probability must be more than 0 and at most 1"
                )),
                _ => Ok(fault),
            }
        })
        .collect()
}

async fn admin_add_faults(State(state): State<AppState>, body: Bytes) -> Response {
    let faults = match parse_faults(&body) {
        Ok(faults) => faults,
        Err(message) => return bad_admin_request(&message),
    };
    let mut queue = state.faults.lock().unwrap();
    for fault in faults {
        let times = match (fault.times, fault.probability) {
            (Some(times), _) => times.clamp(1, u32::MAX - 1),
            (None, Some(_)) => u32::MAX, // unlimited
            (None, None) => 1,
        };
        queue.push_back((fault, times));
    }
    json_response(StatusCode::OK, json!({ "queued": queue.len() }))
}

async fn admin_clear_faults(State(state): State<AppState>) -> Response {
    state.faults.lock().unwrap().clear();
    json_response(StatusCode::OK, json!({ "queued": 0 }))
}

async fn admin_requests(State(state): State<AppState>) -> Response {
    let requests = state.requests.lock().unwrap();
    let list: Vec<Value> = requests
        .iter()
        .map(|r| {
            json!({
                "origin": r.origin,
                "method": r.method,
                "path": r.path,
                "query": r.query,
                "headers": r.headers.iter()
                    .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                    .collect::<serde_json::Map<String, Value>>(),
                "key": r.key,
                "auth": r.auth,
                "http_version": r.version,
                "fault": r.fault,
            })
        })
        .collect();
    json_response(StatusCode::OK, json!({ "requests": list }))
}

async fn admin_clear_requests(State(state): State<AppState>) -> Response {
    state.requests.lock().unwrap().clear();
    json_response(StatusCode::OK, json!({ "requests": [] }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WebhookRequest {
    url: String,
    secret: String,
    #[serde(default = "default_event")]
    event: String,
    project_id: Option<String>,
    organization_id: Option<String>,
    status: Option<String>,
    /// Change the body after signing (a receiver must reject it).
    #[serde(default)]
    tamper: bool,
    /// Send no `ocus-signature` header.
    #[serde(default)]
    omit_signature: bool,
    /// Which documented form to send: `"body"` (the event is the body, its bytes are signed)
    /// or `"data"` (the body is `{"data": event}`, and the signature covers
    /// `JSON.stringify(body.data)`).
    #[serde(default)]
    signed_part: SignedPart,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum SignedPart {
    #[default]
    Body,
    Data,
}

fn default_event() -> String {
    "project.updated".to_owned()
}

/// Signs and POSTs an event to a receiver on this machine, as OCUS would.
async fn admin_send_webhook(State(state): State<AppState>, body: Bytes) -> Response {
    let spec: WebhookRequest = match parse_body(&body) {
        Ok(spec) => spec,
        Err(message) => return bad_admin_request(&message),
    };
    let target = match url::Url::parse(&spec.url) {
        Ok(url) if is_loopback(&url) => url,
        _ => {
            return error_with(
                StatusCode::BAD_REQUEST,
                "invalid_admin_request",
                "url must be an http(s) URL on a loopback host",
            );
        }
    };
    let mut attributes = serde_json::Map::new();
    attributes.insert(
        "organization_id".into(),
        json!(
            spec.organization_id
                .as_deref()
                .unwrap_or(fixtures::ORGANIZATION_ID)
        ),
    );
    attributes.insert(
        "project_id".into(),
        json!(
            spec.project_id
                .clone()
                .unwrap_or_else(|| fixtures::project_id(0))
        ),
    );
    if spec.event == "project.status.updated" || spec.status.is_some() {
        attributes.insert(
            "status".into(),
            json!(spec.status.as_deref().unwrap_or("completed")),
        );
    }
    let event = json!({ "type": "event", "id": spec.event, "attributes": attributes });
    // The event holds only strings and objects built in order, so serde_json's compact text
    // is exactly what JSON.stringify would write for it.
    let signed = event.to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(spec.secret.as_bytes()).expect("any key length");
    mac.update(signed.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    let signed_body = match spec.signed_part {
        SignedPart::Body => signed,
        // As a JavaScript sender would send it: pretty-printed, so the raw bytes differ from
        // the signed text and only the data form can verify it.
        SignedPart::Data => serde_json::to_string_pretty(&json!({ "data": event }))
            .expect("a JSON value serialises"),
    };
    let sent_body = if spec.tamper {
        signed_body.replacen("project", "projekt", 1)
    } else {
        signed_body.clone()
    };
    let mut request = state
        .http
        .post(target)
        .header(header::CONTENT_TYPE, "application/json")
        .body(sent_body.clone());
    if !spec.omit_signature {
        request = request.header("ocus-signature", &signature);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let reply = response.text().await.unwrap_or_default();
            json_response(
                StatusCode::OK,
                json!({
                    "delivered": true,
                    "receiver_status": status,
                    "receiver_body": reply,
                    "body": sent_body,
                    "signature": (!spec.omit_signature).then_some(signature),
                }),
            )
        }
        Err(e) => json_response(
            StatusCode::BAD_GATEWAY,
            json!({ "delivered": false, "error": e.without_url().to_string() }),
        ),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    matches!(url.scheme(), "http" | "https")
        && match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
}
