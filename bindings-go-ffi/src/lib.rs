//! The C ABI of the ocus core, used by the Go package (cgo) and usable from C and C++.
//!
//! Rules: opaque handles; every buffer this library returns is freed by an `ocus_*_free`
//! function of this library; no panic crosses the boundary (each entry point catches it and
//! reports `OCUS_ERR_PANIC`); results are integer codes plus a structured `OcusError`; no
//! callbacks into the caller, except a trace's (`ocus_trace_new`), which a host asks for.
//! Calls block the calling thread (the core's caller-driven runtime, created once per process)
//! and can be cancelled from another thread with an `OcusCancel`.

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;

use ocus::call::{self, CallOutput, PendingCall, ResponseShape};
use ocus::completion::{Completions, DrivenCalls};
use ocus::handle::{CallPath, ClientHandle, CursorHandle};
use ocus::runtime::CancelToken;
use ocus::webhooks::SignedPart;
use ocus::{ErrorKind, ListParams};
use serde_json::{Map, Value};

mod codes;
pub use codes::*;

fn code_of(kind: ErrorKind) -> i32 {
    i32::from(kind.code())
}

/// A structured error. Free it with `ocus_error_free`.
#[repr(C)]
pub struct OcusError {
    /// The OCUS_ERR_* code (the same as the function's return value).
    pub code: i32,
    /// The stable kind, e.g. "forbidden" (the list: README, "Behaviour", Errors; the codes
    /// above).
    pub kind: *mut c_char,
    /// The server's message (HTTP errors) or the library's.
    pub message: *mut c_char,
    /// One line: kind, status, message and request id.
    pub display: *mut c_char,
    /// The HTTP status, or 0.
    pub status: u16,
    /// The error code from the response body, or NULL.
    pub error_code: *mut c_char,
    /// The x-request-id response header, or NULL.
    pub request_id: *mut c_char,
    /// Retry-After in milliseconds, or -1.
    pub retry_after_ms: i64,
    /// The raw response body (its first OCUS_MAX_KEPT_BODY_BYTES bytes), or NULL.
    pub body: *mut c_char,
    /// What caused it, outermost first, one cause per line (e.g. the TLS failure under a
    /// connection error), or NULL.
    pub causes: *mut c_char,
    /// The same error as the core's view, one JSON object: `kind`, `kinds` (the kind, then the
    /// kinds it refines), `message`, `display`, `status`, `code`, `request_id`,
    /// `retry_after` (seconds), `body`, `causes` (a list); absent values are `null`. What a
    /// binding reads, so the fields are decided in one place.
    pub view_json: *mut c_char,
}

/// A client (opaque). Thread-safe.
///
/// It holds two core clients with the same settings and the same key: one for blocking calls, on the core's
/// caller-driven runtime (the calling thread does its own I/O: the lowest latency for one
/// call at a time), one for calls started with `*_start`, on the multi-thread runtime (no
/// thread blocked per call: the better choice for many concurrent calls). Connections belong
/// to the runtime that opened them, hence two pools.
pub struct OcusClient {
    handle: ClientHandle,
}

/// A cursor over the pages of a project list (opaque). It fails with `client_closed` once its
/// client is closed.
pub struct OcusCursor {
    cursor: Arc<CursorHandle>,
}

/// A cancellation handle (opaque): `ocus_cancel_cancel` from any thread stops the calls
/// waiting on it.
pub struct OcusCancel {
    token: CancelToken,
}

// ---- plumbing -----------------------------------------------------------------------------

fn c_string(text: &str) -> *mut c_char {
    // Interior NULs cannot cross a C string; they are dropped (bodies are for humans).
    let clean: Vec<u8> = text.bytes().filter(|b| *b != 0).collect();
    CString::new(clean).map_or(ptr::null_mut(), CString::into_raw)
}

fn optional_c_string(text: Option<&str>) -> *mut c_char {
    text.map_or(ptr::null_mut(), c_string)
}

fn configuration(message: impl Into<String>) -> ocus::Error {
    ocus::Error::new(ErrorKind::Configuration, message)
}

/// `len` bytes at `data` (NULL is allowed when `len` is 0).
///
/// # Safety
/// `data` points to `len` readable bytes valid for the call.
unsafe fn bytes<'a>(data: *const u8, len: usize) -> Result<&'a [u8], ocus::Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(configuration("a buffer is NULL but its length is not 0"));
    }
    // SAFETY: the caller provides `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// A text argument given as pointer and length: every byte reaches the core (a NUL too),
/// which judges it; only invalid UTF-8 is refused here.
///
/// # Safety
/// As `bytes`.
unsafe fn text<'a>(data: *const c_char, len: usize, what: &str) -> Result<&'a str, ocus::Error> {
    // SAFETY: forwarded contract.
    let data = unsafe { bytes(data.cast(), len) }?;
    std::str::from_utf8(data).map_err(|_| configuration(format!("{what} is not valid UTF-8")))
}

/// An options argument: a JSON object as a C string (NULL: no options). The core parses,
/// validates and words the errors, as for every binding.
///
/// # Safety
/// `json` is NULL or a NUL-terminated string valid for the call.
unsafe fn options(json: *const c_char) -> Result<Map<String, Value>, ocus::Error> {
    if json.is_null() {
        return Ok(Map::new());
    }
    // SAFETY: the caller passes a valid NUL-terminated string (documented in the header).
    let json = unsafe { CStr::from_ptr(json) }
        .to_str()
        .map_err(|_| configuration("options_json is not valid UTF-8"))?;
    serde_json::from_str(json)
        .map_err(|e| configuration(format!("options_json is not a JSON object ({e})")))
}

fn error_box(code: i32, error: &ocus::Error) -> *mut OcusError {
    Box::into_raw(Box::new(OcusError {
        code,
        kind: c_string(error.kind().as_str()),
        message: c_string(error.message()),
        display: c_string(&error.to_string()),
        status: error.status().unwrap_or(0),
        error_code: optional_c_string(error.code()),
        request_id: optional_c_string(error.request_id()),
        retry_after_ms: error
            .retry_after()
            .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        body: optional_c_string(error.body()),
        causes: match error.causes() {
            causes if causes.is_empty() => ptr::null_mut(),
            causes => c_string(&causes.join("\n")),
        },
        view_json: c_string(&serde_json::to_string(&error.view()).unwrap_or_default()),
    }))
}

