//! Projects: one page, every page, one project.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::sync::Arc;

use futures_util::Stream;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use url::Url;

use crate::client::{Client, decode_json};
use crate::error::{Error, Result};
pub use crate::model::ProjectStatus;
use crate::request::RequestOptions;
use crate::response::{ResponseInfo, ResponseView};
use crate::telemetry::OperationName;

const PROJECTS_PATH: &str = "/projects";

/// A project, as the JSON:API resource object the server sent: nothing is dropped.
/// Equality compares the resource, not the response it came in.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// The project's UUID.
    pub id: String,
    /// The resource type (`"project"`).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Every attribute the server sent, known or not.
    pub attributes: Map<String, Value>,
    /// Other members of the resource object (`relationships`, `links`...), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The response of the `get` that returned it (`None` inside a page: see the page's).
    #[serde(skip)]
    response: Option<Arc<ResponseInfo>>,
}

impl PartialEq for Project {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.resource_type == other.resource_type
            && self.attributes == other.attributes
            && self.extra == other.extra
    }
}

impl<'de> Deserialize<'de> for Project {
    // By hand rather than `#[serde(flatten)]`, which buffers every object twice.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut object = Map::<String, Value>::deserialize(deserializer)?;
        let text = |object: &mut Map<String, Value>, name: &'static str| match object.remove(name) {
            Some(Value::String(text)) => Ok(text),
            Some(_) => Err(not_a_string(name)),
            None => Err(D::Error::missing_field(name)),
        };
        let id = text(&mut object, "id")?;
        let resource_type = text(&mut object, "type")?;
        let attributes = match object.remove("attributes") {
            Some(Value::Object(attributes)) => attributes,
            None | Some(Value::Null) => Map::new(),
            Some(_) => return Err(attributes_not_an_object()),
        };
        Ok(Project {
            id,
            resource_type,
            attributes,
            extra: object,
            response: None,
        })
    }
}

// What a project's members must be, for [`Project`] and [`ProjectText`] alike.
fn not_a_string<E: serde::de::Error>(name: &str) -> E {
    E::custom(format!("`{name}` must be a string"))
}

fn attributes_not_an_object<E: serde::de::Error>() -> E {
    E::custom("`attributes` must be an object")
}

/// A project as the bindings' calls hand it on ([`crate::call`]): the resource object's text
/// as the server sent it, checked as [`Project`] checks it (`id` and `type` strings,
/// `attributes` an object if present, and every value as a tree of values would be: strings,
/// numbers, depth) and its status read out, without building the tree of values that each
/// binding builds again in its own language. A resource the text would show differently from
/// a `Project` (no `attributes` object, or `id`, `type`, `attributes` or `attributes.status`
/// given twice) is written out from a `Project` instead.
#[derive(Debug)]
pub(crate) struct ProjectText {
    resource: Box<RawValue>,
    status: Option<String>,
    response: Option<Arc<ResponseInfo>>,
}

/// What reading a project's text found.
enum ReadText {
    /// The text shows the project as a `Project` would, with this status.
    AsSent(Option<String>),
    /// It would not: write the project out from a `Project`.
    Rewrite,
}

impl<'de> Deserialize<'de> for ProjectText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let resource = Box::<RawValue>::deserialize(deserializer)?;
        // Errors found inside the text carry their place in it; the outer deserializer adds
        // the resource's own.
        let error = |e: serde_json::Error| {
            let text = e.to_string();
            D::Error::custom(text.rsplit_once(" at line ").map_or(&*text, |(m, _)| m))
        };
        let status = match read_text(resource.get()).map_err(error)? {
            ReadText::AsSent(status) => status,
            ReadText::Rewrite => {
                let project: Project = serde_json::from_str(resource.get()).map_err(error)?;
                let status = project.status().map(|s| s.as_str().to_owned());
                let text = serde_json::to_string(&project).map_err(error)?;
                return Ok(ProjectText {
                    resource: RawValue::from_string(text).map_err(error)?,
                    status,
                    response: None,
                });
            }
        };
        Ok(ProjectText {
            resource,
            status,
            response: None,
        })
    }
}

