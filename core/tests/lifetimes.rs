//! Clients made, used once and dropped in a loop leave the process's descriptors and threads
//! where they were. Alone in its binary: other tests' sockets would move the counts.

mod support;

use std::time::Duration;

use support::Emulator;

const KEY: &str = "sk_test_lifetimes";
const ID0: &str = "910a2dec-8902-4cc1-9758-35de1c9756ce";

fn descriptors_and_threads() -> (usize, usize) {
    let fds = std::fs::read_dir("/proc/self/fd").unwrap().count();
    let threads = std::fs::read_dir("/proc/self/task").unwrap().count();
    (fds, threads)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_used_once_leave_descriptors_and_threads_as_they_were() {
    let emulator = Emulator::with_key(KEY).await;
    let used_once = || async {
        let client = emulator.client(KEY);
        client.projects().get(ID0).await.unwrap();
        client.close();
    };
    // One first: what starts lazily once per process (the blocking pool, the certificate
    // store) is there before counting.
    used_once().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (fds, threads) = descriptors_and_threads();
    // 300: a descriptor or thread kept per client shows as 300 over the count, far past the
    // slack below (1,000 took 22 s of a cold `make test` for the same verdict).
    for _ in 0..300 {
        used_once().await;
    }
    // A dropped pool's connection tasks close their sockets when next polled.
    let mut after = descriptors_and_threads();
    for _ in 0..50 {
        if after.0 <= fds + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        after = descriptors_and_threads();
    }
    assert!(after.0 <= fds + 2, "descriptors {fds} -> {}", after.0);
    assert!(after.1 <= threads + 2, "threads {threads} -> {}", after.1);
}