/// Writes the error (if `err` is not NULL) and returns its code.
unsafe fn fail(err: *mut *mut OcusError, code: i32, error: &ocus::Error) -> i32 {
    if !err.is_null() {
        // SAFETY: `err` is a valid out-pointer (documented); we own the new allocation.
        unsafe { *err = error_box(code, error) };
    }
    code
}

/// Runs one entry point: catches panics, maps errors to codes and `OcusError`s.
unsafe fn guard(err: *mut *mut OcusError, body: impl FnOnce() -> Result<(), ocus::Error>) -> i32 {
    if !err.is_null() {
        // SAFETY: `err` is a valid out-pointer.
        unsafe { *err = ptr::null_mut() };
    }
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => OCUS_OK,
        // SAFETY: forwarded out-pointer.
        Ok(Err(error)) => unsafe { fail(err, code_of(error.kind()), &error) },
        // SAFETY: forwarded out-pointer.
        Err(_) => unsafe { fail(err, OCUS_ERR_PANIC, &panicked()) },
    }
}

fn panicked() -> ocus::Error {
    ocus::Error::panicked()
}

/// Checks an out-pointer and sets it to NULL, before any work: with a NULL one nothing is
/// sent or built, and after any later error the caller finds NULL there, never garbage.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn clear_out<T>(out: *mut *mut T) -> Result<(), ocus::Error> {
    if out.is_null() {
        return Err(configuration("the output pointer is NULL"));
    }
    // SAFETY: checked non-NULL; the caller provides writable storage.
    unsafe { out.write(ptr::null_mut()) };
    Ok(())
}

/// Writes a result to an out-pointer that `clear_out` checked.
///
/// # Safety
/// `out` was checked by `clear_out`.
unsafe fn write_out<T>(out: *mut *mut T, value: *mut T) -> Result<(), ocus::Error> {
    // SAFETY: non-NULL and writable (checked by clear_out).
    unsafe { out.write(value) };
    Ok(())
}

/// Moves `value` into a new handle written to `out` (checked by `clear_out`).
unsafe fn write_handle<T>(out: *mut *mut T, value: T) -> Result<(), ocus::Error> {
    // SAFETY: forwarded contract.
    unsafe { write_out(out, Box::into_raw(Box::new(value))) }
}

/// Frees a handle made by `write_handle` or `Box::into_raw` (NULL: nothing).
///
/// # Safety
/// `handle` is NULL or a live handle of this library, not used afterwards.
unsafe fn free_handle<T>(handle: *mut T) {
    if !handle.is_null() {
        // SAFETY: created by Box::into_raw in this library; freed once (documented).
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(handle) })));
    }
}

/// Blocks on `future`, stopping early when `cancel` fires (closing the client stops it in
/// the core).
fn run<T>(
    cancel: Option<&OcusCancel>,
    future: impl std::future::Future<Output = ocus::Result<T>>,
) -> ocus::Result<T> {
    match cancel {
        Some(cancel) => ocus::runtime::block_on(ocus::runtime::cancellable(future, &cancel.token))?,
        None => ocus::runtime::block_on(future)?,
    }
}

fn view_text(view: &impl serde::Serialize) -> *mut c_char {
    c_string(&serde_json::to_string(view).unwrap_or_default())
}

/// A live handle argument.
///
/// # Safety
/// `handle` is NULL or points to a live value.
unsafe fn live<'a, T>(handle: *const T, what: &str) -> Result<&'a T, ocus::Error> {
    // SAFETY: forwarded contract.
    unsafe { handle.as_ref() }.ok_or_else(|| configuration(format!("{what} is NULL")))
}

/// A call's output as the JSON every call writes: `{"value": ..., "response": ...}`.
fn output_json(output: CallOutput) -> String {
    output.to_json(ResponseShape::Object)
}

/// Runs a prepared call on the calling thread and writes its JSON to `out_json`.
///
/// # Safety
/// `cancel` NULL or live; `out_json` writable.
unsafe fn block(
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    call: impl FnOnce() -> Result<PendingCall, ocus::Error>,
) -> Result<(), ocus::Error> {
    // SAFETY: forwarded contract.
    unsafe {
        clear_out(out_json)?; // before the request: a NULL out-pointer sends nothing
        let output = run(cancel.as_ref(), call()?)?;
        write_out(out_json, c_string(&output_json(output)))
    }
}

/// A `projects.get` of `client`'s pool for `path`.
///
/// # Safety
/// As `ocus_projects_get`.
unsafe fn get_call(
    client: *const OcusClient,
    path: CallPath,
    id: *const c_char,
    id_len: usize,
    options_json: *const c_char,
) -> Result<PendingCall, ocus::Error> {
    // SAFETY: the caller's.
    unsafe {
        let id = text(id, id_len, "id")?.to_owned();
        let (options, trace) = traced(options(options_json)?)?;
        call::get_project(
            live(client, "client")?.handle.client(path)?,
            id,
            options,
            trace,
        )
    }
}

/// A `projects.list` page of `client`'s pool for `path`.
///
/// # Safety
/// As `ocus_projects_list`.
unsafe fn list_call(
    client: *const OcusClient,
    path: CallPath,
    options_json: *const c_char,
) -> Result<PendingCall, ocus::Error> {
    // SAFETY: the caller's.
    unsafe {
        let (params, trace) = traced(options(options_json)?)?;
        call::list_page(live(client, "client")?.handle.client(path)?, params, trace)
    }
}