fn read_text(text: &str) -> serde_json::Result<ReadText> {
    use serde::de::Error as _;
    // Everything a tree of values refuses (a lone surrogate, a number out of range, nesting
    // deeper than serde_json's limit), refused here too, without building one.
    serde_json::from_str::<Checked>(text)?;
    if !text.starts_with('{') {
        // Refused with a Project's own words (a Map refuses anything but an object).
        return serde_json::from_str::<Map<String, Value>>(text).map(|_| ReadText::Rewrite);
    }
    let Some([id, resource_type, attributes]) = members(text, ["id", "type", "attributes"])? else {
        return Ok(ReadText::Rewrite);
    };
    for (name, value) in [("id", id), ("type", resource_type)] {
        match value {
            Some(value) if value.get().starts_with('"') => {}
            Some(_) => return Err(not_a_string(name)),
            None => return Err(serde_json::Error::missing_field(name)),
        }
    }
    match attributes.map(RawValue::get) {
        None | Some("null") => Ok(ReadText::Rewrite),
        Some(attributes) if attributes.starts_with('{') => {
            // A repeated `status`: the last, as a Map keeps it (and as every binding reads it).
            let status = match members(attributes, ["status"])? {
                Some([Some(status)]) if status.get().starts_with('"') => {
                    Some(serde_json::from_str(status.get())?)
                }
                Some(_) => None,
                None => return Ok(ReadText::Rewrite),
            };
            Ok(ReadText::AsSent(status))
        }
        Some(_) => Err(attributes_not_an_object()),
    }
}

impl ProjectText {
    /// The project as every binding shows it (the same view as [`Project::view`]).
    pub(crate) fn view(&self) -> ProjectView<'_, RawValue> {
        let status = self.status.as_deref();
        ProjectView {
            status,
            known_status: status.is_some_and(|s| ProjectStatus::from(s).is_known()),
            resource: &self.resource,
            response: self.response.as_deref().map(ResponseInfo::view),
        }
    }

    pub(crate) fn response(&self) -> Option<&ResponseInfo> {
        self.response.as_deref()
    }
}

