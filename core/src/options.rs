//! Options as the bindings hand them over: one parser, one validation, one set of messages.
//!
//! Every binding turns its native options (a Python `**kwargs` dict, a JS options object, a C
//! struct, Go functional options) into a JSON object and calls the `from_options` of
//! [`ClientBuilder`], [`RequestOptions`] or [`ListParams`]. Names are accepted in snake_case and
//! in camelCase (`timeout_ms` / `timeoutMs`); `null` means "not set". An unknown name, a value
//! of the wrong type or out of range is a `configuration` error naming the option as the user
//! spelled it, so every language rejects the same values with the same words.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::config::ClientBuilder;
use crate::error::{Error, Result};
use crate::projects::ListParams;
use crate::request::RequestOptions;
use crate::validate::{
    MAX_RETRIES_LIMIT, TimeUnit, header, page_index, retries, retry_budget, retry_budget_range,
    timeout_number,
};

fn configuration(message: String) -> Error {
    Error::configuration(message)
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{text:?}"),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        other => other.to_string(),
    }
}

/// Query parameters from a JSON object, in the one encoding every language gets: a string as
/// is, a boolean as `true`/`false`, a number as JSON writes it, a list as the name repeated
/// once per item, `null` left out. Objects are refused. (The order on the wire is decided by
/// the URL builder: sorted by name.)
pub(crate) fn query_pairs(name: &str, value: &Value) -> Result<Vec<(String, String)>> {
    let object = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Object(object) => object,
        other => {
            return Err(configuration(format!(
                "{name} must be a mapping of names to values, not {}",
                shown(other)
            )));
        }
    };
    let mut pairs = Vec::with_capacity(object.len());
    for (key, value) in object {
        let items = match value {
            Value::Array(items) => items.as_slice(),
            single => std::slice::from_ref(single),
        };
        for item in items {
            let text = match item {
                Value::Null => continue,
                Value::String(text) => text.clone(),
                Value::Bool(flag) => flag.to_string(),
                Value::Number(number) => number.to_string(),
                other => {
                    return Err(configuration(format!(
                        "query parameter {key:?} must be a string, number, boolean or a list \
                         of them, not {}",
                        shown(other)
                    )));
                }
            };
            pairs.push((key.clone(), text));
        }
    }
    Ok(pairs)
}

/// An object of headers (name to string value), each checked by [`header`].
fn header_pairs(option: &str, value: Value) -> Result<Vec<(String, String)>> {
    let Value::Object(headers) = value else {
        return Err(configuration(format!(
            "{option} must be an object of header names to values, not {}",
            shown(&value)
        )));
    };
    headers
        .into_iter()
        .map(|(name, value)| {
            let value = text(&format!("{option}.{name}"), value)?;
            header(option, &name, &value)?;
            Ok((name, value))
        })
        .collect()
}

