//! The calls a binding makes, decided once: which arguments each takes (the JSON object every
//! binding hands the core), what it returns (the core's views as JSON text) and how an
//! outcome is written for a host that takes it as text (Node, the JVM, the C ABI).
//!
//! A call is prepared before it starts, so bad arguments fail at once, on the caller's
//! thread; the [`PendingCall`] owns everything it needs and runs on either path of a
//! [`ClientHandle`]. Every call's value comes with the response it arrived in, an iterated
//! page's too: where a language shows a response, it shows it for every page alike.

use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::handle::{CallPath, ClientHandle, CursorHandle};
use crate::projects::{ListParams, Page, PageView, ProjectText, ProjectView};
use crate::request::RequestOptions;
use crate::response::ResponseInfo;
use crate::telemetry::Trace;

/// The operations of the call table, by the number a host passes (`Operation as i32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Operation {
    /// `projects.get`: arguments `{"id", "options"}`.
    GetProject = 0,
    /// `projects.list`, one page: arguments the list parameters.
    ListPage = 1,
    /// Any v3 path: arguments `{"method", "path", "options"}`.
    Request = 2,
    /// A cursor's next page: no arguments; the value is `null` after the last page.
    NextPage = 3,
}

impl Operation {
    /// The operation a host numbered `code`.
    pub fn from_code(code: i32) -> Result<Operation> {
        [
            Operation::GetProject,
            Operation::ListPage,
            Operation::Request,
            Operation::NextPage,
        ]
        .into_iter()
        .find(|op| *op as i32 == code)
        .ok_or_else(|| configuration(format!("no call {code}")))
    }
}

/// A call's result: its value's JSON text and the JSON text of the response it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOutput {
    /// A project's view, a page's, a request's JSON body, or `null` (after a cursor's last
    /// page, or for an empty body).
    pub value: String,
    /// The response's view (`ResponseInfo::view`), if the call made a request.
    pub response: Option<String>,
}

/// How a response crosses to a host in an outcome's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseShape {
    /// As a JSON object (C callers, hosts that read values lazily).
    Object,
    /// As JSON text inside the outcome, for hosts whose parser builds every object at once
    /// (`JSON.parse`): most callers never look at the headers, so they are parsed on demand.
    Text,
}

