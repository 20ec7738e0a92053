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

/// Where an option is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Building a client.
    Client,
    /// A raw call (`request`): query, body, and the call options.
    Request,
    /// A call of a typed resource method (`projects.get`): timeout, retries, headers.
    Call,
    /// A list call (`projects.list`): the page parameters and the call options.
    List,
}

const ALL_CALLS: &[Scope] = &[Scope::Client, Scope::Request, Scope::Call, Scope::List];
const CLIENT: &[Scope] = &[Scope::Client];
const PER_CALL: &[Scope] = &[Scope::Request, Scope::Call, Scope::List];

/// What an option's value is, which decides its type in each language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionType {
    /// A string.
    Text,
    /// A secret string (never printed).
    Secret,
    /// A URL.
    Url,
    /// A file path.
    Path,
    /// One file path, or a list of them.
    Paths,
    /// A duration: seconds (`name`) or milliseconds (`name_ms`) in JSON, the language's own
    /// duration type where it has one.
    Duration,
    /// A retry count, 0 to [`MAX_RETRIES_LIMIT`].
    Retries,
    /// A number of retry-budget tokens, 0 to [`crate::validate::MAX_RETRY_BUDGET`].
    Tokens,
    /// A page size or number, from 1.
    PageIndex,
    /// `true` or `false`.
    Flag,
    /// An object of header names to string values.
    Headers,
    /// A list of header names (a string of comma-separated names too, as in the environment).
    HeaderNames,
    /// An object of query parameter names to values (a list repeats the name).
    Query,
    /// Any JSON value.
    Json,
    /// A log level name (see [`crate::log::LogLevel::NAMES`]).
    LogLevel,
    /// A project status (see [`crate::ProjectStatus::KNOWN`]); others are sent as given.
    Status,
    /// An open file descriptor.
    Fd,
}

/// An option's default when it is not given (after its environment variable, if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionDefault {
    /// None: not sent, or decided elsewhere (the server, the client's own setting).
    Unset,
    /// A duration.
    Duration(Duration),
    /// A whole number.
    Count(u32),
    /// A word or URL.
    Text(&'static str),
    /// `false`.
    Off,
}

/// One option of the contract every binding exposes: its name, type, default, limits and one
/// line of docs. `tools/codegen` renders each language's option docs, types and signatures
/// from [`OPTIONS`], and the JSON parser below accepts exactly these names.
#[derive(Debug)]
pub struct OptionSpec {
    /// The snake_case name (the JSON name; Python's keyword). camelCase is accepted too.
    pub name: &'static str,
    /// Other accepted names (`params` for `query`), each in snake_case.
    pub aliases: &'static [&'static str],
    /// The value's type.
    pub value: OptionType,
    /// Where the option is accepted.
    pub scopes: &'static [Scope],
    /// The default when neither the option nor its environment variable is set.
    pub default: OptionDefault,
    /// The environment variable read when the option is not given (a client reads the
    /// environment unless told not to).
    pub env: Option<&'static str>,
    /// False for options a binding sets itself (its product token, its log pipe).
    pub public: bool,
    doc: &'static str,
    field: Field,
}

impl OptionSpec {
    /// One line of docs, limits included, without the default (each language words that).
    pub fn doc(&self) -> String {
        self.doc
            .replace("{max_retries}", &MAX_RETRIES_LIMIT.to_string())
            .replace(
                "{max_budget}",
                &crate::validate::MAX_RETRY_BUDGET.to_string(),
            )
            .replace("{retry_cost}", &crate::retry::RETRY_COST.to_string())
            .replace(
                "{timeout_retry_cost}",
                &crate::retry::TIMEOUT_RETRY_COST.to_string(),
            )
            .replace(
                "{success_refill}",
                &crate::retry::SUCCESS_REFILL.to_string(),
            )
            .replace("{log_levels}", crate::log::LogLevel::NAMES)
    }

    /// What applies when the option is not given, in words: its environment variable, else its
    /// default (`OCUS_BASE_URL, else https://...`); `duration` writes a duration the way the
    /// reader's language does. `None` when neither exists.
    pub fn default_text(&self, duration: impl Fn(Duration) -> String) -> Option<String> {
        let value = match self.default {
            OptionDefault::Duration(d) => Some(duration(d)),
            other => other.words(),
        };
        match (self.env, value) {
            (Some(env), Some(value)) => Some(format!("{env}, else {value}")),
            (Some(env), None) => Some(env.to_owned()),
            (None, value) => value,
        }
    }