/// Any JSON value, read as a tree of values would be read (every string decoded, every number
/// parsed, nesting counted) and then forgotten.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Checked;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("any JSON value")
            }

            fn visit_bool<E>(self, _: bool) -> Result<Checked, E> {
                Ok(Checked)
            }

            fn visit_i64<E>(self, _: i64) -> Result<Checked, E> {
                Ok(Checked)
            }

            fn visit_u64<E>(self, _: u64) -> Result<Checked, E> {
                Ok(Checked)
            }

            fn visit_f64<E>(self, _: f64) -> Result<Checked, E> {
                Ok(Checked)
            }

            fn visit_str<E>(self, _: &str) -> Result<Checked, E> {
                Ok(Checked)
            }

            fn visit_unit<E>(self) -> Result<Checked, E> {
                Ok(Checked)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Checked, A::Error> {
                while seq.next_element::<Checked>()?.is_some() {}
                Ok(Checked)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Checked, A::Error> {
                while map.next_key::<Checked>()?.is_some() {
                    map.next_value::<Checked>()?;
                }
                Ok(Checked)
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

/// The raw text of the members `names` of the JSON object `text` (checked already), the
/// others skipped; `None` if one of `names` is given twice.
fn members<'a, const N: usize>(
    text: &'a str,
    names: [&'static str; N],
) -> serde_json::Result<Option<[Option<&'a RawValue>; N]>> {
    /// Which of the names a key is, read without allocating.
    struct Key<const N: usize>([&'static str; N]);

    impl<'de, const N: usize> serde::de::DeserializeSeed<'de> for Key<N> {
        type Value = Option<usize>;

        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
            d.deserialize_str(self)
        }
    }

    impl<'de, const N: usize> serde::de::Visitor<'de> for Key<N> {
        type Value = Option<usize>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a member name")
        }

        fn visit_str<E>(self, name: &str) -> Result<Option<usize>, E> {
            Ok(self.0.iter().position(|wanted| *wanted == name))
        }
    }

    struct Members<const N: usize>([&'static str; N]);

    impl<'de, const N: usize> serde::de::Visitor<'de> for Members<N> {
        type Value = Option<[Option<&'de RawValue>; N]>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a JSON object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut values = [None; N];
            let mut repeated = false;
            while let Some(at) = map.next_key_seed(Key(self.0))? {
                match at {
                    Some(at) => repeated |= values[at].replace(map.next_value()?).is_some(),
                    None => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
            }
            Ok((!repeated).then_some(values))
        }
    }

    let mut deserializer = serde_json::Deserializer::from_str(text);
    let values = serde::Deserializer::deserialize_map(&mut deserializer, Members(names))?;
    deserializer.end()?;
    Ok(values)
}

impl Project {
    /// The status, if the server sent one.
    pub fn status(&self) -> Option<ProjectStatus> {
        self.attributes
            .get("status")
            .and_then(Value::as_str)
            .map(ProjectStatus::from)
    }

    /// One attribute by name.
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.attributes.get(name)
    }

    /// The HTTP response this project arrived in, when it was fetched on its own (`get`).
    pub fn response(&self) -> Option<&ResponseInfo> {
        self.response.as_deref()
    }

    /// The resource object as JSON, as the server sent it.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The project as every binding shows it.
    pub fn view(&self) -> ProjectView<'_> {
        let status = self.attributes.get("status").and_then(Value::as_str);
        ProjectView {
            status,
            known_status: status.is_some_and(|s| ProjectStatus::from(s).is_known()),
            resource: self,
            response: self.response().map(ResponseInfo::view),
        }
    }
}

/// The `links` of a page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Links {
    /// The next page, absent or `null` on the last one.
    #[serde(default)]
    pub next: Option<String>,
    /// Other links, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One page of a list. Equality compares the content, not the response it came in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    /// The resources of this page.
    pub data: Vec<T>,
    #[serde(default)]
    /// `self` and `next` links as sent.
    pub links: Links,
    #[serde(default)]
    /// `total`, `page`, `page_size`, `pages` as sent.
    pub meta: Map<String, Value>,
    #[serde(skip)]
    response: Option<Arc<ResponseInfo>>,
}

impl<T: PartialEq> PartialEq for Page<T> {
    fn eq(&self, other: &Self) -> bool {
        self.data == other.data && self.links == other.links && self.meta == other.meta
    }
}

impl<T> Page<T> {
    /// The HTTP response this page arrived in (`None` only for a page built by hand).
    pub fn response(&self) -> Option<&ResponseInfo> {
        self.response.as_deref()
    }

    /// True when the server announced another page.
    pub fn has_next(&self) -> bool {
        self.next_url().is_some()
    }

    /// The next page's link as sent (absent, `null` and `""` all mean none).
    pub fn next_url(&self) -> Option<&str> {
        // A match on the link, not `as_deref().filter(..)`: with that, LLVM read the absent
        // string's length before the discriminant, a branch valgrind reports as uninitialised.
        match &self.links.next {
            Some(next) if !next.is_empty() => Some(next),
            _ => None,
        }
    }
}

/// What every binding shows of a project: the status (as sent), whether OCUS documents it,
/// and the resource object as sent. One shape, serialised once, for every language.
#[derive(Debug, Serialize)]
pub struct ProjectView<'a, R: ?Sized = Project> {
    /// `attributes.status`, if any.
    pub status: Option<&'a str>,
    /// Whether the status is one of [`ProjectStatus`]'s known values.
    pub known_status: bool,
    /// The resource object as sent (a [`Project`] unless another resource type is named).
    pub resource: &'a R,
    /// Present for a project fetched on its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseView<'a>>,
}

/// What every binding shows of a page.
#[derive(Debug, Serialize)]
pub struct PageView<'a, R: ?Sized = Project> {
    /// Whether a next page exists.
    pub has_next: bool,
    /// The next page's URL, if any.
    pub next_url: Option<&'a str>,
    /// `self` and `next` links as sent.
    pub links: &'a Links,
    /// `total`, `page`, `page_size`, `pages` as sent.
    pub meta: &'a Map<String, Value>,
    /// The projects of the page.
    pub data: Vec<ProjectView<'a, R>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The HTTP response the page came in, when it is known.
    pub response: Option<ResponseView<'a>>,
}

impl Page<Project> {
    /// The page as every binding shows it.
    pub fn view(&self) -> PageView<'_> {
        self.view_with(Project::view)
    }
}

