//! The Rust driver of the load test (`tests/load/run.py`): `LOAD_CALLS` gets,
//! `LOAD_CONCURRENCY` at a time, through the core; prints what each returned, and run.py does
//! the checking.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use ocus::{Client, RequestOptions};
use serde_json::{Value, json};

fn env_number(name: &str) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} must be a number"))
}

fn resources() -> Value {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
    json!({"rss_kb": field("VmRSS"), "threads": field("Threads"), "fds": fds})
}

async fn faults(method: reqwest::Method, body: Option<String>) {
    let url = format!(
        "{}/__admin/faults",
        std::env::var("LOAD_ADMIN_URL").unwrap()
    );
    let mut request = reqwest::Client::new()
        .request(method, url)
        .header("content-type", "application/json");
    if let Some(body) = body {
        request = request.body(body);
    }
    request.send().await.expect("the emulator answers");
}

/// Soak mode (tests/load/soak.py): calls until the deadline, keeping only counts (so the
/// driver's own memory stays flat); the orchestrator sets the faults.
async fn soak(client: Client, ids: Arc<Vec<String>>, concurrency: usize, seconds: u64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let workers = (0..concurrency).map(|offset| {
        let (client, ids) = (client.clone(), ids.clone());
        tokio::spawn(async move {
            let mut outcomes = std::collections::BTreeMap::<&'static str, u64>::new();
            let mut index = offset;
            while Instant::now() < deadline {
                let kind = match client.projects().get(&ids[index % ids.len()]).await {
                    Ok(_) => "ok",
                    Err(error) => error.kind().as_str(),
                };
                *outcomes.entry(kind).or_default() += 1;
                index += concurrency;
            }
            outcomes
        })
    });
    let mut outcomes = std::collections::BTreeMap::<&'static str, u64>::new();
    for worker in futures_util::future::join_all(workers).await {
        for (kind, n) in worker.expect("a worker never panics") {
            *outcomes.entry(kind).or_default() += n;
        }
    }
    let calls: u64 = outcomes.values().sum();
    println!("{}", json!({"calls": calls, "outcomes": outcomes}));
}

#[tokio::main]
async fn main() {
    let concurrency = env_number("LOAD_CONCURRENCY") as usize;
    let ids: Arc<Vec<String>> = Arc::new(
        std::env::var("LOAD_IDS")
            .unwrap()
            .split(',')
            .map(str::to_owned)
            .collect(),
    );
    let mut builder = Client::builder()
        .from_env()
        .timeout(Duration::from_millis(env_number("LOAD_TIMEOUT_MS")))
        .max_retries(env_number("LOAD_MAX_RETRIES") as u32);
    if std::env::var("LOAD_IDLE_TIMEOUT_MS").is_ok() {
        builder = builder.idle_timeout(Duration::from_millis(env_number("LOAD_IDLE_TIMEOUT_MS")));
    }
    let client = builder.build().expect("a client");
    if let Ok(seconds) = std::env::var("LOAD_SECONDS") {
        let seconds = seconds.parse().expect("LOAD_SECONDS is a number");
        return soak(client, ids, concurrency, seconds).await;
    }
    let calls = env_number("LOAD_CALLS") as usize;
    let warm_up = || {
        futures_util::stream::iter(0..2 * concurrency)
            .map(|i| {
                let (client, ids) = (client.clone(), ids.clone());
                async move { client.projects().get(&ids[i % ids.len()]).await }
            })
            .buffer_unordered(concurrency)
            .collect::<Vec<_>>()
    };
    warm_up().await;
    // Every connection the warm-up opened has closed (the idle timeout's rule): "before" and
    // "after" count no pooled connection, so anything left open after the run is a leak.
    tokio::time::sleep(Duration::from_millis(env_number("LOAD_SETTLE_MS"))).await;
    let before = resources();
    faults(reqwest::Method::DELETE, None).await;
    faults(
        reqwest::Method::POST,
        Some(std::env::var("LOAD_FAULTS").unwrap()),
    )
    .await;
    let started = Instant::now();
    let results: Vec<Value> = futures_util::stream::iter(0..calls)
        .map(|index| {
            let (client, ids) = (client.clone(), ids.clone());
            // Each call on its own task, as a server handling requests would run it.
            tokio::spawn(async move {
                let id = &ids[index % ids.len()];
                let options = RequestOptions::new().header("x-load-call", index.to_string());
                let begun = Instant::now();
                let outcome = client.projects().get_with(id, &options).await;
                let ms = begun.elapsed().as_secs_f64() * 1000.0;
                match outcome {
                    Ok(project) => json!([index, "ok", ms, project.id == *id]),
                    Err(error) => json!([index, error.kind().as_str(), ms, false]),
                }
            })
        })
        .buffer_unordered(concurrency)
        .map(|joined| joined.expect("a call task never panics"))
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    faults(reqwest::Method::DELETE, None).await;
    // Resources once the pool has let go of its connections: at most "before"'s descriptors,
    // or as they are after the settle time and 1 s more (then the check says how many).
    let last_call = Instant::now();
    let fds_before = before["fds"].as_u64().unwrap_or(0);
    let deadline = Duration::from_millis(env_number("LOAD_SETTLE_MS") + 1000);
    let mut after = resources();
    while after["fds"].as_u64().unwrap_or(0) > fds_before && last_call.elapsed() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        after = resources();
    }
    let settle_ms = last_call.elapsed().as_millis() as u64;
    let report = json!({"before": before, "after": after, "settle_ms": settle_ms, "elapsed_s": elapsed, "calls": results});
    println!("{report}");
}