/// An `ocus_request` of `client`'s pool for `path`.
///
/// # Safety
/// As `ocus_request`.
unsafe fn request_call(
    client: *const OcusClient,
    path: CallPath,
    method: (*const c_char, usize),
    url_path: (*const c_char, usize),
    options_json: *const c_char,
) -> Result<PendingCall, ocus::Error> {
    // SAFETY: the caller's.
    unsafe {
        let method = text(method.0, method.1, "method")?.to_owned();
        let url_path = text(url_path.0, url_path.1, "path")?.to_owned();
        let (options, trace) = traced(options(options_json)?)?;
        call::request(
            live(client, "client")?.handle.client(path)?,
            method,
            url_path,
            options,
            trace,
        )
    }
}

// ---- clients ------------------------------------------------------------------------------

/// Creates a client. `options_json` is NULL or a JSON object of options with the names and
/// validation of every binding (snake_case or camelCase; `null` or absent: not set, then the
/// environment, then the default):
///
// codegen:begin client-options
// generated by tools/codegen from the core's option table: run `make generate`
/// - `api_key` (string): The API key. It is checked before anything is sent, sent only to the base
///   URL's origin, and never printed. Default: OCUS_API_KEY.
/// - `api_key_file` (string): A file holding the API key, read again once on 401 or 403 so a key
///   rotates without a restart. Default: OCUS_API_KEY_FILE.
/// - `base_url` (string): The API base URL: https://, or http:// to a loopback host only. Default:
///   OCUS_BASE_URL, else https://api.ocus.io/v3.
/// - `timeout_ms` (or `timeout`, seconds) (number): The time allowed for each attempt, the response
///   body included (each retry gets it again). Positive. Default: 60000 ms.
/// - `connect_timeout_ms` (or `connect_timeout`, seconds) (number): The time allowed to open a
///   connection. Positive. Default: 10000 ms.
/// - `max_retries` (integer): Retries after the first attempt (0 to 100) of a connection error, a
///   timeout, 408, 429 or a 5xx, for idempotent methods. Default: 2.
/// - `retry_budget` (integer): The client's retry budget in tokens (0 to 1000000): a retry takes 5
///   (10 after a timeout), a call that succeeds at once gives 1 back, and while it is empty a
///   failing call fails at once instead of retrying. 0 turns retries off. Default: 500.
/// - `ca_bundle` (string or list of strings): PEM file(s) of CA certificates trusted besides the
///   system's (a private CA). Default: OCUS_CA_BUNDLE.
/// - `proxy` (string): An http(s) proxy URL, credentials in it if needed, used instead of
///   HTTPS_PROXY / ALL_PROXY (NO_PROXY still applies). HTTPS goes through it in a CONNECT tunnel;
///   the password is never printed.
/// - `default_headers` (object of strings): Headers sent with every request (a tenant id). A
///   User-Agent extends the SDK's; X-API-KEY, Host, Content-Length and the other headers the client
///   sets cannot be set this way; CR or LF in a value is refused.
/// - `user_agent` (string): Your application's product token ("billing/2.1"), sent in User-Agent
///   after the SDK's own.
/// - `log_level` (string): The least severe event the client logs: off, error, warn, info, debug,
///   trace (off: none). Never the key, bodies or proxy credentials. Default: OCUS_LOG, else warn.
/// - `log_fd` (integer): Unix: a file descriptor the client writes its events to, one JSON line
///   each (a binding's log pipe).
/// - `idle_timeout_ms` (or `idle_timeout`, seconds) (number): How long an unused pooled connection
///   stays open: it closes between this long and three times this after its last use. Positive.
///   Default: 60000 ms.
/// - `capture_request_headers` (list of strings): Request headers recorded on each traced attempt's
///   span (OpenTelemetry's http.request.header.<name>), by name (any case, no patterns). None is
///   recorded unless listed; x-api-key cannot be (from the environment, a name that cannot be
///   recorded is skipped with a warning); an empty list records none. Default:
///   OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST.
/// - `capture_response_headers` (list of strings): Response headers recorded on each traced
///   attempt's span (http.response.header.<name>), by name, any case. Default:
///   OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE.
// codegen:end client-options
///
/// The log events written to `log_fd` are one JSON object per line: `{"level", "message",
/// "method", "path", "status", "kind", "attempt", "elapsed_ms", "request_id", "wait_ms",
/// "error"}`, fields that do not apply left out. The library writes to its own duplicate, so
/// close yours when you like; with O_NONBLOCK set on it (as on a pipe made with
/// pipe2(O_NONBLOCK)) a write that would block drops the event instead of stalling the
/// request; keep a pipe's read end open while the client lives, or ignore SIGPIPE. Without
/// `log_fd` nothing is logged.
///
/// On every error the out-pointers this library writes are left NULL. A 0 or negative
/// timeout, a negative retry count or an unknown name is OCUS_ERR_CONFIGURATION.
/// On success `*out` owns the client: free it with `ocus_client_free`.
///
/// # Safety
/// `options_json` is NULL or a C string; `out` is writable; `err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_new(
    options_json: *const c_char,
    out: *mut *mut OcusClient,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: the whole body upholds the documented contract of each pointer.
    unsafe {
        guard(err, || {
            clear_out(out)?;
            let mut options = options(options_json)?;
            // The SDK's own product token (Go names itself); `user_agent` is the caller's.
            options
                .entry("sdk")
                .or_insert_with(|| Value::from(format!("ocus-c/{}", ocus::VERSION)));
            let client = ocus::Client::builder()
                .from_env()
                .options(options)?
                .build()?;
            let client = OcusClient {
                handle: ClientHandle::new(client)?,
            };
            write_handle(out, client)
        })
    }
}

/// Closes a client: calls in flight on it return promptly (OCUS_ERR_CONFIGURATION, "the
/// client is closed"), later calls fail the same way, its cursors' too, and its connections
/// close now. Idempotent; the handle stays valid until `ocus_client_free`.
///
/// # Safety
/// `client` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_close(client: *const OcusClient) {
    let _ = catch_unwind(|| {
        // SAFETY: NULL or a live handle.
        if let Some(client) = unsafe { client.as_ref() } {
            client.handle.shut_down();
        }
    });
}

