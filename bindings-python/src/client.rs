//! `Client` and `AsyncClient`: the same core calls, run blocking or as asyncio futures.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{count, py_to_json, query, seconds};
use crate::errors::to_py_err;
use crate::run::{AsyncNext, IntoPython, awaitable, blocking, blocking_py, ready};

#[allow(clippy::too_many_arguments)]
fn build_client(
    py: Python<'_>,
    api_key: Option<String>,
    base_url: Option<String>,
    timeout: Option<f64>,
    max_retries: Option<i64>,
    connect_timeout: Option<f64>,
    api_key_file: Option<PathBuf>,
) -> PyResult<ocus::Client> {
    let mut builder = ocus::Client::builder()
        .from_env()
        .user_agent(format!("ocus-python/{}", env!("CARGO_PKG_VERSION")));
    if let Some(key) = api_key {
        builder = builder.api_key(key);
    }
    if let Some(path) = api_key_file {
        builder = builder.api_key_file(path);
    }
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    if let Some(timeout) = seconds(py, "timeout", timeout)? {
        builder = builder.timeout(timeout);
    }
    if let Some(timeout) = seconds(py, "connect_timeout", connect_timeout)? {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(retries) = count(py, "max_retries", max_retries)? {
        builder = builder.max_retries(retries);
    }
    builder.build().map_err(|e| to_py_err(py, e))
}

fn repr(client: &ocus::Client, class: &str) -> String {
    format!("ocus.{class}(base_url={:?})", client.base_url())
}

fn request_options(
    py: Python<'_>,
    timeout: Option<f64>,
    max_retries: Option<i64>,
) -> PyResult<ocus::RequestOptions> {
    let mut options = ocus::RequestOptions::new();
    if let Some(timeout) = seconds(py, "timeout", timeout)? {
        options = options.timeout(timeout);
    }
    if let Some(retries) = count(py, "max_retries", max_retries)? {
        options = options.max_retries(retries);
    }
    Ok(options)
}

#[allow(clippy::too_many_arguments)]
fn list_params(
    py: Python<'_>,
    page_size: Option<i64>,
    page_number: Option<i64>,
    status: Option<String>,
    params: Option<&Bound<'_, PyDict>>,
    timeout: Option<f64>,
    max_retries: Option<i64>,
) -> PyResult<ocus::ListParams> {
    let mut list = ocus::ListParams::new().options(request_options(py, timeout, max_retries)?);
    if let Some(size) = count(py, "page_size", page_size)? {
        list = list.page_size(size);
    }
    if let Some(number) = count(py, "page_number", page_number)? {
        list = list.page_number(number);
    }
    if let Some(status) = status {
        list = list.status(status.as_str());
    }
    for (name, value) in query(params)? {
        list = list.param(name, value);
    }
    Ok(list)
}

#[allow(clippy::too_many_arguments)]
fn request_future(
    py: Python<'_>,
    client: ocus::Client,
    method: &str,
    path: String,
    params: Option<&Bound<'_, PyDict>>,
    json: Option<&Bound<'_, PyAny>>,
    timeout: Option<f64>,
    max_retries: Option<i64>,
    retry_non_idempotent: bool,
) -> PyResult<impl std::future::Future<Output = ocus::Result<serde_json::Value>> + Send + 'static> {
    let mut options =
        request_options(py, timeout, max_retries)?.retry_non_idempotent(retry_non_idempotent);
    for (name, value) in query(params)? {
        options = options.query(name, value);
    }
    if let Some(body) = json {
        options = options.json(py_to_json(body)?);
    }
    let method = method.to_owned();
    Ok(async move { client.request_str(&method, &path, options).await })
}

/// Where a list iteration stands: the core's page cursor and the projects not yet handed out.
struct Cursor {
    pages: ocus::ProjectPages,
    buffer: VecDeque<ocus::Project>,
}

type SharedCursor = Arc<tokio::sync::Mutex<Cursor>>;

fn cursor(client: &ocus::Client, params: ocus::ListParams) -> SharedCursor {
    Arc::new(tokio::sync::Mutex::new(Cursor {
        pages: client.projects().pages(params),
        buffer: VecDeque::new(),
    }))
}

