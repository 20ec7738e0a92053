//! Plays every case of `tests/scenarios/` against the emulator through the public Rust API.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use libtest_mimic::{Arguments, Failed, Trial};
use ocus::{Client, ListParams, RequestOptions};
use serde_json::{Value, json};

struct Context {
    emulator: support::Emulator,
    /// `${name}` placeholders of the cases: the emulator's TLS URLs and CA file.
    placeholders: Vec<(String, String)>,
    admin: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

fn main() {
    let mut args = Arguments::from_args();
    // The cases share one emulator, reset before each: they run one at a time.
    args.test_threads = Some(1);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios exists")
        .map(|e| e.expect("readable dir").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "expected at least 40 scenario files");
    let emulator = support::Emulator::start();
    let placeholders = emulator.placeholders();
    let context = Arc::new(Context {
        emulator,
        placeholders,
        admin: reqwest::Client::new(),
        runtime: tokio::runtime::Runtime::new().expect("runtime"),
    });
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let context = context.clone();
            Trial::test(format!("scenario::{name}"), move || {
                let case: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
                context.runtime.block_on(run_case(&context, &case))
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(context);
    conclusion.exit();
}

async fn admin(
    context: &Context,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, Failed> {
    let mut request = context
        .admin
        .request(method, format!("{}{path}", context.emulator.admin_url));
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("admin {path}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!(
            "admin {path}: {}",
            response.text().await.unwrap_or_default()
        )
        .into());
    }
    Ok(response
        .json()
        .await
        .map_err(|e| format!("admin {path}: {e}"))?)
}

async fn run_case(context: &Context, case: &Value) -> Result<(), Failed> {
    admin(
        context,
        reqwest::Method::POST,
        "/__admin/reset",
        Some(&json!({ "keys": case["keys"] })),
    )
    .await?;
    let key_dir = std::env::temp_dir().join(format!(
        "ocus-scenario-{}-{}",
        std::process::id(),
        case["name"].as_str().unwrap_or("case")
    ));
    std::fs::create_dir_all(&key_dir)?;
    let key_file = key_dir.join("api_key");
    let result = run_steps(context, case, &key_file).await;
    let _ = std::fs::remove_dir_all(&key_dir);
    result
}

async fn run_steps(context: &Context, case: &Value, key_file: &Path) -> Result<(), Failed> {
    let mut client: Option<Client> = None;
    let steps = case["steps"].as_array().ok_or("steps must be a list")?;
    for (index, step) in steps.iter().enumerate() {
        let op = step["op"].as_str().ok_or("op must be text")?;
        let at = |message: String| Failed::from(format!("step {index} ({op}): {message}"));
        match op {
            "faults" => {
                admin(
                    context,
                    reqwest::Method::POST,
                    "/__admin/faults",
                    Some(&step["faults"]),
                )
                .await?;
            }
            "set_keys" => {
                admin(
                    context,
                    reqwest::Method::POST,
                    "/__admin/keys",
                    Some(&json!({ "keys": step["keys"] })),
                )
                .await?;
            }
            "write_key_file" => {
                std::fs::write(key_file, step["args"]["content"].as_str().unwrap_or(""))?;
            }
            "check_requests" => {
                let log = admin(context, reqwest::Method::GET, "/__admin/requests", None).await?;
                let actual = normalise_requests(&log);
                matches(&step["expect"], &actual, "requests").map_err(at)?;
            }
            "new_client" => match build_client(context, step, key_file) {
                Ok(built) => {
                    check_outcome(step.get("expect"), Ok(Value::Null), Duration::ZERO)
                        .map_err(at)?;
                    client = Some(built);
                }
                Err(error) => {
                    check_outcome(step.get("expect"), Err(error), Duration::ZERO).map_err(at)?
                }
            },
            _ => {
                let started = Instant::now();
                let mut response = None;
                let outcome = call(client.as_ref(), op, step, &mut response).await;
                check_outcome(step.get("expect"), outcome, started.elapsed()).map_err(at)?;
                if let Some(wanted) = step["expect"].get("response") {
                    let actual = response.ok_or_else(|| at("no response to check".into()))?;
                    matches(wanted, &actual, "response").map_err(at)?;
                }
            }
        }
    }
    Ok(())
}

/// `text` with every `${name}` placeholder replaced.
fn substitute(context: &Context, key_file: &Path, text: &str) -> String {
    let mut text = text.replace("${key_file}", &key_file.display().to_string());
    for (name, value) in &context.placeholders {
        text = text.replace(&format!("${{{name}}}"), value);
    }
    text
}

fn build_client(context: &Context, step: &Value, key_file: &Path) -> Result<Client, ocus::Error> {
    let mut options = step["options"].as_object().cloned().unwrap_or_default();
    for value in options.values_mut() {
        if let Value::String(text) = value {
            *text = substitute(context, key_file, text);
            assert!(
                !text.contains("${"),
                "unknown placeholder in {text:?}: the proxy ones need scripts/with-proxy (make test uses it)"
            );
        }
    }
    options
        .entry("base_url")
        .or_insert_with(|| json!(context.emulator.base_url));
    if options.get("api_key_file") == Some(&json!(true)) {
        options.insert("api_key_file".into(), json!(key_file));
    }
    // `env`: variables set while the client is built (the TLS verifier reads SSL_CERT_FILE
    // then), and restored after.
    let env = step["env"].as_object().cloned().unwrap_or_default();
    let saved: Vec<(String, Option<String>)> = env
        .keys()
        .map(|name| (name.clone(), std::env::var(name).ok()))
        .collect();
    let set = |name: &str, value: Option<&str>| match value {
        // SAFETY: the cases run one at a time (test_threads = 1) and nothing else in this
        // process reads the environment while a client is built.
        Some(value) => unsafe { std::env::set_var(name, value) },
        None => unsafe { std::env::remove_var(name) },
    };
    for (name, value) in &env {
        let value = value.as_str().map(|v| substitute(context, key_file, v));
        assert!(
            !value.as_deref().unwrap_or("").contains("${"),
            "unknown placeholder in env {name}: {value:?}"
        );
        set(name, value.as_deref());
    }
    let built = Client::builder().options(options).and_then(|b| b.build());
    for (name, value) in &saved {
        set(name, value.as_deref());
    }
    built
}

/// The step's per-call `options`, plus `extra` (its list or request arguments).
fn merged(step: &Value, extra: &[&str]) -> serde_json::Map<String, Value> {
    let mut options = step["options"].as_object().cloned().unwrap_or_default();
    for name in extra {
        if let Some(value) = step["args"].get(*name) {
            options.insert((*name).to_owned(), value.clone());
        }
    }
    options
}

fn request_options(step: &Value) -> Result<RequestOptions, ocus::Error> {
    RequestOptions::from_options(merged(step, &["query", "json"]))
}

fn list_params(step: &Value) -> Result<ListParams, ocus::Error> {
    ListParams::from_options(merged(
        step,
        &["page_size", "page_number", "status", "params"],
    ))
}

/// The normalised response of a successful call (see tests/scenarios/README.md).
fn normalise_response(response: Option<&ocus::ResponseInfo>) -> Option<Value> {
    let response = response?;
    let view = serde_json::to_value(response.view()).expect("a view serialises");
    let url = url::Url::parse(&response.url).expect("the response URL parses");
    let path = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    Some(json!({
        "status": response.status,
        "request_id": response.request_id.is_some(),
        "path": path,
        "attempts": response.attempts,
        "headers": view["headers"],
    }))
}

async fn call(
    client: Option<&Client>,
    op: &str,
    step: &Value,
    response: &mut Option<Value>,
) -> Result<Value, ocus::Error> {
    let args = &step["args"];
    if op == "webhooks.verify" {
        let event = ocus::webhooks::verify(
            args["body"].as_str().unwrap_or("").as_bytes(),
            args["signature"].as_str().unwrap_or(""),
            args["secret"].as_str().unwrap_or("").as_bytes(),
        )?;
        return Ok(json!({
            "id": event.id,
            "type": event.resource_type,
            "organization_id": event.organization_id(),
            "project_id": event.project_id(),
            "status": event.status().map(|s| s.to_string()),
            "signed_part": event.signed_part.as_str(),
        }));
    }
    let client = client.expect("the case builds a client before calling it");
    match op {
        "projects.list" => {
            let page = client.projects().list(&list_params(step)?).await?;
            *response = normalise_response(page.response());
            Ok(json!({
                "count": page.data.len(),
                "first_id": page.data.first().map(|p| p.id.clone()),
                "last_id": page.data.last().map(|p| p.id.clone()),
                "has_next": page.has_next(),
                "meta": page.meta,
            }))
        }
        "projects.pages" => {
            let mut pages = client.projects().pages(list_params(step)?);
            let (mut count, mut responses) = (0, Vec::new());
            while let Some(page) = pages.next_page().await? {
                count += page.data.len();
                responses.push(normalise_response(page.response()));
            }
            Ok(json!({"pages": responses.len(), "count": count, "responses": responses}))
        }
        "projects.list_all" => {
            let projects: Vec<ocus::Project> = client
                .projects()
                .stream(list_params(step)?)
                .try_collect()
                .await?;
            let mut statuses = BTreeMap::<String, u64>::new();
            for project in &projects {
                let status = project.status().map(|s| s.to_string()).unwrap_or_default();
                *statuses.entry(status).or_default() += 1;
            }
            Ok(json!({
                "count": projects.len(),
                "unique_ids": projects.iter().map(|p| &p.id).collect::<HashSet<_>>().len(),
                "first_id": projects.first().map(|p| p.id.clone()),
                "last_id": projects.last().map(|p| p.id.clone()),
                "statuses": statuses,
            }))
        }
        "projects.get" => {
            let project = client
                .projects()
                .get_with(
                    args["id"].as_str().unwrap_or(""),
                    &RequestOptions::from_call_options(merged(step, &[]))?,
                )
                .await?;
            *response = normalise_response(project.response());
            let status = project.status();
            Ok(json!({
                "id": project.id,
                "type": project.resource_type,
                "status": status.as_ref().map(|s| s.to_string()),
                "known_status": status.as_ref().is_some_and(|s| s.is_known()),
                "attributes": project.attributes,
            }))
        }
        "request" => {
            let options = request_options(step)?;
            let (data, info) = client
                .request_str_with_response(
                    args["method"].as_str().unwrap_or("GET"),
                    args["path"].as_str().unwrap_or(""),
                    options,
                )
                .await?;
            *response = normalise_response(Some(&info));
            Ok(data)
        }
        "close" => {
            client.close();
            Ok(Value::Null)
        }
        "rotate_api_key" => {
            client.rotate_api_key(args["key"].as_str().unwrap_or(""))?;
            Ok(Value::Null)
        }
        other => panic!("unknown op {other}"),
    }
}

fn normalise_requests(log: &Value) -> Value {
    let all = log["requests"].as_array().cloned().unwrap_or_default();
    let (main, foreign): (Vec<Value>, Vec<Value>) =
        all.into_iter().partition(|r| r["origin"] == "main");
    let has = |r: &Value, h: &str| r["headers"].get(h).is_some();
    json!({
        "count": main.len(),
        "requests": main.iter().map(|r| json!({
            "method": r["method"], "path": r["path"], "query": r["query"],
            "key": r["key"], "auth": r["auth"], "http_version": r["http_version"],
            "headers": r["headers"],
            "has_x_api_key": has(r, "x-api-key"), "has_authorization": has(r, "authorization"),
        })).collect::<Vec<_>>(),
        "foreign_count": foreign.len(),
        "foreign_with_key": foreign.iter().filter(|r| has(r, "x-api-key")).count(),
    })
}

fn check_outcome(
    expect: Option<&Value>,
    outcome: Result<Value, ocus::Error>,
    elapsed: Duration,
) -> Result<(), String> {
    let empty = json!({});
    let expect = expect.unwrap_or(&empty);
    let elapsed_ms = elapsed.as_millis() as u64;
    if let Some(min) = expect["min_elapsed_ms"].as_u64()
        && elapsed_ms < min
    {
        return Err(format!("took {elapsed_ms} ms, expected at least {min} ms"));
    }
    if let Some(max) = expect["max_elapsed_ms"].as_u64()
        && elapsed_ms > max
    {
        return Err(format!("took {elapsed_ms} ms, expected at most {max} ms"));
    }
    match (expect.get("error"), outcome) {
        (None, Ok(result)) => match expect.get("result") {
            Some(wanted) => matches(wanted, &result, "result"),
            None => Ok(()),
        },
        (None, Err(error)) => Err(format!("unexpected error {error:?}")),
        (Some(_), Ok(result)) => Err(format!("expected an error, got {result}")),
        (Some(wanted), Err(error)) => {
            let mut actual = json!({
                "kind": error.kind().as_str(),
                "status": error.status(),
                "message": error.message(),
                "code": error.code(),
                "request_id": error.request_id().is_some(),
                "retry_after": error.retry_after().map(|d| d.as_secs_f64()),
                "body": error.body(),
                "has_cause": !error.causes().is_empty(),
            });
            if let Some(part) = wanted["message_contains"].as_str() {
                if !error.message().contains(part) {
                    return Err(format!(
                        "message {:?} does not contain {part:?}",
                        error.message()
                    ));
                }
                actual["message_contains"] = wanted["message_contains"].clone();
            }
            if let Some(max) = wanted["body_max_len"].as_u64() {
                let len = error.body().map_or(0, str::len) as u64;
                if len > max {
                    return Err(format!("kept body is {len} bytes, expected at most {max}"));
                }
                actual["body_max_len"] = wanted["body_max_len"].clone();
            }
            matches(wanted, &actual, "error").map_err(|e| format!("{e} (error was {error:?})"))
        }
    }
}

/// Subset match: see tests/scenarios/README.md.
fn matches(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let here = format!("{path}.{key}");
                match have.get(key) {
                    Some(found) => matches(value, found, &here)?,
                    None if value.is_null() => {}
                    None => return Err(format!("{here}: missing, expected {value}")),
                }
            }
            Ok(())
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                return Err(format!(
                    "{path}: {} items, expected {}: {actual}",
                    have.len(),
                    want.len()
                ));
            }
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                matches(w, h, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Object(want), Value::String(have)) if want.contains_key("$matches") => {
            let pattern = want["$matches"].as_str().unwrap_or_default();
            let regex = regex_automata::meta::Regex::new(pattern)
                .map_err(|e| format!("{path}: bad pattern {pattern:?}: {e}"))?;
            if regex.is_match(have) {
                Ok(())
            } else {
                Err(format!(
                    "{path}: got {have:?}, expected a match of {pattern:?}"
                ))
            }
        }
        (Value::Number(want), Value::Number(have)) if want.as_f64() == have.as_f64() => Ok(()),
        (want, have) if want == have => Ok(()),
        (want, have) => Err(format!("{path}: got {have}, expected {want}")),
    }
}
