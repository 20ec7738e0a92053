//! The ocus core against a raw reqwest loop (the limit) on the release-mode emulator.
//!
//! Same request for both (GET /v3/projects/{id}, X-API-KEY, JSON decode), one reused client
//! each, keep-alive, warm-up first, interleaved A/B rounds; median and spread of wall time and
//! client CPU per request. Run: `make bench` (or `cargo run --release -p ocus-bench`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

const KEY: &str = "bench_key_0123456789";
const ROUNDS: usize = 7;

fn cpu_time() -> Duration {
    // utime + stime of this process, in clock ticks (USER_HZ = 100 on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

struct Sample {
    wall_us: f64,
    cpu_us: f64,
}

fn summary(samples: &[Sample], pick: impl Fn(&Sample) -> f64) -> (f64, f64, f64) {
    let mut values: Vec<f64> = samples.iter().map(pick).collect();
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

async fn run_raw(http: &reqwest::Client, url: &str, requests: usize, in_flight: usize) {
    futures_util::stream::iter(0..requests)
        .map(|_| async {
            let response = http.get(url).header("x-api-key", KEY).send().await.unwrap();
            assert!(response.status().is_success());
            let body = response.bytes().await.unwrap();
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            std::hint::black_box(value);
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<()>>()
        .await;
}

async fn run_core(client: &ocus::Client, id: &str, requests: usize, in_flight: usize) {
    futures_util::stream::iter(0..requests)
        .map(|_| async {
            let project = client.projects().get(id).await.unwrap();
            std::hint::black_box(project);
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<()>>()
        .await;
}

/// `ocus-bench core BASE_URL ID REQUESTS IN_FLIGHT`: one timed run of the core alone, for
/// the other languages' benchmarks to compare against in the same run. Prints
/// `wall_us_per_request cpu_us_per_request`.
async fn core_only(args: &[String]) {
    let [base, id, requests, in_flight] = args else {
        panic!("usage: ocus-bench core BASE_URL ID REQUESTS IN_FLIGHT");
    };
    let requests: usize = requests.parse().unwrap();
    let in_flight: usize = in_flight.parse().unwrap();
    let client = ocus::Client::builder()
        .api_key(KEY)
        .base_url(base)
        .build()
        .unwrap();
    run_core(&client, id, requests / 10 + 1, in_flight).await;
    let (cpu0, t0) = (cpu_time(), Instant::now());
    run_core(&client, id, requests, in_flight).await;
    let wall = t0.elapsed().as_secs_f64() * 1e6 / requests as f64;
    let cpu = (cpu_time() - cpu0).as_secs_f64() * 1e6 / requests as f64;
    println!("{wall:.2} {cpu:.2}");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "core") {
        return core_only(&args[1..]).await;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mock = root.join("target/release/ocus-mock");
    let mut child = Command::new(&mock)
        .args(["--addr", "127.0.0.1:0", "--api-key", KEY])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {} (make bench builds it): {e}", mock.display()));
    let mut base = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut base)
        .unwrap();
    let base = base.trim().to_owned();

    let client = ocus::Client::builder()
        .api_key(KEY)
        .base_url(&base)
        .build()
        .unwrap();
    let first = client
        .projects()
        .list(&ocus::ListParams::new().page_size(1))
        .await
        .unwrap();
    let id = first.data[0].id.clone();
    let url = format!("{base}/projects/{id}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .build()
        .unwrap();

    println!(
        "ocus core vs raw reqwest, GET /v3/projects/{{id}} on the release emulator, {ROUNDS} interleaved rounds"
    );
    println!(
        "{:<14} {:>9} {:>12} {:>22} {:>12} {:>8} {:>8}",
        "mode",
        "requests",
        "raw µs/req",
        "core µs/req (min-max)",
        "core/raw",
        "raw CPU",
        "core CPU"
    );
    for (label, requests, in_flight) in [
        ("sequential", 2_000usize, 1usize),
        ("64 in flight", 20_000, 64),
    ] {
        run_raw(&http, &url, requests / 4, in_flight).await; // warm-up
        run_core(&client, &id, requests / 4, in_flight).await;
        let (mut raw, mut core) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            for which in [0, 1] {
                let (cpu0, t0) = (cpu_time(), Instant::now());
                if which == 0 {
                    run_raw(&http, &url, requests, in_flight).await;
                } else {
                    run_core(&client, &id, requests, in_flight).await;
                }
                let sample = Sample {
                    wall_us: t0.elapsed().as_secs_f64() * 1e6 / requests as f64,
                    cpu_us: (cpu_time() - cpu0).as_secs_f64() * 1e6 / requests as f64,
                };
                if which == 0 {
                    raw.push(sample)
                } else {
                    core.push(sample)
                }
            }
        }
        let (raw_wall, _, _) = summary(&raw, |s| s.wall_us);
        let (core_wall, core_min, core_max) = summary(&core, |s| s.wall_us);
        let (raw_cpu, _, _) = summary(&raw, |s| s.cpu_us);
        let (core_cpu, _, _) = summary(&core, |s| s.cpu_us);
        println!(
            "{label:<14} {requests:>9} {raw_wall:>12.1} {:>22} {:>11.3}x {raw_cpu:>8.1} {core_cpu:>8.1}",
            format!("{core_wall:.1} ({core_min:.1}-{core_max:.1})"),
            core_wall / raw_wall
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}
