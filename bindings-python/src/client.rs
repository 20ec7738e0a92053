//! `Client` and `AsyncClient`: the same core calls, run blocking or as asyncio futures.
//!
//! Keyword options cross as one dict, parsed and validated by the core (`ocus::options`): the
//! names, the checks and the messages are the ones every language gets.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

use crate::convert::py_to_json;
use crate::errors::to_py_err;
use crate::run::{AsyncNext, IntoPython, RequestResult, awaitable, blocking, blocking_py, ready};

/// The keyword arguments as the JSON object the core parses.
fn options(options: Option<&Bound<'_, PyDict>>) -> PyResult<Map<String, Value>> {
    match options {
        None => Ok(Map::new()),
        Some(dict) => match py_to_json(dict.as_any())? {
            Value::Object(map) => Ok(map),
            _ => unreachable!("a dict is a JSON object"),
        },
    }
}

fn build_client(
    py: Python<'_>,
    api_key: Option<String>,
    api_key_file: Option<PathBuf>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<ocus::Client> {
    let mut builder = ocus::Client::builder()
        .from_env()
        .sdk(format!("ocus-python/{}", env!("CARGO_PKG_VERSION")))
        .log_sink(Arc::new(crate::logging::PythonLogging));
    // Passed apart from the dict so the key is never copied into a JSON value.
    if let Some(key) = api_key {
        builder = builder.api_key(key);
    }
    if let Some(path) = api_key_file {
        builder = builder.api_key_file(path);
    }
    let ocus = |e| to_py_err(py, e);
    builder
        .options(options(kwargs)?)
        .map_err(ocus)?
        .build()
        .map_err(ocus)
}

fn repr(client: &ocus::Client, class: &str) -> String {
    format!("ocus.{class}(base_url={:?})", client.base_url())
}

fn list_params(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<ocus::ListParams> {
    ocus::ListParams::from_options(options(kwargs)?).map_err(|e| to_py_err(py, e))
}

fn cursor(
    py: Python<'_>,
    client: &ocus::Client,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Arc<ocus::ProjectCursor>> {
    Ok(Arc::new(client.projects().cursor(list_params(py, kwargs)?)))
}

fn request_future(
    py: Python<'_>,
    client: ocus::Client,
    method: String,
    path: String,
    with_response: bool,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<impl std::future::Future<Output = ocus::Result<RequestResult>> + Send + 'static> {
    let options =
        ocus::RequestOptions::from_options(options(kwargs)?).map_err(|e| to_py_err(py, e))?;
    Ok(async move {
        let (value, response) = client
            .request_str_with_response(&method, &path, options)
            .await?;
        Ok(RequestResult {
            value,
            response: with_response.then_some(response),
        })
    })
}

fn get_future(
    py: Python<'_>,
    client: ocus::Client,
    id: String,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<impl std::future::Future<Output = ocus::Result<ocus::Project>> + Send + 'static> {
    let options =
        ocus::RequestOptions::from_call_options(options(kwargs)?).map_err(|e| to_py_err(py, e))?;
    Ok(async move { client.projects().get_with(&id, &options).await })
}

fn list_future(
    py: Python<'_>,
    client: ocus::Client,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<
    impl std::future::Future<Output = ocus::Result<ocus::Page<ocus::Project>>> + Send + 'static,
> {
    let params = list_params(py, kwargs)?;
    Ok(async move { client.projects().list(&params).await })
}

// ---- sync -------------------------------------------------------------------------------

/// The OCUS API v3 client (blocking). Thread-safe: share one across threads; the GIL is
/// released while requests run.
#[pyclass(frozen, module = "ocus._ocus", name = "Client")]
pub struct Client {
    client: ocus::Client,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (api_key=None, *, api_key_file=None, **options))]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        api_key_file: Option<PathBuf>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let client = build_client(py, api_key, api_key_file, options)?;
        Ok(Client { client })
    }

    /// The projects resource.
    #[getter]
    fn projects(&self) -> Projects {
        Projects {
            client: self.client.clone(),
        }
    }

    /// The API base URL requests go to (never the key).
    #[getter]
    fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// Any v3 path, with the same auth, retries and errors; returns the decoded JSON, or
    /// `(json, response)` with `with_response=True`.
    #[pyo3(signature = (method, path, *, with_response=false, **options))]
    fn request(
        &self,
        py: Python<'_>,
        method: String,
        path: String,
        with_response: bool,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        blocking_py(
            py,
            request_future(
                py,
                self.client.clone(),
                method,
                path,
                with_response,
                options,
            )?,
        )
    }

    /// Replaces the key; requests in flight finish with the old one.
    fn rotate_api_key(&self, py: Python<'_>, api_key: String) -> PyResult<()> {
        self.client
            .rotate_api_key(api_key)
            .map_err(|e| to_py_err(py, e))
    }

    /// Closes the client; later calls raise ConfigurationError. Idempotent.
    fn close(&self) {
        self.client.close();
    }

    /// Whether `close()` was called (later calls raise `ConfigurationError`).
    #[getter]
    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, pyo3::types::PyTuple>) {
        self.close();
    }

    fn __repr__(&self) -> String {
        repr(&self.client, "Client")
    }
}

/// `client.projects`.
#[pyclass(frozen, module = "ocus._ocus", name = "Projects")]
pub struct Projects {
    client: ocus::Client,
}