impl Page<ProjectText> {
    /// The page as every binding shows it (the same view as a `Page<Project>`'s).
    pub(crate) fn view(&self) -> PageView<'_, RawValue> {
        self.view_with(ProjectText::view)
    }
}

impl<T> Page<T> {
    fn view_with<'a, R: ?Sized>(
        &'a self,
        project: impl Fn(&'a T) -> ProjectView<'a, R>,
    ) -> PageView<'a, R> {
        PageView {
            has_next: self.has_next(),
            next_url: self.next_url(),
            links: &self.links,
            meta: &self.meta,
            data: self.data.iter().map(project).collect(),
            response: self.response().map(ResponseInfo::view),
        }
    }
}

/// Parameters of a project list. No filter or paging scheme is published for v3, so the
/// typed ones follow JSON:API conventions (`page[size]`, `page[number]`, `filter[status]`)
/// and anything else can be passed as is.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListParams {
    /// `page[size]`: projects per page, from 1 (the server's default when absent).
    pub page_size: Option<u32>,
    /// `page[number]`: the page, from 1 (with `stream`, where to start).
    pub page_number: Option<u32>,
    /// `filter[status]`: only projects with this status.
    pub status: Option<ProjectStatus>,
    /// Extra query parameters, sent unchanged.
    pub extra: Vec<(String, String)>,
    /// Per-request timeout and retries.
    pub options: RequestOptions,
}

impl ListParams {
    /// No filter, the server's page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `page[size]` (from 1; 0 is refused when the call is made).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Sets `page[number]` (from 1).
    pub fn page_number(mut self, number: u32) -> Self {
        self.page_number = Some(number);
        self
    }

    /// Sets `filter[status]` (a known status or any string the API accepts).
    pub fn status(mut self, status: impl Into<ProjectStatus>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Adds an extra query parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Sets the per-call options (timeout, retries, headers).
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// The query, after the same checks as the JSON path (`ListParams::from_options`), so a
    /// page size of 0 is refused however it was given.
    fn query(&self) -> Result<Vec<(String, String)>> {
        let mut query = Vec::new();
        if let Some(size) = self.page_size {
            let size = crate::validate::page_index("page_size", f64::from(size))?;
            query.push(("page[size]".to_owned(), size.to_string()));
        }
        if let Some(number) = self.page_number {
            let number = crate::validate::page_index("page_number", f64::from(number))?;
            query.push(("page[number]".to_owned(), number.to_string()));
        }
        if let Some(status) = &self.status {
            query.push(("filter[status]".to_owned(), status.as_str().to_owned()));
        }
        query.extend(self.extra.iter().cloned());
        query.extend(self.options.query.iter().cloned());
        Ok(query)
    }
}

/// The projects resource: `client.projects()`.
#[derive(Debug, Clone)]
pub struct Projects {
    client: Client,
}

impl Client {
    /// The projects resource.
    pub fn projects(&self) -> Projects {
        Projects {
            client: self.clone(),
        }
    }
}

impl Projects {
    /// The first page matching `params` (see [`ProjectPages`] for the rest).
    pub async fn list(&self, params: &ListParams) -> Result<Page<Project>> {
        self.first_page(params).await
    }

    /// [`list`](Self::list) for the bindings: the projects as their text.
    pub(crate) async fn list_text(&self, params: &ListParams) -> Result<Page<ProjectText>> {
        self.first_page(params).await
    }