impl CallOutput {
    /// `{"value": ..., "response": ...}` (`response` `null` when there is none).
    pub fn to_json(&self, shape: ResponseShape) -> String {
        let response = match (&self.response, shape) {
            (None, _) => "null".to_owned(),
            (Some(view), ResponseShape::Object) => view.clone(),
            (Some(view), ResponseShape::Text) => json(view),
        };
        format!(r#"{{"value":{},"response":{response}}}"#, self.value)
    }
}

/// One outcome as text: [`CallOutput::to_json`], or `{"error": view}` (the core's
/// [`ErrorView`](crate::error::ErrorView)).
pub fn outcome_json(result: Result<CallOutput>, shape: ResponseShape) -> String {
    match result {
        Ok(output) => output.to_json(shape),
        Err(error) => format!(r#"{{"error":{}}}"#, json(&error.view())),
    }
}

/// A prepared call: its arguments read and checked, ready to run on either path.
pub type PendingCall = Pin<Box<dyn Future<Output = Result<CallOutput>> + Send>>;

/// `value` as JSON text (the views and `serde_json::Value` always serialise).
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn configuration(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Configuration, message)
}

fn output(value: String, response: Option<&ResponseInfo>) -> CallOutput {
    CallOutput {
        value,
        response: response.map(|r| json(&r.view())),
    }
}

fn page_output(page: &Page<ProjectText>) -> CallOutput {
    // The response travels beside the page, not inside it.
    output(
        json(&PageView {
            response: None,
            ..page.view()
        }),
        page.response(),
    )
}

/// `projects.get` of `id`, with the per-call `options` (`timeout_ms`, `max_retries`, `headers`),
/// reported to `trace` if given (see [`telemetry`](crate::telemetry)).
pub fn get_project(
    client: Client,
    id: String,
    options: Map<String, Value>,
    trace: Option<Trace>,
) -> Result<PendingCall> {
    let mut request = RequestOptions::from_call_options(options)?;
    request.trace = trace;
    Ok(Box::pin(async move {
        let project = client.projects().get_text(&id, &request).await?;
        let view = ProjectView {
            response: None,
            ..project.view()
        };
        Ok(output(json(&view), project.response()))
    }))
}

/// One page of `projects.list`, `params` being the list parameters and call options.
pub fn list_page(
    client: Client,
    params: Map<String, Value>,
    trace: Option<Trace>,
) -> Result<PendingCall> {
    let mut params = ListParams::from_options(params)?;
    params.options.trace = trace;
    Ok(Box::pin(async move {
        let page = client.projects().list_text(&params).await?;
        Ok(page_output(&page))
    }))
}

/// `method` on any v3 `path`, `options` being a request's (`query`, `json`,
/// `retry_non_idempotent` and the call options).
pub fn request(
    client: Client,
    method: String,
    path: String,
    options: Map<String, Value>,
    trace: Option<Trace>,
) -> Result<PendingCall> {
    let mut options = RequestOptions::from_options(options)?;
    options.trace = trace;
    Ok(Box::pin(async move {
        let (data, response) = client
            .request_str_with_response(&method, &path, options)
            .await?;
        Ok(output(json(&data), Some(&response)))
    }))
}

/// The next page of a cursor a handle gave out, fetched on `path` (`null` after the last;
/// `client_closed` once the handle shut down).
pub fn next_page(cursor: &CursorHandle, path: CallPath) -> Result<PendingCall> {
    let (cursor, client) = cursor.get(path)?;
    Ok(Box::pin(async move {
        Ok(match cursor.next_page_with(client).await? {
            Some(page) => page_output(&page),
            None => output("null".to_owned(), None),
        })
    }))
}

/// A text argument a host always sends.
fn text(arguments: &mut Map<String, Value>, name: &str) -> Result<String> {
    match arguments.remove(name) {
        Some(Value::String(text)) => Ok(text),
        _ => Err(configuration(format!(
            "the arguments have no `{name}` text"
        ))),
    }
}

/// The per-call options inside the arguments (none when absent).
fn call_options(arguments: &mut Map<String, Value>) -> Map<String, Value> {
    match arguments.remove("options") {
        Some(Value::Object(options)) => options,
        _ => Map::new(),
    }
}

/// The call `op` of the client on `path`'s pool, its `arguments` one JSON object (see
/// [`Operation`]). [`Operation::NextPage`] is a cursor's: use [`next_page`].
pub fn prepare(
    handle: &ClientHandle,
    path: CallPath,
    op: Operation,
    mut arguments: Map<String, Value>,
    trace: Option<Trace>,
) -> Result<PendingCall> {
    let client = handle.client(path)?;
    match op {
        Operation::GetProject => {
            let id = text(&mut arguments, "id")?;
            get_project(client, id, call_options(&mut arguments), trace)
        }
        Operation::ListPage => list_page(client, arguments, trace),
        Operation::Request => {
            let method = text(&mut arguments, "method")?;
            let path = text(&mut arguments, "path")?;
            request(client, method, path, call_options(&mut arguments), trace)
        }
        Operation::NextPage => Err(configuration(
            "next_page is a cursor's call, not a client's",
        )),
    }
}

/// The arguments object of [`prepare`] from its JSON text (empty text: no arguments).
pub fn arguments(text: &[u8]) -> Result<Map<String, Value>> {
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    serde_json::from_slice(text)
        .map_err(|e| configuration(format!("the arguments are not a JSON object: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_one_shape_for_every_host() {
        let output = CallOutput {
            value: r#"{"id":"p1"}"#.to_owned(),
            response: Some(r#"{"status":200}"#.to_owned()),
        };
        assert_eq!(
            output.to_json(ResponseShape::Object),
            r#"{"value":{"id":"p1"},"response":{"status":200}}"#
        );
        assert_eq!(
            output.to_json(ResponseShape::Text),
            r#"{"value":{"id":"p1"},"response":"{\"status\":200}"}"#
        );
        let done = CallOutput {
            value: "null".to_owned(),
            response: None,
        };
        assert_eq!(
            outcome_json(Ok(done), ResponseShape::Text),
            r#"{"value":null,"response":null}"#
        );
        let failed = outcome_json(Err(configuration("bad")), ResponseShape::Object);
        let failed: Value = serde_json::from_str(&failed).unwrap();
        assert_eq!(failed["error"]["kind"], "configuration");
        assert_eq!(failed["error"]["message"], "bad");
    }

    #[test]
    fn bad_arguments_fail_before_anything_starts() {
        let client = Client::builder()
            .api_key("sk_test_call")
            .base_url("http://127.0.0.1:9/v3")
            .build()
            .unwrap();
        let handle = ClientHandle::new(client).unwrap();
        let refused = |op: i32, arguments: &str| {
            let op = match Operation::from_code(op) {
                Ok(op) => op,
                Err(error) => return error.message().to_owned(),
            };
            match arguments_of(arguments)
                .and_then(|a| prepare(&handle, CallPath::Started, op, a, None))
            {
                Ok(_) => "started".to_owned(),
                Err(error) => error.message().to_owned(),
            }
        };
        fn arguments_of(text: &str) -> Result<Map<String, Value>> {
            arguments(text.as_bytes())
        }
        assert_eq!(refused(9, "{}"), "no call 9");
        assert_eq!(refused(0, "{}"), "the arguments have no `id` text");
        assert_eq!(
            refused(2, r#"{"method": "GET"}"#),
            "the arguments have no `path` text"
        );
        assert!(refused(1, "[1]").starts_with("the arguments are not a JSON object"));
        assert!(refused(1, r#"{"page_size": 0}"#).contains("page_size"));
        assert_eq!(
            refused(3, ""),
            "next_page is a cursor's call, not a client's"
        );
        assert_eq!(refused(1, " "), "started");
        handle.shut_down();
        assert_eq!(
            refused(1, ""),
            handle.client(CallPath::Started).unwrap_err().message()
        );
    }
}