/// Frees a client. No call may be using it (close it first and wait for them to return).
///
/// # Safety
/// `client` is NULL or a live handle not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_free(client: *mut OcusClient) {
    // SAFETY: documented contract. Dropping the handle shuts it down (if `ocus_client_close`
    // did not), which closes its pooled connections now, not at the next call.
    unsafe { free_handle(client) }
}

/// Replaces the key (`key_len` bytes; the core refuses an invalid key and changes nothing);
/// calls in flight finish with the old one.
///
/// # Safety
/// `client` is a live handle; `api_key` points to `key_len` bytes; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_rotate_api_key(
    client: *const OcusClient,
    api_key: *const c_char,
    key_len: usize,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let client = live(client, "client")?;
            client
                .handle
                .rotate_api_key(text(api_key, key_len, "api_key")?)
        })
    }
}

/// The client's base URL (owned: free with `ocus_string_free`).
///
/// # Safety
/// `client` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_base_url(client: *const OcusClient) -> *mut c_char {
    catch_unwind(|| {
        // SAFETY: NULL or a live handle.
        match unsafe { client.as_ref() } {
            Some(client) => c_string(client.handle.base_url()),
            None => ptr::null_mut(),
        }
    })
    .unwrap_or(ptr::null_mut())
}

// ---- calls --------------------------------------------------------------------------------
//
// Text arguments (id, method, path) are a pointer and a length: any bytes, judged by the core.
// `options_json` is NULL or a JSON object, parsed and validated by the core as in every
// binding: `timeout_ms`, `max_retries` and `headers` (an object) for every call; `page_size`, `page_number`,
// `status`, `params` for lists; `query`, `json` (the body), `retry_non_idempotent` for
// `ocus_request`. A bad value or unknown name is OCUS_ERR_CONFIGURATION before any request.
//
// Every call's `*out_json` (and a started call's completion JSON) is one object,
// `{"value": ..., "response": ...}`: the value is the call's, `response` the HTTP response it
// came in: `status`, `request_id`, `url`, `attempts` and `headers` (an object of lower-case
// names, a repeated header's values joined with ", ").

/// One project by id. Its `value` is `{"resource": {...}, "status": ..., "known_status": ...}`.
///
/// # Safety
/// `client` live; `id` points to `id_len` bytes; `options_json` NULL or a C string; `cancel`
/// NULL or live; `out_json` writable; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_projects_get(
    client: *const OcusClient,
    id: *const c_char,
    id_len: usize,
    options_json: *const c_char,
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            block(cancel, out_json, || {
                get_call(client, CallPath::Blocking, id, id_len, options_json)
            })
        })
    }
}

/// One page. Its `value` is `{"data": [...], "links", "meta", "has_next", "next_url"}`.
///
/// # Safety
/// As `ocus_projects_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_projects_list(
    client: *const OcusClient,
    options_json: *const c_char,
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            block(cancel, out_json, || {
                list_call(client, CallPath::Blocking, options_json)
            })
        })
    }
}

/// A cursor over every page of a list (`options_json` as for `ocus_projects_list`); free it
/// with `ocus_cursor_free`.
///
/// # Safety
/// `client` live; `options_json` NULL or a C string; `out` writable; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cursor_new(
    client: *const OcusClient,
    options_json: *const c_char,
    out: *mut *mut OcusCursor,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            clear_out(out)?;
            let client = live(client, "client")?;
            let (options, trace) = traced(options(options_json)?)?;
            let mut params = ListParams::from_options(options)?;
            params.options.trace = trace;
            let cursor = client.handle.cursor(params);
            write_handle(out, OcusCursor { cursor })
        })
    }
}

/// The next page (the same JSON as `ocus_projects_list`); after the last its `value` and
/// `response` are `null`.
///
/// # Safety
/// `cursor` live; `cancel` NULL or valid; `out_json` writable; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cursor_next(
    cursor: *const OcusCursor,
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            block(cancel, out_json, || {
                call::next_page(&live(cursor, "cursor")?.cursor, CallPath::Blocking)
            })
        })
    }
}

/// Frees a cursor.
///
/// # Safety
/// `cursor` is NULL or a live handle not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cursor_free(cursor: *mut OcusCursor) {
    // SAFETY: documented contract.
    unsafe { free_handle(cursor) }
}

/// Any v3 path. `options_json` may carry `query` (an object of parameters), `json` (the body),
/// `retry_non_idempotent` and the call options. Its `value` is the response's JSON (`null` for
/// an empty body).
///
/// # Safety
/// `client` live; `method` and `path` point to `method_len` and `path_len` bytes;
/// `options_json` NULL or a C string; `cancel` NULL or live; `out_json` writable; `err` NULL
/// or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ocus_request(
    client: *const OcusClient,
    method: *const c_char,
    method_len: usize,
    path: *const c_char,
    path_len: usize,
    options_json: *const c_char,
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            block(cancel, out_json, || {
                let (method, url_path) = ((method, method_len), (path, path_len));
                request_call(client, CallPath::Blocking, method, url_path, options_json)
            })
        })
    }
}

// ---- concurrent calls: started now, delivered to a completion queue ------------------------

/// A finished call, taken from an `OcusQueue` with `ocus_queue_drain`.
#[repr(C)]
pub struct OcusCompletion {
    /// The ticket given when the call was started.
    pub ticket: u64,
    /// OCUS_OK or the error's code.
    pub code: i32,
    /// The result JSON on success (free with `ocus_string_free`), else NULL.
    pub json: *mut c_char,
    /// The error on failure (free with `ocus_error_free`), else NULL.
    pub error: *mut OcusError,
}

/// A completion queue (opaque). Calls started with `ocus_*_start` run on the library's
/// threads and, when done, are queued here; the queue's file descriptor (`ocus_queue_fd`)
/// becomes readable when completions arrive, so a caller waits in its own event loop
/// (Go's netpoller, epoll...) instead of blocking a thread per call. No callback is made
/// (but a trace's). A queue made with `ocus_queue_new_event_loop` runs its calls in
/// `ocus_queue_turn` instead, on the caller's thread.
pub struct OcusQueue {
    calls: QueueCalls,
}

