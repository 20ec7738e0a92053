//! Python views of the core's results: Project, Page, WebhookEvent.

use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{dict_to_py, to_py};

/// A project (a JSON:API resource object). Attributes are reachable as Python attributes
/// (`project.name`) or through `attributes`; nothing the server sent is dropped.
#[pyclass(frozen, module = "ocus._ocus", name = "Project")]
pub struct Project {
    pub inner: ocus::Project,
}

#[pymethods]
impl Project {
    /// The project's id (a UUID).
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The resource type, `"project"`.
    #[getter]
    fn r#type(&self) -> &str {
        &self.inner.resource_type
    }

    /// The status text (an undocumented value is returned as sent), or None.
    #[getter]
    fn status(&self) -> Option<String> {
        self.inner.status().map(|s| s.as_str().to_owned())
    }

    /// True when the status is one OCUS documents.
    #[getter]
    fn is_known_status(&self) -> bool {
        self.inner.status().is_some_and(|s| s.is_known())
    }

    /// Every attribute, as a new dict.
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_to_py(py, &self.inner.attributes)
    }

    /// One attribute, or `default`.
    #[pyo3(signature = (name, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.attribute(name) {
            Some(value) => to_py(py, value),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.attribute(name) {
            Some(value) => to_py(py, value),
            None => Err(PyAttributeError::new_err(format!(
                "Project has no attribute {name:?}"
            ))),
        }
    }

    /// The HTTP response of the `get` that returned this project (None for a project of a
    /// page: see `Page.response`).
    #[getter]
    fn response(&self) -> Option<Response> {
        self.inner.response().cloned().map(Response::from)
    }

    /// The resource object as sent: `{"type", "id", "attributes", ...}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.to_json())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Project>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.inner.id.hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        let name = self
            .inner
            .attribute("name")
            .and_then(|v| v.as_str())
            .map(|n| format!(", name={n:?}"))
            .unwrap_or_default();
        format!(
            "Project(id={:?}, status={:?}{name})",
            self.inner.id,
            self.inner
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default()
        )
    }
}

/// One page of a list, with its links and meta.
#[pyclass(frozen, module = "ocus._ocus", name = "Page")]
pub struct Page {
    pub inner: ocus::Page<ocus::Project>,
}

#[pymethods]
impl Page {
    /// The projects of this page.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for project in &self.inner.data {
            list.append(Py::new(
                py,
                Project {
                    inner: project.clone(),
                },
            )?)?;
        }
        Ok(list)
    }

    /// The `self` and `next` links as sent.
    #[getter]
    fn links<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.links)
    }

    /// `total`, `page`, `page_size` and `pages` as sent.
    #[getter]
    fn meta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_to_py(py, &self.inner.meta)
    }

    /// The HTTP response this page arrived in.
    #[getter]
    fn response(&self) -> Option<Response> {
        self.inner.response().cloned().map(Response::from)
    }

    /// The next page's URL, or None on the last page.
    #[getter]
    fn next_url(&self) -> Option<&str> {
        self.inner.links.next.as_deref().filter(|n| !n.is_empty())
    }

    /// Whether a next page exists.
    #[getter]
    fn has_next(&self) -> bool {
        self.inner.has_next()
    }

    fn __len__(&self) -> usize {
        self.inner.data.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.data(py)?.as_any().try_iter()?.into_any())
    }

    fn __repr__(&self) -> String {
        format!(
            "Page(len={}, has_next={})",
            self.inner.data.len(),
            if self.inner.has_next() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// The HTTP response a successful call's result arrived in: `project.response`,
/// `page.response`, or `client.request(..., with_response=True)`.
#[pyclass(frozen, module = "ocus._ocus", name = "Response")]
pub struct Response {
    inner: ocus::ResponseInfo,
}

impl From<ocus::ResponseInfo> for Response {
    fn from(inner: ocus::ResponseInfo) -> Self {
        Response { inner }
    }
}

#[pymethods]
impl Response {
    /// The HTTP status.
    #[getter]
    fn status_code(&self) -> u16 {
        self.inner.status
    }

    /// `X-Request-Id`, the id OCUS support asks for.
    #[getter]
    fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The headers, names in lower case (a repeated header's values joined with ", ").
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let view = serde_json::to_value(self.inner.view())
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        to_py(py, &view["headers"])
    }

    /// The URL that answered (after same-origin redirects).
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }

    /// Attempts made, the successful one included.
    #[getter]
    fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    fn __repr__(&self) -> String {
        format!(
            "Response(status_code={}, request_id={:?})",
            self.inner.status,
            self.inner.request_id.as_deref().unwrap_or("")
        )
    }
}

/// A verified webhook event.
#[pyclass(frozen, module = "ocus._ocus", name = "WebhookEvent")]
pub struct WebhookEvent {
    pub inner: ocus::webhooks::WebhookEvent,
}

#[pymethods]
impl WebhookEvent {
    /// The event id, e.g. `project.updated` or `project.status.updated`.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The resource type, `"event"`.
    #[getter]
    fn r#type(&self) -> &str {
        &self.inner.resource_type
    }

    /// `attributes["organization_id"]`, if sent.
    #[getter]
    fn organization_id(&self) -> Option<&str> {
        self.inner.organization_id()
    }

    /// `attributes["project_id"]`, if sent.
    #[getter]
    fn project_id(&self) -> Option<&str> {
        self.inner.project_id()
    }

    /// The new status (project.status.updated), or None.
    #[getter]
    fn status(&self) -> Option<String> {
        self.inner.status().map(|s| s.as_str().to_owned())
    }

    /// Every attribute as sent, as a new dict.
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict_to_py(py, &self.inner.attributes)
    }

    /// What the signature covered: "body" (the raw body) or "data" (its data member).
    #[getter]
    fn signed_part(&self) -> &'static str {
        self.inner.signed_part.as_str()
    }

    /// The signed event as a dict: `{"type", "id", "attributes"}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.to_json())
    }

    fn __repr__(&self) -> String {
        format!(
            "WebhookEvent(id={:?}, project_id={:?})",
            self.inner.id,
            self.inner.project_id().unwrap_or("")
        )
    }
}
