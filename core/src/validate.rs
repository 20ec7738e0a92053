//! Every rule a value must meet, whichever way it enters the core (the builder, the bindings'
//! JSON options, a call's parameters): ranges, reserved headers, URLs. One function per rule,
//! one message per mistake.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use crate::error::{Error, Result};

/// The header OCUS reads the key from.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.ocus.io/v3";

fn configuration(message: String) -> Error {
    Error::configuration(message)
}

/// The largest retry budget accepted (see [`ClientBuilder::retry_budget`](crate::ClientBuilder::retry_budget)).
pub const MAX_RETRY_BUDGET: u32 = 1_000_000;

/// The largest retry count accepted (per client or per call): more is a mistake, not a policy.
pub const MAX_RETRIES_LIMIT: u32 = 100;

/// The unit a timeout option is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    Seconds,
    Milliseconds,
}

impl TimeUnit {
    pub(crate) fn name(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "seconds",
            TimeUnit::Milliseconds => "milliseconds",
        }
    }
}

/// A timeout given as a duration (the builder, a call's options): greater than zero.
pub(crate) fn timeout(name: &str, value: Duration) -> Result<Duration> {
    if value.is_zero() {
        return Err(configuration(format!("{name} must be greater than zero")));
    }
    Ok(value)
}

/// A timeout given as a number of `unit`s (the bindings' options): finite and greater than
/// zero, then the same rule as [`timeout`].
pub(crate) fn timeout_number(name: &str, value: f64, unit: TimeUnit) -> Result<Duration> {
    let seconds = match unit {
        TimeUnit::Seconds => value,
        TimeUnit::Milliseconds => value / 1000.0,
    };
    Duration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|duration| timeout(name, duration).ok())
        .ok_or_else(|| {
            configuration(format!(
                "{name} must be a positive number of {}, not {value}",
                unit.name()
            ))
        })
}

/// A retry count: a whole number from 0 to [`MAX_RETRIES_LIMIT`].
pub(crate) fn retries(name: &str, value: f64) -> Result<u32> {
    if value.fract() == 0.0 && (0.0..=f64::from(MAX_RETRIES_LIMIT)).contains(&value) {
        return Ok(value as u32);
    }
    Err(configuration(format!(
        "{name} must be a whole number from 0 to {MAX_RETRIES_LIMIT}, not {value}"
    )))
}

pub(crate) fn retry_budget_range() -> String {
    format!("a whole number of tokens from 0 to {MAX_RETRY_BUDGET}")
}

/// A retry budget: a whole number of tokens up to [`MAX_RETRY_BUDGET`], however it was given
/// (the builder's `u32` and the JSON path's number meet here).
pub(crate) fn retry_budget(name: &str, tokens: f64) -> Result<u32> {
    if tokens.fract() == 0.0 && (0.0..=f64::from(MAX_RETRY_BUDGET)).contains(&tokens) {
        return Ok(tokens as u32);
    }
    Err(configuration(format!(
        "{name} must be {}, not {tokens}",
        retry_budget_range()
    )))
}

/// A page size or number: a whole number from 1.
pub(crate) fn page_index(name: &str, value: f64) -> Result<u32> {
    if value.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&value) {
        return Ok(value as u32);
    }
    Err(configuration(format!(
        "{name} must be a whole number from 1, not {value}"
    )))
}

/// Headers the client sets itself: setting them another way is a configuration error.
const RESERVED_HEADERS: [(&str, &str); 11] = [
    (API_KEY_HEADER, "the API key is set with api_key"),
    ("host", "it follows from the base URL"),
    ("content-length", "it follows from the body"),
    ("content-type", "the body is JSON"),
    ("transfer-encoding", "the HTTP layer frames the body"),
    ("te", "the HTTP layer negotiates it"),
    ("connection", "the HTTP layer manages connections"),
    ("keep-alive", "the HTTP layer manages connections"),
    ("upgrade", "the HTTP layer manages connections"),
    ("expect", "the HTTP layer sends the body"),
    (
        "proxy-authorization",
        "proxy credentials go in the proxy URL",
    ),
];

/// Checks one extra header as a request would carry it: a valid name, a value of visible ASCII,
/// spaces and tabs (no CR or LF: no header can be smuggled in), not one the client sets
/// itself or that would change how the HTTP layer frames the request. `user-agent` is allowed:
/// it extends the client's, never replaces it; `accept` replaces the default
/// `application/json`.
pub(crate) fn header(option: &str, name: &str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let header = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| configuration(format!("{option}: {name:?} is not a valid header name")))?;
    if let Some((_, why)) = RESERVED_HEADERS
        .iter()
        .find(|(reserved, _)| header == *reserved)
    {
        return Err(configuration(format!(
            "{option}: the {header} header cannot be set this way ({why})"
        )));
    }
    // HeaderValue accepts obs-text (bytes >= 0x80); only visible ASCII is portable.
    let visible = value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
    let value = HeaderValue::from_str(value)
        .ok()
        .filter(|_| visible)
        .ok_or_else(|| {
            configuration(format!(
                "{option}: the value of {header} must be visible ASCII, spaces and tabs (no CR, LF or other control characters)"
            ))
        })?;
    Ok((header, value))
}

