//! The rule for connections after a burst (`ocus::IDLE_CONNECTION_TIMEOUT`): as the calls end,
//! open connections settle to the idle limit (`ClientBuilder::max_idle_connections`); within
//! twice the idle timeout after that, to the calls still in flight. On a multi-thread runtime,
//! and for blocking calls from many threads on the caller-driven runtime, which runs tasks
//! only inside a call (its sweep thread closes them when no call comes). One test, alone in
//! its binary: other tests' sockets would move the count.

mod support;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use support::Emulator;

const KEY: &str = "sk_test_pool";
const ID0: &str = "910a2dec-8902-4cc1-9758-35de1c9756ce";
// A small limit, so the burst's connects fit the emulator's listen backlog (1,024; a refused
// SYN is retried a second later) and the test needs few threads.
const MAX_IDLE_CONNECTIONS: usize = 64;
const BURST: usize = MAX_IDLE_CONNECTIONS * 4;
const IDLE_TIMEOUT: Duration = Duration::from_millis(300);
/// Calls kept in flight after the burst, on the multi-thread runtime.
const STILL_IN_FLIGHT: usize = 4;

fn client(emulator: &Emulator) -> ocus::Client {
    ocus::Client::builder()
        .api_key(KEY)
        .base_url(&emulator.base_url)
        .max_idle_connections(MAX_IDLE_CONNECTIONS)
        .idle_timeout(IDLE_TIMEOUT)
        .build()
        .unwrap()
}

fn descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn assert_burst_opened_more(peak: usize, before: usize) {
    assert!(
        peak > before + MAX_IDLE_CONNECTIONS,
        "the burst should open more connections than the pool keeps (peak {peak}, before {before})"
    );
}

/// Polls the descriptor count until it is at most `limit`, for twice the idle timeout and a
/// margin for a loaded machine; returns the last count and how long it took.
fn settle_to(limit: usize, pause: impl Fn(Duration)) -> (usize, Duration) {
    let start = Instant::now();
    let deadline = start + IDLE_TIMEOUT * 2 + Duration::from_secs(2);
    let mut open = descriptors();
    while open > limit && Instant::now() < deadline {
        pause(Duration::from_millis(20));
        open = descriptors();
    }
    (open, start.elapsed())
}

fn assert_settled(open: usize, before: usize) {
    assert!(
        open <= before + MAX_IDLE_CONNECTIONS,
        "{open} descriptors after the burst: more than {before} + {MAX_IDLE_CONNECTIONS} idle connections"
    );
}

#[test]
fn after_a_burst_open_connections_settle_to_the_idle_limit() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime.block_on(Emulator::with_key(KEY));

    // Started calls, on a multi-thread runtime.
    runtime.block_on(async {
        let client = client(&emulator);
        client.projects().get(ID0).await.unwrap();
        let before = descriptors();
        let calls: Vec<_> = (0..BURST)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.projects().get(ID0).await })
            })
            .collect();
        let mut peak = 0;
        for call in calls {
            call.await.unwrap().unwrap();
            peak = peak.max(descriptors());
        }
        assert_burst_opened_more(peak, before);
        // The extra connections close as their calls hand them back, on the runtime's threads.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut open = descriptors();
        while open > before + MAX_IDLE_CONNECTIONS && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
            open = descriptors();
        }
        assert_settled(open, before);
        // A lighter load goes on: the pool hands out its most recently used connections, the
        // others age out, and what stays open is what those calls use.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let loops: Vec<_> = (0..STILL_IN_FLIGHT)
            .map(|_| {
                let (client, stop) = (client.clone(), stop.clone());
                tokio::spawn(async move {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        client.projects().get(ID0).await.unwrap();
                    }
                })
            })
            .collect();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            tx.send(settle_to(before + STILL_IN_FLIGHT, std::thread::sleep))
        });
        let (open, took) = tokio::task::spawn_blocking(move || rx.recv().unwrap())
            .await
            .unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for calls in loops {
            calls.await.unwrap();
        }
        assert!(
            open <= before + STILL_IN_FLIGHT,
            "{open} descriptors {took:?} after the burst, {STILL_IN_FLIGHT} calls in flight: \
             more than {before} + {STILL_IN_FLIGHT}"
        );
        client.close();
    });
    runtime.shutdown_background();

    // Blocking calls from many threads at once, on the caller-driven runtime.
    let client = client(&emulator);
    ocus::runtime::block_on(client.projects().get(ID0))
        .unwrap()
        .unwrap();
    let before = descriptors();
    // Every request of the burst is held 300 ms, so they are all in flight at once.
    let delay = serde_json::json!({"delay_ms": 300, "times": BURST});
    emulator.admin("POST", "/__admin/faults", Some(&delay));
    let start = Arc::new(Barrier::new(BURST));
    let threads: Vec<_> = (0..BURST)
        .map(|_| {
            let (client, start) = (client.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                ocus::runtime::block_on(client.projects().get(ID0))
                    .unwrap()
                    .unwrap();
                descriptors()
            })
        })
        .collect();
    let peak = threads
        .into_iter()
        .map(|thread| thread.join().unwrap())
        .max()
        .unwrap();
    assert_burst_opened_more(peak, before);
    // The last call to leave runs the runtime once more (or the sweep does, on a loaded
    // machine where that turn came too early): the connections above the limit close.
    let (open, _) = settle_to(before + MAX_IDLE_CONNECTIONS, std::thread::sleep);
    assert_settled(open, before);
    // And with no call to come, the sweep closes the idle ones (the first call's included).
    let (open, took) = settle_to(before - 1, std::thread::sleep);
    assert!(
        open < before,
        "{open} descriptors {took:?} after the last blocking call: the idle connections \
         should have closed (before the burst: {before}, one connection open)"
    );
}