async fn next_project(cursor: SharedCursor) -> ocus::Result<Option<ocus::Project>> {
    let mut cursor = cursor.lock().await;
    loop {
        if let Some(project) = cursor.buffer.pop_front() {
            return Ok(Some(project));
        }
        match cursor.pages.next_page().await? {
            Some(page) => cursor.buffer.extend(page.data),
            None => return Ok(None),
        }
    }
}

async fn next_page(cursor: SharedCursor) -> ocus::Result<Option<ocus::Page<ocus::Project>>> {
    cursor.lock().await.pages.next_page().await
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
    #[pyo3(signature = (api_key=None, *, base_url=None, timeout=None, max_retries=None, connect_timeout=None, api_key_file=None))]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
        connect_timeout: Option<f64>,
        api_key_file: Option<PathBuf>,
    ) -> PyResult<Self> {
        Ok(Client {
            client: build_client(
                py,
                api_key,
                base_url,
                timeout,
                max_retries,
                connect_timeout,
                api_key_file,
            )?,
        })
    }

    /// The projects resource.
    #[getter]
    fn projects(&self) -> Projects {
        Projects {
            client: self.client.clone(),
        }
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// Any v3 path, with the same auth, retries and errors; returns the decoded JSON.
    #[pyo3(signature = (method, path, *, params=None, json=None, timeout=None, max_retries=None, retry_non_idempotent=false))]
    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        py: Python<'_>,
        method: &str,
        path: String,
        params: Option<&Bound<'_, PyDict>>,
        json: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
        retry_non_idempotent: bool,
    ) -> PyResult<Py<PyAny>> {
        let future = request_future(
            py,
            self.client.clone(),
            method,
            path,
            params,
            json,
            timeout,
            max_retries,
            retry_non_idempotent,
        )?;
        blocking_py(py, future)
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
    #[pyo3(signature = (*, page_size=None, page_number=None, status=None, params=None, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn list(
        &self,
        py: Python<'_>,
        page_size: Option<i64>,
        page_number: Option<i64>,
        status: Option<String>,
        params: Option<&Bound<'_, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<ProjectIterator> {
        let list = list_params(
            py,
            page_size,
            page_number,
            status,
            params,
            timeout,
            max_retries,
        )?;
        Ok(ProjectIterator {
            cursor: cursor(&self.client.clone(), list),
        })
    }

    /// One page (the first, or `page_number`) with its links and meta.
    #[pyo3(signature = (*, page_size=None, page_number=None, status=None, params=None, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn list_page(
        &self,
        py: Python<'_>,
        page_size: Option<i64>,
        page_number: Option<i64>,
        status: Option<String>,
        params: Option<&Bound<'_, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let list = list_params(
            py,
            page_size,
            page_number,
            status,
            params,
            timeout,
            max_retries,
        )?;
        let client = self.client.clone();
        blocking_py(py, async move { client.projects().list(&list).await })
    }

    /// Every page, one at a time.
    #[pyo3(signature = (*, page_size=None, page_number=None, status=None, params=None, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn pages(
        &self,
        py: Python<'_>,
        page_size: Option<i64>,
        page_number: Option<i64>,
        status: Option<String>,
        params: Option<&Bound<'_, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<PageIterator> {
        let list = list_params(
            py,
            page_size,
            page_number,
            status,
            params,
            timeout,
            max_retries,
        )?;
        Ok(PageIterator {
            cursor: cursor(&self.client.clone(), list),
        })
    }

    /// One project by id.
    #[pyo3(signature = (id, *, timeout=None, max_retries=None))]
    fn get(
        &self,
        py: Python<'_>,
        id: String,
        timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let options = request_options(py, timeout, max_retries)?;
        let client = self.client.clone();
        blocking_py(py, async move {
            client.projects().get_with(&id, &options).await
        })
    }
}

/// Iterates projects across pages.
#[pyclass(frozen, module = "ocus._ocus", name = "ProjectIterator")]
pub struct ProjectIterator {
    cursor: SharedCursor,
}

#[pymethods]
impl ProjectIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        match blocking(py, next_project(self.cursor.clone()))? {
            Some(project) => Ok(Some(project.into_python(py)?)),
            None => Ok(None),
        }
    }
}