    async fn first_page<T: DeserializeOwned>(&self, params: &ListParams) -> Result<Page<T>> {
        self.pages_of(params.clone())
            .next_page()
            .await?
            .ok_or_else(|| Error::decode("the list returned no page"))
    }

    /// A cursor over every page, following `links.next`.
    pub fn pages(&self, params: ListParams) -> ProjectPages {
        self.pages_of(params)
    }

    fn pages_of<T>(&self, params: ListParams) -> ProjectPages<T> {
        ProjectPages {
            client: self.client.clone(),
            state: PagerState::Start,
            params,
            item: PhantomData,
        }
    }

    /// A cursor to share: pages or projects through `&self`.
    pub fn cursor(&self, params: ListParams) -> ProjectCursor {
        self.cursor_of(params)
    }

    /// [`cursor`](Self::cursor) for the bindings: the projects as their text.
    pub(crate) fn text_cursor(&self, params: ListParams) -> ProjectCursor<ProjectText> {
        self.cursor_of(params)
    }

    fn cursor_of<T>(&self, params: ListParams) -> ProjectCursor<T> {
        ProjectCursor {
            state: tokio::sync::Mutex::new((self.pages_of(params), VecDeque::new())),
        }
    }

    /// Every project of every page, fetched a page at a time as the stream is polled.
    pub fn stream(&self, params: ListParams) -> impl Stream<Item = Result<Project>> + Send + use<> {
        futures_util::stream::try_unfold(
            (self.pages(params), VecDeque::new()),
            |(mut pages, mut buffer)| async move {
                loop {
                    if let Some(project) = buffer.pop_front() {
                        return Ok(Some((project, (pages, buffer))));
                    }
                    match pages.next_page().await? {
                        Some(page) => buffer.extend(page.data),
                        None => return Ok(None),
                    }
                }
            },
        )
    }

    /// One project by id.
    pub async fn get(&self, id: &str) -> Result<Project> {
        self.get_with(id, &RequestOptions::default()).await
    }

    /// One project by id, with per-request options.
    pub async fn get_with(&self, id: &str, options: &RequestOptions) -> Result<Project> {
        let (mut project, response) = self.fetch::<Project>(id, options).await?;
        project.response = Some(response);
        Ok(project)
    }

    /// [`get_with`](Self::get_with) for the bindings: the project as its text.
    pub(crate) async fn get_text(&self, id: &str, options: &RequestOptions) -> Result<ProjectText> {
        let (mut project, response) = self.fetch::<ProjectText>(id, options).await?;
        project.response = Some(response);
        Ok(project)
    }

    async fn fetch<T: DeserializeOwned>(
        &self,
        id: &str,
        options: &RequestOptions,
    ) -> Result<(T, Arc<ResponseInfo>)> {
        let call = async |trace: Option<&crate::telemetry::Trace>| {
            let url = self.client.url_for_id(PROJECTS_PATH, id)?;
            let response = self
                .client
                .execute(
                    OperationName::GetProject,
                    reqwest::Method::GET,
                    url,
                    options,
                    trace,
                )
                .await?;
            let envelope: Single<T> = decode_json(&response.body)?;
            Ok((envelope.data, Arc::new(response.info)))
        };
        let trace = options.trace.clone();
        self.client
            .operation(OperationName::GetProject, trace, call)
            .await
    }
}

#[derive(Deserialize)]
struct Single<T> {
    data: T,
}

/// A cursor over the pages of a project list: each [`next_page`](Self::next_page) fetches one.
/// Its pages hold [`Project`]s unless another item type is named (the core's call table
/// uses one of its own).
#[derive(Debug)]
pub struct ProjectPages<T = Project> {
    client: Client,
    params: ListParams,
    state: PagerState,
    item: PhantomData<fn() -> T>,
}

#[derive(Debug)]
enum PagerState {
    Start,
    Next(Url),
    Done,
}

impl<T: DeserializeOwned> ProjectPages<T> {
    /// The next page, or `None` after the last one. After an error the same page is tried
    /// again by the next call.
    pub async fn next_page(&mut self) -> Result<Option<Page<T>>> {
        if matches!(self.state, PagerState::Done) {
            return Ok(None);
        }
        let client = self.client.clone();
        let trace = self.params.options.trace.clone();
        client
            .operation(OperationName::ListProjects, trace, async |trace| {
                self.fetch_next(trace).await
            })
            .await
    }

