//! After a burst of more calls in flight than a pool keeps idle, the connections settle to
//! the idle limit (`ClientBuilder::max_idle_connections`) as the calls end: on a multi-thread runtime, and for blocking calls
//! from many threads on the caller-driven runtime, which runs tasks only inside a call. One
//! test, alone in its binary: other tests' sockets would move the count.

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

fn client(emulator: &Emulator) -> ocus::Client {
    ocus::Client::builder()
        .api_key(KEY)
        .base_url(&emulator.base_url)
        .max_idle_connections(MAX_IDLE_CONNECTIONS)
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
    // Nobody drives that runtime now: what is open stays open unless the last call closed it.
    std::thread::sleep(Duration::from_millis(50));
    assert_settled(descriptors(), before);
}
