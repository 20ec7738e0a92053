//! The native module `ocus._ocus`: Python classes over the `ocus` core. The typed public face
//! is `python/ocus/__init__.py`; every decision stays in the core.

mod client;
mod convert;
mod errors;
mod logging;
mod models;
mod run;
mod telemetry;

use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Verifies a webhook (`ocus.webhooks.verify`): constant-time HMAC-SHA256 over the raw body
/// or its `data` member (both forms OCUS documents).
#[pyfunction]
#[pyo3(signature = (raw_body, signature, secret))]
fn verify_webhook(
    py: Python<'_>,
    raw_body: &Bound<'_, PyAny>,
    signature: Option<String>,
    secret: &Bound<'_, PyAny>,
) -> PyResult<models::WebhookEvent> {
    let body = bytes_or_text(raw_body, "raw_body")?;
    let secret = bytes_or_text(secret, "secret")?;
    ocus::webhooks::verify(&body, signature.as_deref().unwrap_or(""), &secret)
        .map(|inner| models::WebhookEvent { inner })
        .map_err(|e| errors::to_py_err(py, e))
}

/// The signature OCUS would send for `raw_body` (for tests of your own receivers); `part`
/// is "body" or "data".
#[pyfunction]
#[pyo3(signature = (raw_body, secret, part))]
fn sign_webhook(
    py: Python<'_>,
    raw_body: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    part: &str,
) -> PyResult<String> {
    let (body, secret) = (
        bytes_or_text(raw_body, "raw_body")?,
        bytes_or_text(secret, "secret")?,
    );
    ocus::webhooks::SignedPart::parse(part)
        .and_then(|part| ocus::webhooks::sign_part(&body, &secret, part))
        .map_err(|e| errors::to_py_err(py, e))
}

fn bytes_or_text(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if let Ok(text) = value.cast::<pyo3::types::PyString>() {
        return Ok(text.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(bytes) = value.extract::<Vec<u8>>() {
        return Ok(bytes);
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "{what} must be bytes or str"
    )))
}

#[pymodule]
fn _ocus(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SIGNATURE_HEADER", ocus::webhooks::SIGNATURE_HEADER)?;
    m.add("DEFAULT_BASE_URL", ocus::DEFAULT_BASE_URL)?;
    m.add("TELEMETRY", telemetry::constants(m.py())?)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<client::Projects>()?;
    m.add_class::<client::AsyncProjects>()?;
    m.add_class::<client::ProjectIterator>()?;
    m.add_class::<client::PageIterator>()?;
    m.add_class::<client::AsyncProjectIterator>()?;
    m.add_class::<client::AsyncPageIterator>()?;
    m.add_class::<models::Project>()?;
    m.add_class::<models::Page>()?;
    m.add_class::<models::Response>()?;
    m.add_class::<models::WebhookEvent>()?;
    m.add_function(wrap_pyfunction!(verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(sign_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(run::_async_path, m)?)?;
    Ok(())
}