    async fn fetch_next(
        &mut self,
        trace: Option<&crate::telemetry::Trace>,
    ) -> Result<Option<Page<T>>> {
        let url = match &self.state {
            PagerState::Start => self.client.url_for(PROJECTS_PATH, &self.params.query()?)?,
            PagerState::Next(url) => url.clone(),
            PagerState::Done => return Ok(None),
        };
        let response = self
            .client
            .execute(
                OperationName::ListProjects,
                reqwest::Method::GET,
                url,
                &self.params.options,
                trace,
            )
            .await?;
        let mut page: Page<T> = decode_json(&response.body)?;
        self.state = match page.next_url() {
            Some(next) => {
                let next = self.client.resolve_link(&response.url, next)?;
                if next == response.url {
                    // Following it would loop forever.
                    return Err(Error::decode("links.next points to the page just returned"));
                }
                PagerState::Next(next)
            }
            None => PagerState::Done,
        };
        page.response = Some(Arc::new(response.info));
        Ok(Some(page))
    }

    /// True once the last page has been returned.
    pub fn is_done(&self) -> bool {
        matches!(self.state, PagerState::Done)
    }
}

/// A shareable cursor over a project list: pages or single projects, from any thread or task,
/// through `&self`. Bindings hold one behind their iterator objects with no lock of their own.
#[derive(Debug)]
pub struct ProjectCursor<T = Project> {
    state: tokio::sync::Mutex<(ProjectPages<T>, VecDeque<T>)>,
}

impl<T: DeserializeOwned> ProjectCursor<T> {
    /// The next page, or `None` after the last one (after an error, the same page again).
    pub async fn next_page(&self) -> Result<Option<Page<T>>> {
        self.state.lock().await.0.next_page().await
    }

    /// [`next_page`](Self::next_page) fetched with `client` (the same settings and key, the
    /// pool of the runtime the call runs on), which later pages use too.
    pub async fn next_page_with(&self, client: Client) -> Result<Option<Page<T>>> {
        let mut state = self.state.lock().await;
        state.0.client = client;
        state.0.next_page().await
    }