    /// Whether the option is accepted in `scope`.
    pub fn in_scope(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Every accepted spelling: snake_case and camelCase of the name and its aliases, and for
    /// a duration the `_ms` forms.
    fn spellings(&'static self) -> impl Iterator<Item = (String, Field)> {
        let mut names: Vec<(&str, TimeUnit)> = vec![(self.name, TimeUnit::Seconds)];
        names.extend(self.aliases.iter().map(|alias| (*alias, TimeUnit::Seconds)));
        let mut spellings = Vec::new();
        for (name, unit) in names {
            let mut forms = vec![(name.to_owned(), unit)];
            if self.value == OptionType::Duration {
                forms.push((format!("{name}_ms"), TimeUnit::Milliseconds));
            }
            for (form, unit) in forms {
                let field = self.field.with_unit(unit);
                let camel = camel_case(&form);
                if camel != form {
                    spellings.push((camel, field));
                }
                spellings.push((form, field));
            }
        }
        spellings.into_iter()
    }
}

/// `timeout_ms` -> `timeoutMs`.
pub fn camel_case(snake: &str) -> String {
    let mut camel = String::with_capacity(snake.len());
    let mut upper_next = false;
    for c in snake.chars() {
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

/// Every option, in the order docs list them. The client options' order is also the Kotlin
/// constructor's positional order: add new ones at the end of their scope's run, never between
/// released ones (tools/codegen's tests pin the released order).
pub static OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "api_key",
        aliases: &[],
        value: OptionType::Secret,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: Some(crate::config::ENV_API_KEY),
        public: true,
        doc: "The API key. It is checked before anything is sent, sent only to the base URL's origin, and never printed.",
        field: Field::ApiKey,
    },
    OptionSpec {
        name: "api_key_file",
        aliases: &[],
        value: OptionType::Path,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: Some(crate::config::ENV_API_KEY_FILE),
        public: true,
        doc: "A file holding the API key, read again once on 401 or 403 so a key rotates without a restart.",
        field: Field::ApiKeyFile,
    },
    OptionSpec {
        name: "base_url",
        aliases: &["baseURL"],
        value: OptionType::Url,
        scopes: CLIENT,
        default: OptionDefault::Text(crate::validate::DEFAULT_BASE_URL),
        env: Some(crate::config::ENV_BASE_URL),
        public: true,
        doc: "The API base URL: https://, or http:// to a loopback host only.",
        field: Field::BaseUrl,
    },
    OptionSpec {
        name: "timeout",
        aliases: &[],
        value: OptionType::Duration,
        scopes: ALL_CALLS,
        default: OptionDefault::Duration(crate::config::DEFAULT_TIMEOUT),
        env: None,
        public: true,
        doc: "The time allowed for each attempt, the response body included (each retry gets it again). Positive.",
        field: Field::Timeout(TimeUnit::Seconds),
    },
    OptionSpec {
        name: "connect_timeout",
        aliases: &[],
        value: OptionType::Duration,
        scopes: CLIENT,
        default: OptionDefault::Duration(crate::config::DEFAULT_CONNECT_TIMEOUT),
        env: None,
        public: true,
        doc: "The time allowed to open a connection. Positive.",
        field: Field::ConnectTimeout(TimeUnit::Seconds),
    },
    OptionSpec {
        name: "max_retries",
        aliases: &[],
        value: OptionType::Retries,
        scopes: ALL_CALLS,
        default: OptionDefault::Count(crate::config::DEFAULT_MAX_RETRIES),
        env: None,
        public: true,
        doc: "Retries after the first attempt (0 to {max_retries}) of a connection error, a timeout, 408, 429 or a 5xx, for idempotent methods.",
        field: Field::MaxRetries,
    },
    OptionSpec {
        name: "retry_budget",
        aliases: &[],
        value: OptionType::Tokens,
        scopes: CLIENT,
        default: OptionDefault::Count(crate::config::DEFAULT_RETRY_BUDGET),
        env: None,
        public: true,
        doc: "The client's retry budget in tokens (0 to {max_budget}): a retry takes {retry_cost} ({timeout_retry_cost} after a timeout), a call that succeeds at once gives {success_refill} back, and while it is empty a failing call fails at once instead of retrying. 0 turns retries off.",
        field: Field::RetryBudget,
    },
    OptionSpec {
        name: "ca_bundle",
        aliases: &[],
        value: OptionType::Paths,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: Some(crate::config::ENV_CA_BUNDLE),
        public: true,
        doc: "PEM file(s) of CA certificates trusted besides the system's (a private CA).",
        field: Field::CaBundle,
    },
    OptionSpec {
        name: "proxy",
        aliases: &[],
        value: OptionType::Url,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "An http(s) proxy URL, credentials in it if needed, used instead of HTTPS_PROXY / ALL_PROXY (NO_PROXY still applies). HTTPS goes through it in a CONNECT tunnel; the password is never printed.",
        field: Field::Proxy,
    },
    OptionSpec {
        name: "default_headers",
        aliases: &[],
        value: OptionType::Headers,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "Headers sent with every request (a tenant id). A User-Agent extends the SDK's; X-API-KEY, Host, Content-Length and the other headers the client sets cannot be set this way; CR or LF in a value is refused.",
        field: Field::DefaultHeaders,
    },
    OptionSpec {
        name: "user_agent",
        aliases: &[],
        value: OptionType::Text,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "Your application's product token (\"billing/2.1\"), sent in User-Agent after the SDK's own.",
        field: Field::UserAgent,
    },
    OptionSpec {
        name: "log_level",
        aliases: &[],
        value: OptionType::LogLevel,
        scopes: CLIENT,
        default: OptionDefault::Text("warn"),
        env: Some(crate::log::ENV_LOG),
        public: true,
        doc: "The least severe event the client logs: {log_levels} (off: none). Never the key, bodies or proxy credentials.",
        field: Field::LogLevel,
    },
    OptionSpec {
        name: "log_fd",
        aliases: &[],
        value: OptionType::Fd,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: None,
        public: false,
        doc: "Unix: a file descriptor the client writes its events to, one JSON line each (a binding's log pipe).",
        field: Field::LogFd,
    },
    OptionSpec {
        name: "sdk",
        aliases: &[],
        value: OptionType::Text,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: None,
        public: false,
        doc: "The binding's own product token (ocus-python/0.1.0), first in User-Agent.",
        field: Field::Sdk,
    },
    OptionSpec {
        name: "idle_timeout",
        aliases: &[],
        value: OptionType::Duration,
        scopes: CLIENT,
        default: OptionDefault::Duration(crate::config::IDLE_CONNECTION_TIMEOUT),
        env: None,
        public: true,
        doc: "How long an unused pooled connection stays open: it closes between this long and three times this after its last use. Positive.",
        field: Field::IdleTimeout(TimeUnit::Seconds),
    },
    OptionSpec {
        name: "capture_request_headers",
        aliases: &[],
        value: OptionType::HeaderNames,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: Some(crate::telemetry::ENV_CAPTURE_REQUEST_HEADERS),
        public: true,
        doc: "Request headers recorded on each traced attempt's span (OpenTelemetry's http.request.header.<name>), by name (any case, no patterns). None is recorded unless listed; x-api-key cannot be (from the environment, a name that cannot be recorded is skipped with a warning); an empty list records none.",
        field: Field::CaptureRequestHeaders,
    },
    OptionSpec {
        name: "capture_response_headers",
        aliases: &[],
        value: OptionType::HeaderNames,
        scopes: CLIENT,
        default: OptionDefault::Unset,
        env: Some(crate::telemetry::ENV_CAPTURE_RESPONSE_HEADERS),
        public: true,
        doc: "Response headers recorded on each traced attempt's span (http.response.header.<name>), by name, any case.",
        field: Field::CaptureResponseHeaders,
    },
    OptionSpec {
        name: "query",
        aliases: &["params"],
        value: OptionType::Query,
        scopes: &[Scope::Request, Scope::List],
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "Query parameters: a string as is, a boolean as true/false, a number as JSON writes it, a list as the name repeated, null left out; sent sorted by name.",
        field: Field::Query,
    },
    OptionSpec {
        name: "json",
        aliases: &[],
        value: OptionType::Json,
        scopes: &[Scope::Request],
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "The request body, sent as JSON.",
        field: Field::Json,
    },
    OptionSpec {
        name: "retry_non_idempotent",
        aliases: &[],
        value: OptionType::Flag,
        scopes: &[Scope::Request],
        default: OptionDefault::Off,
        env: None,
        public: true,
        doc: "Retry a non-idempotent method (POST, PATCH) too. Off because the server might act twice.",
        field: Field::RetryNonIdempotent,
    },
    OptionSpec {
        name: "headers",
        aliases: &["extra_headers"],
        value: OptionType::Headers,
        scopes: PER_CALL,
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "Headers for this call (traceparent), after the client's default headers, under the same rules.",
        field: Field::Headers,
    },
    OptionSpec {
        name: "page_size",
        aliases: &[],
        value: OptionType::PageIndex,
        scopes: &[Scope::List],
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "Projects per page (from 1); the server's default when not given.",
        field: Field::PageSize,
    },
    OptionSpec {
        name: "page_number",
        aliases: &[],
        value: OptionType::PageIndex,
        scopes: &[Scope::List],
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "The page to fetch (from 1); where listing every page starts.",
        field: Field::PageNumber,
    },
    OptionSpec {
        name: "status",
        aliases: &[],
        value: OptionType::Status,
        scopes: &[Scope::List],
        default: OptionDefault::Unset,
        env: None,
        public: true,
        doc: "Only projects with this status (filter[status]); a status this version does not know is sent as given.",
        field: Field::Status,
    },
];

/// The public options of `scope`, in the order every language lists them: a client's in the
/// table's order; a call's own options first, then those shared with other calls.
pub fn options_in(scope: Scope) -> Vec<&'static OptionSpec> {
    let mut specs: Vec<&'static OptionSpec> = OPTIONS
        .iter()
        .filter(|spec| spec.public && spec.in_scope(scope))
        .collect();
    if scope != Scope::Client {
        specs.sort_by_key(|spec| spec.scopes.len());
    }
    specs
}

