//! # ocus
//!
//! The client for the [OCUS](https://www.ocus.com) API v3 (on-demand photo and video shoots),
//! and the core of the Python, Node.js and Go packages: authentication, key handling,
//! retries, timeouts, redirects, error mapping, pagination and webhook verification live
//! here, once.
//!
//! ```no_run
//! # async fn demo() -> ocus::Result<()> {
//! use futures_util::TryStreamExt;
//!
//! let client = ocus::Client::from_env()?; // OCUS_API_KEY or OCUS_API_KEY_FILE
//! let page = client.projects().list(&ocus::ListParams::new().page_size(50)).await?;
//! println!("{} projects on the first page", page.data.len());
//! let all: Vec<ocus::Project> = client.projects().stream(ocus::ListParams::new()).try_collect().await?;
//! match client.projects().get("0b9c1c5e-0000-4000-8000-000000000000").await {
//!     Err(e) if e.kind() == ocus::ErrorKind::NotFound => println!("no such project"),
//!     other => println!("{:?}", other.map(|p| p.status())),
//! }
//! # Ok(()) }
//! ```
//!
//! Security: the key is an [`ApiKey`] (redacted, zeroized); it is sent only to the base URL's
//! origin, in a sensitive `X-API-KEY` header; redirects to another origin are refused with an
//! `api_error` (code `redirect_refused`) rather than followed.

#![deny(missing_docs)]

pub mod call;
mod client;
#[cfg(any(unix, windows))]
pub mod completion;
mod config;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod handle;
mod io;
mod key;
pub mod log;
mod model;
pub mod options;
mod projects;
mod request;
mod response;
mod retry;
pub mod runtime;
pub mod telemetry;
mod validate;
pub mod webhooks;

pub use client::{API_KEY_HEADER, Client, MAX_ERROR_BODY_BYTES, MAX_REDIRECTS, RequestOptions};
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BUDGET, DEFAULT_TIMEOUT, ENV_API_KEY, ENV_API_KEY_FILE,
    ENV_BASE_URL, ENV_CA_BUNDLE, IDLE_CONNECTION_TIMEOUT, MAX_IDLE_CONNECTIONS,
};
pub use error::{Error, ErrorKind, ErrorView, MAX_KEPT_BODY_BYTES, Result};
pub use key::ApiKey;
pub use log::{LogEvent, LogLevel, LogSink};
pub use projects::{
    Links, ListParams, Page, PageView, Project, ProjectCursor, ProjectPages, ProjectStatus,
    ProjectView, Projects,
};
pub use reqwest::Method;
pub use response::{ResponseInfo, ResponseView};
pub use retry::{MAX_RETRY_AFTER, RETRY_COST, SUCCESS_REFILL, TIMEOUT_RETRY_COST};
pub use validate::{MAX_RETRIES_LIMIT, MAX_RETRY_BUDGET};

/// The SDK version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