/// Every spelling of every option: snake_case, camelCase, and a few other names users type.
const NAMES: &[(&str, Field)] = &[
    ("api_key", Field::ApiKey),
    ("apiKey", Field::ApiKey),
    ("api_key_file", Field::ApiKeyFile),
    ("apiKeyFile", Field::ApiKeyFile),
    ("base_url", Field::BaseUrl),
    ("baseUrl", Field::BaseUrl),
    ("baseURL", Field::BaseUrl),
    ("user_agent", Field::UserAgent),
    ("userAgent", Field::UserAgent),
    ("sdk", Field::Sdk),
    ("timeout", Field::Timeout(TimeUnit::Seconds)),
    ("timeout_ms", Field::Timeout(TimeUnit::Milliseconds)),
    ("timeoutMs", Field::Timeout(TimeUnit::Milliseconds)),
    ("connect_timeout", Field::ConnectTimeout(TimeUnit::Seconds)),
    ("connectTimeout", Field::ConnectTimeout(TimeUnit::Seconds)),
    (
        "connect_timeout_ms",
        Field::ConnectTimeout(TimeUnit::Milliseconds),
    ),
    (
        "connectTimeoutMs",
        Field::ConnectTimeout(TimeUnit::Milliseconds),
    ),
    ("max_retries", Field::MaxRetries),
    ("maxRetries", Field::MaxRetries),
    ("ca_bundle", Field::CaBundle),
    ("caBundle", Field::CaBundle),
    ("proxy", Field::Proxy),
    ("retry_budget", Field::RetryBudget),
    ("retryBudget", Field::RetryBudget),
    ("log_level", Field::LogLevel),
    ("logLevel", Field::LogLevel),
    ("log_fd", Field::LogFd),
    ("logFd", Field::LogFd),
    ("default_headers", Field::DefaultHeaders),
    ("defaultHeaders", Field::DefaultHeaders),
    ("headers", Field::Headers),
    ("extra_headers", Field::Headers),
    ("extraHeaders", Field::Headers),
    ("retry_non_idempotent", Field::RetryNonIdempotent),
    ("retryNonIdempotent", Field::RetryNonIdempotent),
    ("query", Field::Query),
    ("params", Field::Query),
    ("json", Field::Json),
    ("page_size", Field::PageSize),
    ("pageSize", Field::PageSize),
    ("page_number", Field::PageNumber),
    ("pageNumber", Field::PageNumber),
    ("status", Field::Status),
];

/// The accepted spelling closest to a mistyped `name` in this scope, if one is close: case
/// and underscores aside, at most a third of its letters off. Among equally close ones, the
/// one written in the caller's style (snake_case or camelCase).
fn closest(name: &str, scope: Scope) -> Option<&'static str> {
    let plain = |text: &str| text.replace('_', "").to_ascii_lowercase();
    let typed = plain(name);
    let snake = name.contains('_');
    NAMES
        .iter()
        .filter(|(_, field)| field.allowed_in(scope))
        .map(|(spelling, _)| {
            let distance = strsim::damerau_levenshtein(&typed, &plain(spelling));
            (distance, spelling.contains('_') != snake, *spelling)
        })
        .filter(|(distance, _, _)| *distance <= typed.len().div_ceil(3))
        .min()
        .map(|(_, _, spelling)| spelling)
}

/// Which options a call takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Client,
    Request,
    /// A call of a typed resource method (`projects.get`): timeout and retries only.
    Call,
    List,
}

/// One option, whatever its spelling.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    ApiKey,
    ApiKeyFile,
    BaseUrl,
    UserAgent,
    Sdk,
    Timeout(TimeUnit),
    ConnectTimeout(TimeUnit),
    MaxRetries,
    CaBundle,
    Proxy,
    DefaultHeaders,
    Headers,
    RetryNonIdempotent,
    Query,
    Json,
    PageSize,
    PageNumber,
    Status,
    LogLevel,
    LogFd,
    RetryBudget,
}

impl Field {
    fn parse(name: &str) -> Option<Field> {
        NAMES
            .iter()
            .find(|(spelling, _)| *spelling == name)
            .map(|(_, field)| *field)
    }

    fn allowed_in(self, scope: Scope) -> bool {
        match self {
            Field::Timeout(_) | Field::MaxRetries => true,
            Field::Headers => scope != Scope::Client,
            Field::ApiKey
            | Field::ApiKeyFile
            | Field::BaseUrl
            | Field::UserAgent
            | Field::Sdk
            | Field::CaBundle
            | Field::Proxy
            | Field::DefaultHeaders
            | Field::LogLevel
            | Field::LogFd
            | Field::RetryBudget
            | Field::ConnectTimeout(_) => scope == Scope::Client,
            Field::RetryNonIdempotent | Field::Json => scope == Scope::Request,
            Field::Query => matches!(scope, Scope::Request | Scope::List),
            Field::PageSize | Field::PageNumber | Field::Status => scope == Scope::List,
        }
    }