    /// The next project across pages, fetching a page when the last one is used up.
    pub async fn next_project(&self) -> Result<Option<T>> {
        let mut state = self.state.lock().await;
        loop {
            if let Some(project) = state.1.pop_front() {
                return Ok(Some(project));
            }
            match state.0.next_page().await? {
                Some(page) => state.1.extend(page.data),
                None => return Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_as_text_is_checked_and_read_as_a_project_is() {
        use Expect::*;
        #[derive(Debug, PartialEq)]
        enum Expect {
            /// Read, and handed on as sent.
            Kept,
            /// Read, and written out again from a `Project` (the text alone would mislead).
            Rewritten,
            /// Refused, with the message `Project` gives.
            Refused,
        }
        let deep = format!(
            r#"{{"id":"9b2f","type":"project","attributes":{}1{}}}"#,
            "[".repeat(130),
            "]".repeat(130)
        );
        let cases = [
            (
                r#"{"type":"project","id":"9b2f","attributes":{"status":"on_hold","x":{"status":"no"}}}"#,
                Kept,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":{"status":"compl\u0065ted"},"links":{}}"#,
                Kept,
            ),
            (r#"{"id":"9b2f","type":"project"}"#, Rewritten),
            (
                r#"{"id":"9b2f","type":"project","attributes":null}"#,
                Rewritten,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":{"status":7}}"#,
                Kept,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":{"status":"a","status":"b"}}"#,
                Rewritten,
            ),
            (r#"{"id":1,"id":"9b2f","type":"project"}"#, Rewritten),
            (r#"{"id":"9b2f","type":"project","attributes":[]}"#, Refused),
            (r#"{"id":null,"type":"project"}"#, Refused),
            (r#"{"type":"project"}"#, Refused),
            (r#"{"id":"9b2f","type":5}"#, Refused),
            (r#"{"id":"9b2f"}"#, Refused),
            (r#"["id"]"#, Refused),
            (r#""project""#, Refused),
            (
                r#"{"id":"9b2f","type":"project","attributes":{"name":"\ud800"}}"#,
                Refused,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":{"size":1e400}}"#,
                Refused,
            ),
            (
                r#"{"id":"9b2f","type":"project","links":{"x":-1e400}}"#,
                Refused,
            ),
            (
                r#"{"\u0069d":"9b2f","type" : "project", "attributes" : null }"#,
                Rewritten,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":[],"attributes":{"status":"x"}}"#,
                Rewritten,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":{"status":"x"},"attributes":null}"#,
                Rewritten,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":{"status":"x"},"type":"project"}"#,
                Rewritten,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":{"a":1.0,"b":12345678901234567890123}}"#,
                Kept,
            ),
            (
                r#"{"id":"9b2f","type":"project","attributes":{}} x"#,
                Refused,
            ),
            (&deep, Refused),
        ];
        for (case, expect) in cases {
            let project = serde_json::from_str::<Project>(case);
            let text = serde_json::from_str::<ProjectText>(case);
            match (project, text) {
                (Ok(project), Ok(text)) => {
                    let view = serde_json::to_value(project.view()).unwrap();
                    assert_eq!(serde_json::to_value(text.view()).unwrap(), view, "{case}");
                    let kept = text.resource.get() == case;
                    assert_eq!(if kept { Kept } else { Rewritten }, expect, "{case}");
                }
                (Err(project), Err(text)) => {
                    let message = |e: serde_json::Error| {
                        e.to_string().split(" at line").next().unwrap().to_owned()
                    };
                    assert_eq!(message(text), message(project), "{case}");
                    assert_eq!(Refused, expect, "{case}");
                }
                (project, text) => panic!("{case}: {project:?} / {text:?}"),
            }
        }
    }

    #[test]
    fn unknown_statuses_and_attributes_are_kept() {
        let json = r#"{"type":"project","id":"9b2f","attributes":{"status":"on_hold","name":"A","x":{"y":1}},"relationships":{"org":{}}}"#;
        let project: Project = serde_json::from_str(json).unwrap();
        assert_eq!(
            project.status(),
            Some(ProjectStatus::Unknown("on_hold".into()))
        );
        assert_eq!(project.attribute("x").unwrap()["y"], 1);
        assert!(project.extra.contains_key("relationships"));
        assert_eq!(
            project.to_json(),
            serde_json::from_str::<Value>(json).unwrap()
        );
        for status in ProjectStatus::KNOWN {
            assert_eq!(ProjectStatus::from(status.as_str()), status);
            assert!(status.is_known());
        }
    }

    #[test]
    fn list_params_become_a_json_api_query() {
        let params = ListParams::new()
            .page_size(10)
            .page_number(2)
            .status(ProjectStatus::Completed)
            .param("sort", "-created_at");
        assert_eq!(
            params.query().unwrap(),
            vec![
                ("page[size]".into(), "10".into()),
                ("page[number]".into(), "2".into()),
                ("filter[status]".into(), "completed".into()),
                ("sort".into(), "-created_at".into()),
            ]
        );
    }

    #[test]
    fn a_page_size_or_number_of_zero_is_refused_as_on_the_json_path() {
        for params in [
            ListParams::new().page_size(0),
            ListParams::new().page_number(0),
        ] {
            let error = params.query().unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Configuration);
            assert!(
                error
                    .message()
                    .contains("must be a whole number from 1, not 0")
            );
        }
    }
}