type Outcome = Result<CallOutput, ocus::Error>;

enum QueueCalls {
    /// Run on the library's threads, delivered with a byte on the queue's socket pair.
    Threaded(Arc<Completions<Outcome>>),
    /// Run in `ocus_queue_turn` (`ocus_queue_new_event_loop`).
    Driven(DrivenCalls<Outcome>),
}

impl Drop for OcusQueue {
    fn drop(&mut self) {
        // Without waiting for the runtime's blocking threads (a DNS lookup in progress).
        let calls = std::mem::replace(
            &mut self.calls,
            QueueCalls::Threaded(Arc::new(Completions::unwoken())),
        );
        if let QueueCalls::Driven(driven) = calls {
            driven.shut_down();
        }
    }
}

/// A new completion queue (NULL if the system refuses a socket pair); free with
/// `ocus_queue_free` once no started call is pending on it.
#[unsafe(no_mangle)]
pub extern "C" fn ocus_queue_new() -> *mut OcusQueue {
    catch_unwind(|| match Completions::new() {
        Ok(queue) => Box::into_raw(Box::new(OcusQueue {
            calls: QueueCalls::Threaded(Arc::new(queue)),
        })),
        Err(_) => ptr::null_mut(),
    })
    .unwrap_or(ptr::null_mut())
}

/// A new completion queue whose calls run on the thread that calls `ocus_queue_turn`, with no
/// thread of the library's: their I/O, timers and results all stay on the caller's event loop.
/// `ocus_queue_fd` is then the descriptor of the queue's runtime, readable when its I/O is
/// ready; a started call waits until the next `ocus_queue_turn`, which its starter must make
/// happen soon. NULL where there is none (Linux only; then use `ocus_queue_new`).
///
/// A client's started calls must all go through one queue: a pooled connection belongs to
/// the queue whose turns run it.
#[unsafe(no_mangle)]
pub extern "C" fn ocus_queue_new_event_loop() -> *mut OcusQueue {
    catch_unwind(|| match DrivenCalls::new() {
        Ok(driven) => Box::into_raw(Box::new(OcusQueue {
            calls: QueueCalls::Driven(driven),
        })),
        Err(_) => ptr::null_mut(),
    })
    .unwrap_or(ptr::null_mut())
}

/// Runs an event-loop queue's calls on the calling thread (everything ready: started calls,
/// I/O, expired timers; it never waits), then moves up to `capacity` completions into `out` and
/// returns how many. `*again_ms` says when to call it again at the latest, if its descriptor
/// does not become readable first: 0 at once (more is waiting), 1 while started calls are
/// running (the runtime's timers fire only in a turn), the idle-connection sweep period when
/// none is, -1 never. One thread at a time. On another queue it only drains (`*again_ms` -1).
///
/// # Safety
/// `queue` is a live handle; `out` has room for `capacity` completions; `again_ms` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_queue_turn(
    queue: *const OcusQueue,
    out: *mut OcusCompletion,
    capacity: usize,
    again_ms: *mut i32,
) -> usize {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: documented contract.
        let Some(queue) = (unsafe { queue.as_ref() }) else {
            return 0;
        };
        // SAFETY: documented contract. Written first: a panic below leaves a tick, not a spin.
        let mut again_ms = unsafe { again_ms.as_mut() };
        if let Some(again_ms) = again_ms.as_deref_mut() {
            *again_ms = 1;
        }
        // Nowhere to put results: take none (they wait for the next turn or drain).
        let capacity = if out.is_null() { 0 } else { capacity };
        let (finished, again) = match &queue.calls {
            QueueCalls::Threaded(completions) => (completions.drain(capacity), -1),
            // Another thread turning (against this function's contract) runs once more for
            // this one; this one takes nothing.
            QueueCalls::Driven(driven) => {
                let turn = driven.turn(capacity);
                let again = turn.again_within.map_or(-1, |within| {
                    i32::try_from(within.as_millis()).unwrap_or(i32::MAX)
                });
                (turn.finished, again)
            }
        };
        // SAFETY: documented contract.
        let count = unsafe { write_completions(finished, out, capacity) };
        if let Some(again_ms) = again_ms {
            *again_ms = again;
        }
        count
    }))
    .unwrap_or(0)
}

/// The descriptor that becomes readable when completions arrive (non-blocking; owned by the
/// queue: read and discard its bytes, do not close it; `dup` it to hand it to a runtime).
/// For a queue made with `ocus_queue_new_event_loop`: its runtime's epoll descriptor, readable
/// when its I/O is ready (do not read it; call `ocus_queue_turn`).
/// On Windows it is a loopback TCP `SOCKET` (Windows keeps handle values within 32 bits);
/// watch it with `select`/`WSAPoll` or an overlapped `WSARecv`.
///
/// # Safety
/// `queue` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_queue_fd(queue: *const OcusQueue) -> i32 {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: a live handle.
        unsafe { queue.as_ref() }.map_or(-1, |q| match &q.calls {
            QueueCalls::Driven(driven) => driven_fd(driven),
            QueueCalls::Threaded(completions) => completions.fd().map_or(-1, descriptor_as_int),
        })
    }))
    .unwrap_or(-1)
}

#[cfg(target_os = "linux")]
fn driven_fd(driven: &DrivenCalls<Outcome>) -> i32 {
    driven.fd()
}

#[cfg(not(target_os = "linux"))]
fn driven_fd(_: &DrivenCalls<Outcome>) -> i32 {
    -1 // never made there
}

#[cfg(unix)]
fn descriptor_as_int(fd: ocus::completion::RawDescriptor) -> i32 {
    fd
}

#[cfg(windows)]
fn descriptor_as_int(socket: ocus::completion::RawDescriptor) -> i32 {
    i32::try_from(socket).unwrap_or(-1)
}