    /// Two spellings of one setting (`timeout` and `timeout_ms`) count as one.
    fn setting(self) -> Field {
        match self {
            Field::Timeout(_) => Field::Timeout(TimeUnit::Seconds),
            Field::ConnectTimeout(_) => Field::ConnectTimeout(TimeUnit::Seconds),
            other => other,
        }
    }
}

/// The names `scope` takes, in the caller's style: camelCase when the unknown name was
/// camelCase (`apiKee` from JavaScript), else snake_case.
fn expected_in_style(scope: Scope, unknown: &str) -> String {
    let list = expected(scope);
    if unknown.contains('_') || !unknown.chars().any(|c| c.is_ascii_uppercase()) {
        return list.to_owned();
    }
    let mut camel = String::with_capacity(list.len());
    let mut upper_next = false;
    for c in list.chars() {
        match c {
            '_' => upper_next = true,
            c if upper_next => {
                camel.push(c.to_ascii_uppercase());
                upper_next = false;
            }
            c => camel.push(c),
        }
    }
    camel
}

fn expected(scope: Scope) -> &'static str {
    match scope {
        Scope::Client => {
            "api_key, api_key_file, base_url, user_agent, timeout (s) or timeout_ms, \
             connect_timeout (s) or connect_timeout_ms, max_retries, retry_budget, ca_bundle, proxy, \
             default_headers, log_level, log_fd"
        }
        Scope::Request => {
            "query, json, timeout (s) or timeout_ms, max_retries, retry_non_idempotent, headers"
        }
        Scope::Call => "timeout (s) or timeout_ms, max_retries, headers",
        Scope::List => {
            "page_size, page_number, status, params, timeout (s) or timeout_ms, max_retries, headers"
        }
    }
}

/// Walks the set options of `options` (nulls skipped), checking names and duplicates.
fn each_option(
    options: Map<String, Value>,
    scope: Scope,
    mut apply: impl FnMut(Field, &str, Value) -> Result<()>,
) -> Result<()> {
    let mut seen: Vec<(Field, String)> = Vec::new();
    for (name, value) in options {
        if value.is_null() {
            continue;
        }
        let field = Field::parse(&name)
            .filter(|f| f.allowed_in(scope))
            .ok_or_else(|| {
                let hint = closest(&name, scope)
                    .map(|spelling| format!("did you mean {spelling:?}? "))
                    .unwrap_or_default();
                configuration(format!(
                    "unknown option {name:?} ({hint}expected one of: {})",
                    expected_in_style(scope, &name)
                ))
            })?;
        if let Some((_, first)) = seen.iter().find(|(f, _)| *f == field.setting()) {
            return Err(configuration(format!(
                "{first} and {name} set the same option: give one"
            )));
        }
        seen.push((field.setting(), name.clone()));
        apply(field, &name, value)?;
    }
    Ok(())
}

fn number(name: &str, value: &Value, what: &str) -> Result<f64> {
    value
        .as_f64()
        .ok_or_else(|| configuration(format!("{name} must be {what}, not {}", shown(value))))
}

fn text(name: &str, value: Value) -> Result<String> {
    match value {
        Value::String(text) => Ok(text),
        other => Err(configuration(format!(
            "{name} must be a string, not {}",
            shown(&other)
        ))),
    }
}

fn flag(name: &str, value: &Value) -> Result<bool> {
    value.as_bool().ok_or_else(|| {
        configuration(format!(
            "{name} must be true or false, not {}",
            shown(value)
        ))
    })
}

fn timeout_option(name: &str, value: &Value, unit: TimeUnit) -> Result<Duration> {
    let what = format!("a positive number of {}", unit.name());
    timeout_number(name, number(name, value, &what)?, unit)
}

fn retries_option(name: &str, value: &Value) -> Result<u32> {
    let what = format!("a whole number from 0 to {MAX_RETRIES_LIMIT}");
    retries(name, number(name, value, &what)?)
}