/// A validated proxy URL. Its credentials never leave it: `Debug` and [`shown`](Self::shown)
/// print `***` for the password.
#[derive(Clone)]
pub(crate) struct ProxyUrl(Url);

impl ProxyUrl {
    pub(crate) fn parse(raw: &str) -> Result<ProxyUrl> {
        // Nothing of `raw` is echoed in an error: it may hold a password.
        let url = Url::parse(raw.trim()).map_err(|e| {
            Error::configuration(format!("the proxy is not a valid absolute URL ({e})"))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            // Not the scheme itself: in "user:password@host" the user name parses as one.
            return Err(Error::configuration(
                "the proxy scheme must be http or https (the URL must start with http:// or https://)",
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::configuration("the proxy URL has no host"));
        }
        Ok(ProxyUrl(url))
    }

    /// The URL with its password (if any) replaced by `***`.
    pub(crate) fn shown(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("***"));
        }
        url.to_string()
    }

    pub(crate) fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown())
    }
}

/// A validated base URL: https, or http to a loopback host; no credentials, query or fragment.
#[derive(Debug, Clone)]
pub(crate) struct BaseUrl {
    url: Url,
}

impl BaseUrl {
    pub(crate) fn parse(raw: &str) -> Result<BaseUrl> {
        let url = Url::parse(raw.trim()).map_err(|e| {
            Error::configuration(format!(
                "the base URL is not an absolute URL ({e}): expected https://HOST/PATH, \
                 e.g. {DEFAULT_BASE_URL}"
            ))
        })?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(Error::configuration(format!(
                    "refusing insecure base URL http://{}: the API key must travel over https:// \
                     (plain http:// is allowed only for loopback hosts)",
                    url.host_str().unwrap_or("")
                )));
            }
            other => {
                return Err(Error::configuration(format!(
                    "the base URL scheme must be https, not {other:?}: expected https://HOST/PATH, \
                     e.g. {DEFAULT_BASE_URL}"
                )));
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::configuration("the base URL has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::configuration(
                "the base URL must not contain credentials",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::configuration(
                "the base URL must not contain a query or fragment",
            ));
        }
        Ok(BaseUrl { url })
    }

    /// `base + "/" + path`, whether or not either side has the slash, with `query` encoded.
    pub(crate) fn join(&self, path: &str, query: &[(String, String)]) -> Result<Url> {
        if path.contains("://") || path.starts_with("//") {
            return Err(Error::configuration(
                "the path must be relative to the base URL (e.g. \"/projects\"), not a full URL",
            ));
        }
        let (path, inline_query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        if path.split('/').any(|segment| segment == "..") {
            return Err(Error::configuration(
                "the path must not contain \"..\" segments",
            ));
        }
        let mut url = self.url.clone();
        let joined = format!(
            "{}/{}",
            url.path().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        url.set_path(&joined);
        url.set_query(inline_query);
        if !query.is_empty() {
            // Sorted by name (stable, so a repeated name keeps its values' order): the same
            // URL whatever order the caller's language kept its map in.
            let mut sorted: Vec<&(String, String)> = query.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            let mut pairs = url.query_pairs_mut();
            for (name, value) in sorted {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// Appends one path segment (percent-encoded) to `base + "/" + path`.
    pub(crate) fn join_segment(&self, path: &str, segment: &str) -> Result<Url> {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(Error::configuration(format!("invalid id {segment:?}")));
        }
        let mut url = self.join(path, &[])?;
        url.path_segments_mut()
            .map_err(|()| Error::configuration("the base URL cannot have path segments"))?
            .pop_if_empty()
            .push(segment);
        Ok(url)
    }

    pub(crate) fn is_plain_http(&self) -> bool {
        self.url.scheme() == "http"
    }

    pub(crate) fn url(&self) -> &Url {
        &self.url
    }

    pub(crate) fn same_origin(&self, other: &Url) -> bool {
        self.url.origin() == other.origin()
    }

    pub(crate) fn origin_text(&self) -> String {
        self.url.origin().ascii_serialization()
    }

    pub(crate) fn as_str(&self) -> &str {
        self.url.as_str()
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}