impl OptionDefault {
    /// The default in words no language owns (`60 s`, `2`, `false`); `None` when unset.
    pub fn words(self) -> Option<String> {
        match self {
            OptionDefault::Unset => None,
            OptionDefault::Duration(duration) => Some(format!("{} s", duration.as_secs_f64())),
            OptionDefault::Count(count) => Some(count.to_string()),
            OptionDefault::Text(text) => Some(text.to_owned()),
            OptionDefault::Off => Some("false".to_owned()),
        }
    }
}

/// The option named `name` (its snake_case name).
pub fn option(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|spec| spec.name == name)
}

/// Every accepted spelling, made once.
fn spellings() -> &'static [(String, Field)] {
    static SPELLINGS: std::sync::LazyLock<Vec<(String, Field)>> =
        std::sync::LazyLock::new(|| OPTIONS.iter().flat_map(OptionSpec::spellings).collect());
    &SPELLINGS
}

/// The accepted spelling closest to a mistyped `name` in this scope, if one is close: case
/// and underscores aside, at most a third of its letters off. Among equally close ones, the
/// one written in the caller's style (snake_case or camelCase).
fn closest(name: &str, scope: Scope) -> Option<&'static str> {
    let plain = |text: &str| text.replace('_', "").to_ascii_lowercase();
    let typed = plain(name);
    let snake = name.contains('_');
    spellings()
        .iter()
        .filter(|(_, field)| field.allowed_in(scope))
        .map(|(spelling, _)| {
            let distance = strsim::damerau_levenshtein(&typed, &plain(spelling));
            (distance, spelling.contains('_') != snake, spelling.as_str())
        })
        .filter(|(distance, _, _)| *distance <= typed.len().div_ceil(3))
        .min()
        .map(|(_, _, spelling)| spelling)
}