impl ClientBuilder {
    /// Applies client options given as a JSON object (see the [module](crate::options)
    /// docs): `api_key`, `api_key_file`, `base_url`, `user_agent` (the application's, after
    /// the SDK's), `sdk` (a binding's own product token), `timeout` (seconds) or
    /// `timeout_ms`, `connect_timeout` or `connect_timeout_ms`, `max_retries`, `retry_budget`
    /// (tokens), `ca_bundle` (a
    /// PEM file path, or a list of them), `proxy` (a URL), `default_headers` (an object),
    /// `log_level` (`off`, `error`, `warn`, `info`, `debug`, `trace`), `log_fd` (Unix: JSON
    /// lines to this file descriptor).
    pub fn options(mut self, options: Map<String, Value>) -> Result<Self> {
        each_option(options, Scope::Client, |field, name, value| {
            self = match field {
                Field::ApiKey => {
                    // Moved, not copied: the only copy left is the one the key type zeroizes.
                    std::mem::take(&mut self).api_key(text(name, value)?)
                }
                Field::ApiKeyFile => std::mem::take(&mut self).api_key_file(text(name, value)?),
                Field::BaseUrl => std::mem::take(&mut self).base_url(text(name, value)?),
                Field::UserAgent => std::mem::take(&mut self).user_agent(text(name, value)?),
                Field::Sdk => std::mem::take(&mut self).sdk(text(name, value)?),
                Field::Timeout(unit) => {
                    std::mem::take(&mut self).timeout(timeout_option(name, &value, unit)?)
                }
                Field::ConnectTimeout(unit) => {
                    std::mem::take(&mut self).connect_timeout(timeout_option(name, &value, unit)?)
                }
                Field::MaxRetries => {
                    std::mem::take(&mut self).max_retries(retries_option(name, &value)?)
                }
                Field::Proxy => std::mem::take(&mut self).proxy(text(name, value)?),
                Field::RetryBudget => {
                    let tokens = number(name, &value, &retry_budget_range())?;
                    std::mem::take(&mut self).retry_budget(retry_budget(name, tokens)?)
                }
                Field::LogLevel => {
                    let level = crate::log::LogLevel::parse(name, &text(name, value)?)?;
                    std::mem::take(&mut self).log_level(level)
                }
                Field::LogFd => {
                    let what = "an open file descriptor (a whole number from 0)";
                    let fd = number(name, &value, what)?;
                    if fd.fract() != 0.0 || !(0.0..=f64::from(i32::MAX)).contains(&fd) {
                        return Err(configuration(format!("{name} must be {what}, not {fd}")));
                    }
                    std::mem::take(&mut self).log_fd(fd as i32)
                }
                Field::DefaultHeaders => {
                    let mut builder = std::mem::take(&mut self);
                    for (header, value) in header_pairs(name, value)? {
                        builder = builder.default_header(header, value);
                    }
                    builder
                }
                // One path, or a list of them (each adds its certificates).
                Field::CaBundle => match value {
                    Value::Array(paths) => {
                        let mut builder = std::mem::take(&mut self);
                        for path in paths {
                            builder = builder.ca_bundle(text(name, path)?);
                        }
                        builder
                    }
                    path => std::mem::take(&mut self).ca_bundle(text(name, path)?),
                },
                _ => unreachable!("filtered by scope"),
            };
            Ok(())
        })?;
        Ok(self)
    }
}

impl RequestOptions {
    /// Per-call options from a JSON object: `query` (or `params`), `json`, `timeout` (seconds)
    /// or `timeout_ms`, `max_retries`, `retry_non_idempotent`.
    pub fn from_options(options: Map<String, Value>) -> Result<Self> {
        Self::parse(options, Scope::Request)
    }

