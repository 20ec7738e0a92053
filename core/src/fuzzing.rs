//! Entry points for the fuzz targets (`fuzz/`), behind the `fuzzing` feature: crate-private
//! steps of the client, reachable without a network. Not part of the API.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use crate::config::ClientBuilder;
use crate::error::{Error, Result};

/// The error a response with this status, these headers and this body becomes, as the client
/// builds it (request id and `Retry-After` read from the headers). Header pairs that are not
/// valid HTTP are skipped, as the HTTP layer would never deliver them.
pub fn error_from_response(status: u16, headers: &[(&[u8], &[u8])], body: &[u8]) -> Error {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            map.append(name, value);
        }
    }
    // The client's own function, not a copy: a fuzzer testing a copy tests nothing.
    Error::from_response(
        status,
        crate::client::request_id(&map),
        crate::retry::parse_retry_after(&map),
        body,
    )
}

/// Applies client options and checks them as `build` does, without building the HTTP client
/// (which loads the system's certificates: far too slow for a fuzzer) and without reading
/// the environment.
pub fn check_client_options(options: Map<String, Value>) -> Result<()> {
    ClientBuilder::default()
        .options(options)?
        .settings_with_env(|_| None)
        .map(|_| ())
}

/// Any bytes as a project resource, read as the `Project` a Rust caller gets and as the text
/// the bindings get (`ProjectText`): both take it or both refuse it, with the same message
/// (but for its place in the text), and both show the same view. Panics where they differ.
/// Bytes that are not well-formed JSON (a tree of values refuses them) are refused by both, but
/// each names the first fault it reads: `Project` stops at a wrong type before it reaches a
/// syntax error further on and skips some strings unread, while the text is read whole first.
/// So there only the refusal is compared.
pub fn project_text_agrees(data: &[u8]) {
    let project = serde_json::from_slice::<crate::projects::Project>(data);
    let text = serde_json::from_slice::<crate::projects::ProjectText>(data);
    match (project, text) {
        (Ok(project), Ok(text)) => {
            let text_view: Value = serde_json::to_value(text.view()).unwrap();
            assert_eq!(text_view, serde_json::to_value(project.view()).unwrap());
        }
        (Err(_), Err(_)) if serde_json::from_slice::<Value>(data).is_err() => {}
        (Err(project), Err(text)) => {
            let message = |e: serde_json::Error| {
                let text = e.to_string();
                text.rsplit_once(" at line ")
                    .map_or(text.clone(), |(m, _)| m.to_owned())
            };
            assert_eq!(message(text), message(project));
        }
        (project, text) => panic!("Project: {project:?}, ProjectText: {text:?}"),
    }
}
