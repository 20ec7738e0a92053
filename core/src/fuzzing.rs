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