#[pymethods]
impl Projects {
    /// Every project across every page, fetched a page at a time as you iterate.
    #[pyo3(signature = (**options))]
    fn list(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<ProjectIterator> {
        let cursor = cursor(py, &self.client, options)?;
        Ok(ProjectIterator { cursor })
    }

    /// One page (the first, or `page_number`) with its links and meta.
    #[pyo3(signature = (**options))]
    fn list_page(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        blocking_py(py, list_future(py, self.client.clone(), options)?)
    }

    /// Every page, one at a time.
    #[pyo3(signature = (**options))]
    fn pages(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<PageIterator> {
        let cursor = cursor(py, &self.client, options)?;
        Ok(PageIterator { cursor })
    }

    /// One project by id.
    #[pyo3(signature = (id, **options))]
    fn get(
        &self,
        py: Python<'_>,
        id: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        blocking_py(py, get_future(py, self.client.clone(), id, options)?)
    }
}

/// Iterates projects across pages.
#[pyclass(frozen, module = "ocus._ocus", name = "ProjectIterator")]
pub struct ProjectIterator {
    cursor: Arc<ocus::ProjectCursor>,
}

#[pymethods]
impl ProjectIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let cursor = self.cursor.clone();
        match blocking(py, async move { cursor.next_project().await })? {
            Some(project) => Ok(Some(project.into_python(py)?)),
            None => Ok(None),
        }
    }
}

/// Iterates pages.
#[pyclass(frozen, module = "ocus._ocus", name = "PageIterator")]
pub struct PageIterator {
    cursor: Arc<ocus::ProjectCursor>,
}

#[pymethods]
impl PageIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let cursor = self.cursor.clone();
        match blocking(py, async move { cursor.next_page().await })? {
            Some(page) => Ok(Some(page.into_python(py)?)),
            None => Ok(None),
        }
    }
}

// ---- async ------------------------------------------------------------------------------

/// The OCUS API v3 client for asyncio. Never blocks the event loop; cancelling a task cancels
/// its request.
#[pyclass(frozen, module = "ocus._ocus", name = "AsyncClient")]
pub struct AsyncClient {
    client: ocus::Client,
}

#[pymethods]
impl AsyncClient {
    #[new]
    #[pyo3(signature = (api_key=None, *, api_key_file=None, **options))]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        api_key_file: Option<PathBuf>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let client = build_client(py, api_key, api_key_file, options)?;
        Ok(AsyncClient { client })
    }

    /// The projects resource (awaitable calls).
    #[getter]
    fn projects(&self) -> AsyncProjects {
        AsyncProjects {
            client: self.client.clone(),
        }
    }

    /// The API base URL requests go to (never the key).
    #[getter]
    fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// Any v3 path, with the same auth, retries and errors; resolves to the decoded JSON, or
    /// `(json, response)` with `with_response=True`.
    #[pyo3(signature = (method, path, *, with_response=false, **options))]
    fn request<'py>(
        &self,
        py: Python<'py>,
        method: String,
        path: String,
        with_response: bool,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(
            py,
            request_future(
                py,
                self.client.clone(),
                method,
                path,
                with_response,
                options,
            )?,
        )
    }

    /// Replaces the key; requests in flight finish with the old one.
    fn rotate_api_key(&self, py: Python<'_>, api_key: String) -> PyResult<()> {
        self.client
            .rotate_api_key(api_key)
            .map_err(|e| to_py_err(py, e))
    }

    /// Closes the client (awaitable). Idempotent.
    fn aclose<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.client.close();
        ready(py, py.None().into_bound(py))
    }

    /// Whether `close()` was called (later calls raise `ConfigurationError`).
    #[getter]
    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        ready(py, slf.into_any())
    }

    #[pyo3(signature = (*_exc))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _exc: &Bound<'py, pyo3::types::PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.aclose(py)
    }

    fn __repr__(&self) -> String {
        repr(&self.client, "AsyncClient")
    }
}

/// `async_client.projects`.
#[pyclass(frozen, module = "ocus._ocus", name = "AsyncProjects")]
pub struct AsyncProjects {
    client: ocus::Client,
}

#[pymethods]
impl AsyncProjects {
    /// Every project across every page (`async for`), a page fetched at a time.
    #[pyo3(signature = (**options))]
    fn list(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<AsyncProjectIterator> {
        let cursor = cursor(py, &self.client, options)?;
        Ok(AsyncProjectIterator { cursor })
    }

    /// One page with its links and meta (awaitable).
    #[pyo3(signature = (**options))]
    fn list_page<'py>(
        &self,
        py: Python<'py>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, list_future(py, self.client.clone(), options)?)
    }

    /// Every page (`async for`).
    #[pyo3(signature = (**options))]
    fn pages(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<AsyncPageIterator> {
        let cursor = cursor(py, &self.client, options)?;
        Ok(AsyncPageIterator { cursor })
    }

    /// One project by id (awaitable).
    #[pyo3(signature = (id, **options))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        id: String,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        awaitable(py, get_future(py, self.client.clone(), id, options)?)
    }
}

/// Every project of a list, page after page (`async for project in client.projects.list()`).
#[pyclass(frozen, module = "ocus._ocus", name = "AsyncProjectIterator")]
pub struct AsyncProjectIterator {
    cursor: Arc<ocus::ProjectCursor>,
}

#[pymethods]
impl AsyncProjectIterator {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cursor = self.cursor.clone();
        awaitable(
            py,
            async move { cursor.next_project().await.map(AsyncNext) },
        )
    }
}

/// Every page of a list (`async for page in client.projects.pages()`).
#[pyclass(frozen, module = "ocus._ocus", name = "AsyncPageIterator")]
pub struct AsyncPageIterator {
    cursor: Arc<ocus::ProjectCursor>,
}

#[pymethods]
impl AsyncPageIterator {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cursor = self.cursor.clone();
        awaitable(py, async move { cursor.next_page().await.map(AsyncNext) })
    }
}