/// Moves up to `capacity` completions into `out` and returns how many. Drain until it returns
/// fewer than `capacity`.
///
/// # Safety
/// `queue` is a live handle; `out` has room for `capacity` completions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_queue_drain(
    queue: *const OcusQueue,
    out: *mut OcusCompletion,
    capacity: usize,
) -> usize {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: documented contract.
        let Some(queue) = (unsafe { queue.as_ref() }) else {
            return 0;
        };
        // SAFETY: documented contract.
        unsafe { drain_into(queue, out, capacity) }
    }))
    .unwrap_or(0)
}

/// Moves up to `capacity` completions of `queue` into `out`.
///
/// # Safety
/// `out` is NULL or has room for `capacity` completions.
unsafe fn drain_into(queue: &OcusQueue, out: *mut OcusCompletion, capacity: usize) -> usize {
    if out.is_null() {
        return 0;
    }
    let finished = match &queue.calls {
        QueueCalls::Threaded(completions) => completions.drain(capacity),
        QueueCalls::Driven(driven) => driven.drain(capacity),
    };
    // SAFETY: as above.
    unsafe { write_completions(finished, out, capacity) }
}

/// Writes `finished` (at most `capacity` of them) into `out` as completions; returns how many.
///
/// # Safety
/// `out` is NULL or has room for `capacity` completions.
unsafe fn write_completions(
    finished: Vec<(u64, Outcome)>,
    out: *mut OcusCompletion,
    capacity: usize,
) -> usize {
    if out.is_null() {
        return 0;
    }
    debug_assert!(finished.len() <= capacity);
    let count = finished.len().min(capacity);
    for (index, (ticket, result)) in finished.into_iter().take(count).enumerate() {
        let completion = match result {
            Ok(output) => OcusCompletion {
                ticket,
                code: OCUS_OK,
                json: c_string(&output_json(output)),
                error: ptr::null_mut(),
            },
            Err(error) => {
                let code = code_of(error.kind());
                OcusCompletion {
                    ticket,
                    code,
                    json: ptr::null_mut(),
                    error: error_box(code, &error),
                }
            }
        };
        // SAFETY: `out` has room for `capacity` items; index < count <= capacity.
        unsafe { out.add(index).write(completion) };
    }
    count
}

/// Frees a queue. No started call may still be pending on it.
///
/// # Safety
/// `queue` is NULL or a live handle not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_queue_free(queue: *mut OcusQueue) {
    // SAFETY: documented contract.
    unsafe { free_handle(queue) }
}

/// Starts the call `prepare` makes on the multi-thread runtime (or, for an event-loop queue,
/// queues it for the next `ocus_queue_turn`); its outcome is delivered to
/// `queue` as `ticket`. A closed client's call still completes through the queue, with
/// `client_closed`, as a call started just before the close; other failures to prepare are
/// returned (nothing is delivered).
///
/// # Safety
/// `cancel` NULL or live; `queue` NULL or live.
unsafe fn start(
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    prepare: impl FnOnce() -> Result<PendingCall, ocus::Error>,
) -> Result<(), ocus::Error> {
    // SAFETY: documented contract of the *_start functions.
    let queue = unsafe { queue.as_ref() }.ok_or_else(|| configuration("queue is NULL"))?;
    // SAFETY: NULL or a live handle; the token is cloned, so the handle may be freed once the
    // completion arrives.
    let token = unsafe { cancel.as_ref() }.map(|c| c.token.clone());
    let call = match prepare() {
        Ok(call) => call,
        Err(closed) if closed.code() == Some("client_closed") => {
            Box::pin(async move { Err(closed) })
        }
        Err(error) => return Err(error),
    };
    match &queue.calls {
        QueueCalls::Driven(driven) => driven.start(ticket, token, call, |result| result),
        QueueCalls::Threaded(completions) => {
            drop(completions.start(ticket, token, call, |result| result)?)
        }
    }
    Ok(())
}

/// `ocus_projects_get`, started: the result arrives on `queue` as `ticket`. Returns an error
/// code only for failures found before starting (then nothing is delivered).
///
/// # Safety
/// As `ocus_projects_get`; `queue` a live handle.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ocus_projects_get_start(
    client: *const OcusClient,
    id: *const c_char,
    id_len: usize,
    options_json: *const c_char,
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            start(cancel, queue, ticket, || {
                get_call(client, CallPath::Started, id, id_len, options_json)
            })
        })
    }
}

/// `ocus_projects_list`, started (see `ocus_projects_get_start`).
///
/// # Safety
/// As `ocus_projects_list`; `queue` a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_projects_list_start(
    client: *const OcusClient,
    options_json: *const c_char,
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            start(cancel, queue, ticket, || {
                list_call(client, CallPath::Started, options_json)
            })
        })
    }
}

/// `ocus_request`, started (see `ocus_projects_get_start`).
///
/// # Safety
/// As `ocus_request`; `queue` a live handle.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ocus_request_start(
    client: *const OcusClient,
    method: *const c_char,
    method_len: usize,
    path: *const c_char,
    path_len: usize,
    options_json: *const c_char,
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            start(cancel, queue, ticket, || {
                let (method, url_path) = ((method, method_len), (path, path_len));
                request_call(client, CallPath::Started, method, url_path, options_json)
            })
        })
    }
}

/// `ocus_cursor_next`, started (see `ocus_projects_get_start`). A cursor gives its pages in
/// order: start the next page once the previous one has arrived.
///
/// # Safety
/// As `ocus_cursor_next`; `queue` a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cursor_next_start(
    cursor: *const OcusCursor,
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            start(cancel, queue, ticket, || {
                call::next_page(&live(cursor, "cursor")?.cursor, CallPath::Started)
            })
        })
    }
}

// ---- webhooks -----------------------------------------------------------------------------