/// One option, whatever its spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ApiKey,
    ApiKeyFile,
    BaseUrl,
    UserAgent,
    Sdk,
    Timeout(TimeUnit),
    ConnectTimeout(TimeUnit),
    IdleTimeout(TimeUnit),
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
    CaptureRequestHeaders,
    CaptureResponseHeaders,
}

impl Field {
    fn parse(name: &str) -> Option<Field> {
        spellings()
            .iter()
            .find(|(spelling, _)| spelling == name)
            .map(|(_, field)| *field)
    }

    fn spec(self) -> &'static OptionSpec {
        let setting = self.setting();
        OPTIONS
            .iter()
            .find(|spec| spec.field == setting)
            .expect("every field is in OPTIONS")
    }

    fn allowed_in(self, scope: Scope) -> bool {
        self.spec().in_scope(scope)
    }

    fn with_unit(self, unit: TimeUnit) -> Field {
        match self {
            Field::Timeout(_) => Field::Timeout(unit),
            Field::ConnectTimeout(_) => Field::ConnectTimeout(unit),
            Field::IdleTimeout(_) => Field::IdleTimeout(unit),
            other => other,
        }
    }

    /// The unit a duration's spelling counts in; `None` for the other options.
    fn unit(self) -> Option<TimeUnit> {
        match self {
            Field::Timeout(unit) | Field::ConnectTimeout(unit) | Field::IdleTimeout(unit) => {
                Some(unit)
            }
            _ => None,
        }
    }

    /// Two spellings of one setting (`timeout` and `timeout_ms`) count as one.
    fn setting(self) -> Field {
        self.with_unit(TimeUnit::Seconds)
    }
}