    /// Options of a typed call such as `projects().get_with`: `timeout` (seconds) or
    /// `timeout_ms`, `max_retries`.
    pub fn from_call_options(options: Map<String, Value>) -> Result<Self> {
        Self::parse(options, Scope::Call)
    }

    fn parse(options: Map<String, Value>, scope: Scope) -> Result<Self> {
        let mut request = RequestOptions::new();
        each_option(options, scope, |field, name, value| {
            request.apply(field, name, value)
        })?;
        Ok(request)
    }

    fn apply(&mut self, field: Field, name: &str, value: Value) -> Result<()> {
        match field {
            Field::Timeout(unit) => self.timeout = Some(timeout_option(name, &value, unit)?),
            Field::MaxRetries => self.max_retries = Some(retries_option(name, &value)?),
            Field::RetryNonIdempotent => self.retry_non_idempotent = flag(name, &value)?,
            Field::Query => self.query.extend(query_pairs(name, &value)?),
            Field::Json => self.json = Some(value),
            Field::Headers => self.headers.extend(header_pairs(name, value)?),
            _ => unreachable!("filtered by scope"),
        }
        Ok(())
    }
}

impl ListParams {
    /// List parameters from a JSON object: `page_size`, `page_number`, `status`, `params` (or
    /// `query`), `timeout` (seconds) or `timeout_ms`, `max_retries`.
    pub fn from_options(options: Map<String, Value>) -> Result<Self> {
        let mut params = ListParams::new();
        each_option(options, Scope::List, |field, name, value| {
            let index =
                |value: &Value| page_index(name, number(name, value, "a whole number from 1")?);
            match field {
                Field::PageSize => params.page_size = Some(index(&value)?),
                Field::PageNumber => params.page_number = Some(index(&value)?),
                Field::Status => params.status = Some(text(name, value)?.as_str().into()),
                Field::Query => params.extra.extend(query_pairs(name, &value)?),
                other => params.options.apply(other, name, value)?,
            }
            Ok(())
        })?;
        Ok(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn message(result: Result<impl std::fmt::Debug>) -> String {
        let error = result.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Configuration);
        error.message().to_owned()
    }

    #[test]
    fn timeouts_must_be_positive_and_finite_in_either_unit() {
        let ok = RequestOptions::from_options(map(json!({"timeout_ms": 1500}))).unwrap();
        assert_eq!(ok.timeout, Some(Duration::from_millis(1500)));
        let ok = RequestOptions::from_options(map(json!({"timeout": 0.25}))).unwrap();
        assert_eq!(ok.timeout, Some(Duration::from_millis(250)));
        assert_eq!(
            message(RequestOptions::from_options(map(json!({"timeoutMs": 0})))),
            "timeoutMs must be a positive number of milliseconds, not 0"
        );
        assert_eq!(
            message(RequestOptions::from_options(map(json!({"timeout": -1})))),
            "timeout must be a positive number of seconds, not -1"
        );
        assert_eq!(
            message(RequestOptions::from_options(map(json!({"timeout": "5"})))),
            "timeout must be a positive number of seconds, not \"5\""
        );
        assert!(timeout_number("t", f64::NAN, TimeUnit::Seconds).is_err());
        assert!(timeout_number("t", f64::INFINITY, TimeUnit::Seconds).is_err());
        assert_eq!(
            message(RequestOptions::from_options(map(
                json!({"timeout": 1, "timeout_ms": 1000})
            ))),
            "timeout and timeout_ms set the same option: give one"
        );
    }

    #[test]
    fn retries_and_pages_are_whole_numbers_in_range() {
        for bad in [json!(-1), json!(1.5), json!(101), json!(true)] {
            let options = map(json!({ "max_retries": bad }));
            assert!(
                message(RequestOptions::from_options(options))
                    .starts_with("max_retries must be a whole number from 0 to 100")
            );
        }
        let list = ListParams::from_options(map(
            json!({"pageSize": 5, "page_number": 2, "maxRetries": 0}),
        ))
        .unwrap();
        assert_eq!((list.page_size, list.page_number), (Some(5), Some(2)));
        assert_eq!(list.options.max_retries, Some(0));
        assert_eq!(
            message(ListParams::from_options(map(json!({"page_size": 0})))),
            "page_size must be a whole number from 1, not 0"
        );
    }

    #[test]
    fn unknown_or_misplaced_names_are_refused_and_nulls_are_unset() {
        assert!(
            message(RequestOptions::from_options(map(
                json!({"timeout_msec": 1})
            )))
            .starts_with("unknown option \"timeout_msec\"")
        );
        assert!(
            message(RequestOptions::from_options(map(json!({"page_size": 1}))))
                .starts_with("unknown option")
        );
        assert!(
            message(ClientBuilder::default().options(map(json!({"json": {}}))))
                .starts_with("unknown option")
        );
        // The closest spelling is suggested, in the caller's style; nothing when none is close.
        let suggested = |options: Value| message(ClientBuilder::default().options(map(options)));
        assert!(suggested(json!({"timeoutMS": 1})).contains("did you mean \"timeoutMs\"?"));
        assert!(suggested(json!({"max_retry": 1})).contains("did you mean \"max_retries\"?"));
        assert!(suggested(json!({"caBundel": "x"})).contains("did you mean \"caBundle\"?"));
        assert!(suggested(json!({"apikey": "k"})).contains("did you mean \"apiKey\"?"));
        assert!(!suggested(json!({"color": "blue"})).contains("did you mean"));
        // Only names valid where they are given: a list option is not suggested to a client.
        assert!(!suggested(json!({"page_sise": 1})).contains("did you mean"));
        // The list of valid names is in the caller's style too, and every name in it is valid.
        assert!(suggested(json!({"apiKee": "k"})).contains("expected one of: apiKey, apiKeyFile,"));
        assert!(
            suggested(json!({"api_kee": "k"})).contains("expected one of: api_key, api_key_file,")
        );
        for scope in [Scope::Client, Scope::Request, Scope::Call, Scope::List] {
            for style in ["someName", "some_name"] {
                for name in expected_in_style(scope, style).split(", ") {
                    for spelling in name.split(" or ") {
                        let spelling = spelling.trim_end_matches(" (s)");
                        assert!(
                            Field::parse(spelling).is_some_and(|f| f.allowed_in(scope)),
                            "{spelling} is listed but not accepted"
                        );
                    }
                }
            }
        }
        let none =
            RequestOptions::from_options(map(json!({"timeout": null, "query": null}))).unwrap();
        assert!(none.timeout.is_none() && none.query.is_empty());
    }

    #[test]
    fn query_values_have_one_encoding() {
        let pairs = query_pairs(
            "query",
            &json!({"b": true, "a": 1.5, "n": 10, "list": ["x", 2, null], "skip": null, "u": "é ü"}),
        )
        .unwrap();
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("b", "true"),
                ("a", "1.5"),
                ("n", "10"),
                ("list", "x"),
                ("list", "2"),
                ("u", "é ü")
            ]
        );
        assert!(query_pairs("query", &json!({"o": {"x": 1}})).is_err());
        assert!(query_pairs("query", &json!({"o": [[1]]})).is_err());
        assert!(query_pairs("query", &json!([1])).is_err());
    }

    #[test]
    fn client_options_build_a_client() {
        let builder = ClientBuilder::default()
            .options(map(json!({"apiKey": "k", "base_url": "http://127.0.0.1:1/v3", "timeout_ms": 10, "connect_timeout": 2, "max_retries": 0})))
            .unwrap();
        let client = builder.build().unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:1/v3");
        assert!(
            message(ClientBuilder::default().options(map(json!({"api_key": 7}))))
                .contains("api_key must be a string, not 7")
        );
    }
}