/// Verifies `signature` (the ocus-signature header; NULL or "" if absent) in constant time
/// against the raw body and against its `data` member (both forms OCUS documents).
/// `*out_json` receives `{"id", "type", "organization_id", "project_id", "status",
/// "attributes", "signed_part"}` ("body" or "data": what the signature covered).
///
/// # Safety
/// `body` points to `body_len` bytes (or is NULL with 0), likewise `signature` (the header's
/// value as received, any bytes: the core judges them; NULL with 0 if absent) and `secret`;
/// `out_json` writable; `err` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ocus_webhook_verify(
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
    signature_len: usize,
    secret: *const c_char,
    secret_len: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            clear_out(out_json)?;
            let body = bytes(body, body_len)?;
            let secret = bytes(secret.cast(), secret_len)?;
            // Not valid UTF-8 cannot be hex: the lossy text keeps it malformed for the core to say so.
            let signature = String::from_utf8_lossy(bytes(signature.cast(), signature_len)?);
            let event = ocus::webhooks::verify(body, &signature, secret)?;
            write_out(out_json, view_text(&event.view()))
        })
    }
}

/// The signature OCUS sends for `part` of a body: `part` ("body" or "data", `part_len` bytes;
/// NULL with 0: "body") is the raw body, or its `data` member as JavaScript's
/// `JSON.stringify` writes it (OCUS_ERR_DECODE if the body has none). `*out_signature` is
/// owned: free it with `ocus_string_free`.
///
/// # Safety
/// As `ocus_webhook_verify`; `part` points to `part_len` bytes; `out_signature` writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ocus_webhook_sign(
    body: *const u8,
    body_len: usize,
    secret: *const c_char,
    secret_len: usize,
    part: *const c_char,
    part_len: usize,
    out_signature: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            clear_out(out_signature)?;
            let part = match text(part, part_len, "part")? {
                "" => SignedPart::Body,
                name => SignedPart::parse(name)?,
            };
            let body = bytes(body, body_len)?;
            let signature =
                ocus::webhooks::sign_part(body, bytes(secret.cast(), secret_len)?, part)?;
            write_out(out_signature, c_string(&signature))
        })
    }
}

// ---- OpenTelemetry: the core's description of a call, handed to the host -------------------

/// What a host gives to trace calls (`ocus_trace_new`); each is called with the host's
/// `context`, on the thread the request runs on (a runtime thread for a started call), with
/// events as a JSON array: the core's descriptions (`ocus::telemetry`), each with `"event"`
/// naming it: `operation_started`, `attempt_started`, `attempt_ended`, `operation_ended`.
/// Events wait in the library and cross in two calls per attempt at most: the ones before an
/// attempt with it (`attempt_started`), the rest when the operation ends (`events`).
#[repr(C)]
pub struct OcusTraceCallbacks {
    /// Events that need no answer (the last is `operation_ended`).
    pub events: Option<unsafe extern "C" fn(context: usize, events: *const c_char, len: usize)>,
    /// Events ending with an `attempt_started`: writes the propagation headers of the
    /// attempt's span into `out` as a JSON array of `[name, value]` pairs and returns the
    /// length written (0: none; more than `capacity`: the headers are dropped).
    pub attempt_started: Option<
        unsafe extern "C" fn(
            context: usize,
            events: *const c_char,
            len: usize,
            out: *mut c_char,
            capacity: usize,
        ) -> usize,
    >,
    /// The library no longer needs `context`: no call will report to it any more.
    pub release: Option<unsafe extern "C" fn(context: usize)>,
}

/// What a trace's headers may take (`traceparent` is 55 bytes; `tracestate` at most 512).
const PROPAGATION_CAPACITY: usize = 2048;

/// The host's callbacks, taking a traced call's events in batches.
struct HostTrace {
    callbacks: OcusTraceCallbacks,
    context: usize,
}

// SAFETY: the host promises its callbacks may be called from any thread (ocus_trace_new).
unsafe impl Send for HostTrace {}
// SAFETY: as above.
unsafe impl Sync for HostTrace {}

impl Drop for HostTrace {
    fn drop(&mut self) {
        if let Some(release) = self.callbacks.release {
            // SAFETY: the host's contract (ocus_trace_new).
            unsafe { release(self.context) };
        }
    }
}

impl ocus::telemetry::EventBatches for HostTrace {
    fn attempt_started(&self, events: String) -> ocus::telemetry::Propagation {
        let Some(started) = self.callbacks.attempt_started else {
            return Vec::new();
        };
        let mut out = vec![0u8; PROPAGATION_CAPACITY];
        // SAFETY: the host's contract; both buffers live across the call.
        let written = unsafe {
            started(
                self.context,
                events.as_ptr().cast(),
                events.len(),
                out.as_mut_ptr().cast(),
                out.len(),
            )
        };
        out.get(..written)
            .and_then(|headers| serde_json::from_slice(headers).ok())
            .unwrap_or_default()
    }

    fn operation_ended(&self, events: String) {
        if let Some(ended) = self.callbacks.events {
            // SAFETY: the host's contract; the text lives across the call.
            unsafe { ended(self.context, events.as_ptr().cast(), events.len()) };
        }
    }
}

/// The traces hosts made, by id: a call names one with `"trace": id` in its options.
static TRACES: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<u64, ocus::telemetry::Trace>>,
> = std::sync::LazyLock::new(Default::default);
static NEXT_TRACE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The options without `"trace"`, and the trace it names.
fn traced(
    mut options: Map<String, Value>,
) -> Result<(Map<String, Value>, Option<ocus::telemetry::Trace>), ocus::Error> {
    let Some(id) = options.remove("trace") else {
        return Ok((options, None));
    };
    let trace = id
        .as_u64()
        .and_then(|id| {
            TRACES
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&id)
                .cloned()
        })
        .ok_or_else(|| configuration(format!("trace {id} is not a trace from ocus_trace_new")))?;
    Ok((options, Some(trace)))
}

/// A trace for calls that name it in their options (`"trace": id`, the id returned here), or
/// 0 when `callbacks` is NULL. The calls report to `callbacks` with `context`; once
/// `ocus_trace_free` was called and no call holds it any more, `release(context)` is called.
///
/// # Safety
/// `callbacks` NULL or valid (copied here); the functions may be called from any thread until
/// `release`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_trace_new(
    callbacks: *const OcusTraceCallbacks,
    context: usize,
) -> u64 {
    catch_unwind(|| {
        // SAFETY: NULL or valid (documented).
        let Some(callbacks) = (unsafe { callbacks.as_ref() }) else {
            return 0;
        };
        let trace = HostTrace {
            callbacks: OcusTraceCallbacks {
                events: callbacks.events,
                attempt_started: callbacks.attempt_started,
                release: callbacks.release,
            },
            context,
        };
        let id = NEXT_TRACE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        TRACES.lock().unwrap_or_else(|p| p.into_inner()).insert(
            id,
            ocus::telemetry::Trace(Arc::new(ocus::telemetry::BatchedTrace::new(trace))),
        );
        id
    })
    .unwrap_or(0)
}