/// The names `scope` takes, in the caller's style: camelCase when the unknown name was
/// camelCase (`apiKee` from JavaScript), else snake_case.
fn expected_in_style(scope: Scope, unknown: &str) -> String {
    let camel = !unknown.contains('_') && unknown.chars().any(|c| c.is_ascii_uppercase());
    let styled = |name: &str| {
        if camel {
            camel_case(name)
        } else {
            name.to_owned()
        }
    };
    options_in(scope)
        .into_iter()
        .map(|spec| match spec.value {
            OptionType::Duration => format!(
                "{} (s) or {}",
                styled(spec.name),
                styled(&format!("{}_ms", spec.name))
            ),
            _ => styled(spec.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses a duration given in seconds (`timeout`, `connectTimeout`), for bindings whose users
/// count time in milliseconds (JavaScript): `timeout: 30000` would otherwise mean 30,000
/// seconds. The `...Ms` spellings pass; every other name is left to the parser.
pub fn milliseconds_only(options: &Map<String, Value>) -> Result<()> {
    for (name, value) in options {
        if value.is_null() {
            continue; // not set, as everywhere
        }
        if let Some(field) = Field::parse(name)
            && field.unit() == Some(TimeUnit::Seconds)
        {
            return Err(configuration(format!(
                "{name} would be in seconds: give {} (milliseconds)",
                camel_case(&format!("{}_ms", field.spec().name))
            )));
        }
    }
    Ok(())
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

/// Header names: a list of strings, or one string of comma-separated names.
fn names(name: &str, value: Value) -> Result<Vec<String>> {
    match value {
        Value::Array(items) => items.into_iter().map(|item| text(name, item)).collect(),
        Value::String(listed) => Ok(listed.split(',').map(str::to_owned).collect()),
        other => Err(configuration(format!(
            "{name} must be a list of header names, not {}",
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
    /// Applies client options given as a JSON object: the [`OPTIONS`] of [`Scope::Client`]
    /// (see the [module](crate::options) docs for names and `null`).
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
                Field::IdleTimeout(unit) => {
                    std::mem::take(&mut self).idle_timeout(timeout_option(name, &value, unit)?)
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
                Field::CaptureRequestHeaders => {
                    std::mem::take(&mut self).capture_request_headers(names(name, value)?)
                }
                Field::CaptureResponseHeaders => {
                    std::mem::take(&mut self).capture_response_headers(names(name, value)?)
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
    /// Per-call options of a raw request from a JSON object: the [`OPTIONS`] of
    /// [`Scope::Request`].
    pub fn from_options(options: Map<String, Value>) -> Result<Self> {
        Self::parse(options, Scope::Request)
    }

    /// Options of a typed call such as `projects().get_with`: the [`OPTIONS`] of
    /// [`Scope::Call`].
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
    /// List parameters from a JSON object: the [`OPTIONS`] of [`Scope::List`].
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
    fn the_table_names_each_setting_once_and_every_spelling_parses_to_it() {
        for (i, spec) in OPTIONS.iter().enumerate() {
            assert!(
                OPTIONS[..i].iter().all(|other| other.field != spec.field),
                "{} twice",
                spec.name
            );
            assert_eq!(spec.field, spec.field.setting(), "{}", spec.name);
            for (spelling, field) in spec.spellings() {
                assert_eq!(Field::parse(&spelling), Some(field), "{spelling}");
                assert_eq!(field.spec().name, spec.name, "{spelling}");
            }
            assert!(
                !spec.doc().contains('{'),
                "{}: a placeholder left",
                spec.name
            );
        }
        assert_eq!(
            Field::parse("timeoutMs"),
            Some(Field::Timeout(TimeUnit::Milliseconds))
        );
        assert_eq!(Field::parse("baseURL"), Some(Field::BaseUrl));
        assert_eq!(Field::parse("extraHeaders"), Some(Field::Headers));
        assert_eq!(
            option("max_retries").map(|s| s.default),
            Some(OptionDefault::Count(2))
        );
    }

    #[test]
    fn javascript_durations_are_milliseconds_only() {
        let refused = |options: Value| {
            let error = milliseconds_only(&map(options)).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Configuration);
            error.message().to_owned()
        };
        assert_eq!(
            refused(json!({"timeout": 30000})),
            "timeout would be in seconds: give timeoutMs (milliseconds)"
        );
        assert_eq!(
            refused(json!({"connectTimeout": 5})),
            "connectTimeout would be in seconds: give connectTimeoutMs (milliseconds)"
        );
        assert!(milliseconds_only(&map(json!({"timeoutMs": 1, "maxRetries": 2, "x": 1}))).is_ok());
        // `{ timeout: undefined }` arrives as null: not set, so not refused.
        assert!(milliseconds_only(&map(json!({"timeout": null}))).is_ok());
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