/// Iterates pages.
#[pyclass(frozen, module = "ocus._ocus", name = "PageIterator")]
pub struct PageIterator {
    cursor: SharedCursor,
}

#[pymethods]
impl PageIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        match blocking(py, next_page(self.cursor.clone()))? {
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
    #[pyo3(signature = (api_key=None, *, base_url=None, timeout=None, max_retries=None, connect_timeout=None, api_key_file=None))]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
        connect_timeout: Option<f64>,
        api_key_file: Option<PathBuf>,
    ) -> PyResult<Self> {
        Ok(AsyncClient {
            client: build_client(
                py,
                api_key,
                base_url,
                timeout,
                max_retries,
                connect_timeout,
                api_key_file,
            )?,
        })
    }

    #[getter]
    fn projects(&self) -> AsyncProjects {
        AsyncProjects {
            client: self.client.clone(),
        }
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.client.base_url()
    }

    #[pyo3(signature = (method, path, *, params=None, json=None, timeout=None, max_retries=None, retry_non_idempotent=false))]
    #[allow(clippy::too_many_arguments)]
    fn request<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        path: String,
        params: Option<&Bound<'py, PyDict>>,
        json: Option<&Bound<'py, PyAny>>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
        retry_non_idempotent: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let future = request_future(
            py,
            self.client.clone(),
            method,
            path,
            params,
            json,
            timeout,
            max_retries,
            retry_non_idempotent,
        )?;
        awaitable(py, future)
    }

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
    #[pyo3(signature = (*, page_size=None, page_number=None, status=None, params=None, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn list(
        &self,
        py: Python<'_>,
        page_size: Option<i64>,
        page_number: Option<i64>,
        status: Option<String>,
        params: Option<&Bound<'_, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<AsyncProjectIterator> {
        let list = list_params(
            py,
            page_size,
            page_number,
            status,
            params,
            timeout,
            max_retries,
        )?;
        Ok(AsyncProjectIterator {
            cursor: cursor(&self.client.clone(), list),
        })
    }

    /// One page with its links and meta (awaitable).
    #[pyo3(signature = (*, page_size=None, page_number=None, status=None, params=None, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn list_page<'py>(
        &self,
        py: Python<'py>,
        page_size: Option<i64>,
        page_number: Option<i64>,
        status: Option<String>,
        params: Option<&Bound<'py, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let list = list_params(
            py,
            page_size,
            page_number,
            status,
            params,
            timeout,
            max_retries,
        )?;
        let client = self.client.clone();
        awaitable(py, async move { client.projects().list(&list).await })
    }

    /// Every page (`async for`).
    #[pyo3(signature = (*, page_size=None, page_number=None, status=None, params=None, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn pages(
        &self,
        py: Python<'_>,
        page_size: Option<i64>,
        page_number: Option<i64>,
        status: Option<String>,
        params: Option<&Bound<'_, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<AsyncPageIterator> {
        let list = list_params(
            py,
            page_size,
            page_number,
            status,
            params,
            timeout,
            max_retries,
        )?;
        Ok(AsyncPageIterator {
            cursor: cursor(&self.client.clone(), list),
        })
    }

    /// One project by id (awaitable).
    #[pyo3(signature = (id, *, timeout=None, max_retries=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        id: String,
        timeout: Option<f64>,
        max_retries: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = request_options(py, timeout, max_retries)?;
        let client = self.client.clone();
        awaitable(py, async move {
            client.projects().get_with(&id, &options).await
        })
    }
}

#[pyclass(frozen, module = "ocus._ocus", name = "AsyncProjectIterator")]
pub struct AsyncProjectIterator {
    cursor: SharedCursor,
}

#[pymethods]
impl AsyncProjectIterator {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cursor = self.cursor.clone();
        awaitable(py, async move { next_project(cursor).await.map(AsyncNext) })
    }
}

#[pyclass(frozen, module = "ocus._ocus", name = "AsyncPageIterator")]
pub struct AsyncPageIterator {
    cursor: SharedCursor,
}

#[pymethods]
impl AsyncPageIterator {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let cursor = self.cursor.clone();
        awaitable(py, async move { next_page(cursor).await.map(AsyncNext) })
    }
}