/// Forgets the trace `id`: calls holding it go on reporting to it, later calls cannot name it.
#[unsafe(no_mangle)]
pub extern "C" fn ocus_trace_free(id: u64) {
    let _ = catch_unwind(|| {
        let removed = TRACES.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        drop(removed); // outside the lock: the last reference calls the host's release
    });
}

// ---- cancellation, freeing ----------------------------------------------------------------

/// A new cancellation handle; free it with `ocus_cancel_free`.
#[unsafe(no_mangle)]
pub extern "C" fn ocus_cancel_new() -> *mut OcusCancel {
    catch_unwind(|| {
        Box::into_raw(Box::new(OcusCancel {
            token: CancelToken::new(),
        }))
    })
    .unwrap_or(ptr::null_mut())
}

/// Cancels every call waiting on `cancel` (from any thread). Idempotent.
///
/// # Safety
/// `cancel` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cancel_cancel(cancel: *const OcusCancel) {
    let _ = catch_unwind(|| {
        // SAFETY: NULL or a live handle.
        if let Some(cancel) = unsafe { cancel.as_ref() } {
            cancel.token.cancel();
        }
    });
}

/// Frees a cancellation handle. No call may be waiting on it.
///
/// # Safety
/// `cancel` is NULL or a live handle not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cancel_free(cancel: *mut OcusCancel) {
    // SAFETY: documented contract.
    unsafe { free_handle(cancel) }
}

/// Frees a string returned by this library.
///
/// # Safety
/// `text` is NULL or a string from this library, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_string_free(text: *mut c_char) {
    if !text.is_null() {
        // SAFETY: created by CString::into_raw in this library; freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            drop(unsafe { CString::from_raw(text) })
        }));
    }
}

/// An error of `kind` (a stable kind name, e.g. "configuration") with `message`, made by the
/// library as it makes its own: for a binding reporting its own failure (a Go value the
/// options could not be encoded from) with the same display, kinds and code as the core's.
/// An unknown kind gives an `internal` error naming it. Returns NULL only if a string is not
/// valid UTF-8 or NULL. Free it with `ocus_error_free`.
///
/// # Safety
/// `kind` and `message` are NULL or C strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_error_new(
    kind: *const c_char,
    message: *const c_char,
) -> *mut OcusError {
    catch_unwind(|| {
        if kind.is_null() || message.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: both are C strings (documented).
        let (kind, message) = unsafe { (CStr::from_ptr(kind), CStr::from_ptr(message)) };
        let (Ok(kind), Ok(message)) = (kind.to_str(), message.to_str()) else {
            return ptr::null_mut();
        };
        let error = match ocus::ErrorKind::from_name(kind) {
            Some(kind) => ocus::Error::new(kind, message),
            None => ocus::Error::new(
                ocus::ErrorKind::Internal,
                format!("unknown error kind {kind:?}: {message}"),
            ),
        };
        error_box(i32::from(error.kind().code()), &error)
    })
    .unwrap_or(ptr::null_mut())
}

/// Frees an error and its strings.
///
/// # Safety
/// `error` is NULL or an error from this library, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_error_free(error: *mut OcusError) {
    if error.is_null() {
        return;
    }
    // SAFETY: created by Box::into_raw in `fail`; its strings by CString::into_raw.
    unsafe {
        let error = Box::from_raw(error);
        for text in [
            error.kind,
            error.message,
            error.display,
            error.error_code,
            error.request_id,
            error.body,
            error.causes,
            error.view_json,
        ] {
            ocus_string_free(text);
        }
    }
}

/// The library version (static: do not free).
#[unsafe(no_mangle)]
pub extern "C" fn ocus_version() -> *const c_char {
    static VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The C ABI names itself with `sdk`, so a caller's `userAgent` (either spelling) is its
    /// own token, not a conflict with one the library inserted (it was, as `user_agent`).
    #[test]
    fn a_user_agent_in_either_spelling_is_accepted() {
        for options in [
            r#"{"api_key": "k", "userAgent": "billing/2.1"}"#,
            r#"{"api_key": "k", "user_agent": "billing/2.1"}"#,
        ] {
            let options = CString::new(options).unwrap();
            let (mut client, mut err) = (ptr::null_mut(), ptr::null_mut());
            // SAFETY: a NUL-terminated string and two out-pointers, as documented.
            let rc = unsafe { ocus_client_new(options.as_ptr(), &mut client, &mut err) };
            assert_eq!(rc, OCUS_OK, "{options:?}");
            // SAFETY: made above, freed once.
            unsafe {
                ocus_client_free(client);
                ocus_error_free(err);
            }
        }
    }

    #[test]
    fn codes_are_the_core_codes() {
        // codes.rs is generated from the core (tools/codegen); this pins a few by name.
        assert_eq!(code_of(ErrorKind::Forbidden), OCUS_ERR_FORBIDDEN);
        assert_eq!(code_of(ErrorKind::Configuration), OCUS_ERR_CONFIGURATION);
        assert_eq!(code_of(ErrorKind::Cancelled), OCUS_ERR_CANCELLED);
        // A caught panic is the kind `internal`, whose code the C ABI has always called PANIC.
        assert_eq!(code_of(ErrorKind::Internal), OCUS_ERR_PANIC);
        assert_eq!(code_of(panicked().kind()), OCUS_ERR_PANIC);
        for kind in ErrorKind::ALL
            .into_iter()
            .filter(|&k| k != ErrorKind::Internal)
        {
            assert!(code_of(kind) > OCUS_ERR_PANIC, "{kind}");
        }
    }
}
