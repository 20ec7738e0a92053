//! Behaviour the scenario files cannot express: concurrency, in-flight rotation, the blocking
//! entry point, and the emulator's webhook sender.

mod support;

use std::time::{Duration, Instant};

use ocus::{Client, ErrorKind, ListParams};
use serde_json::{Value, json};
use support::Emulator;

const ALPHA: &str = "sk_test_alpha_0123456789";
const BETA: &str = "sk_test_beta_9876543210";
const ID0: &str = "910a2dec-8902-4cc1-9758-35de1c9756ce";

async fn admin(emulator: &Emulator, method: reqwest::Method, path: &str, body: Value) -> Value {
    reqwest::Client::new()
        .request(method, format!("{}{path}", emulator.admin_url))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn setup() -> Emulator {
    let emulator = Emulator::start();
    admin(
        &emulator,
        reqwest::Method::POST,
        "/__admin/reset",
        json!({"keys": [
            {"key": ALPHA, "state": "valid", "name": "alpha"},
            {"key": BETA, "state": "valid", "name": "beta"},
        ]}),
    )
    .await;
    emulator
}

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .api_key(ALPHA)
        .base_url(&emulator.base_url)
        .max_retries(0)
        .build()
        .unwrap()
}

async fn recorded_keys(emulator: &Emulator) -> Vec<String> {
    let log = admin(
        emulator,
        reqwest::Method::GET,
        "/__admin/requests",
        json!(null),
    )
    .await;
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_does_not_change_the_key_of_a_request_in_flight() {
    let emulator = setup().await;
    let client = client(&emulator);
    admin(
        &emulator,
        reqwest::Method::POST,
        "/__admin/faults",
        json!({"delay_ms": 400}),
    )
    .await;
    let slow = tokio::spawn({
        let client = client.clone();
        async move { client.projects().list(&ListParams::new()).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    client.rotate_api_key(BETA).unwrap();
    client.projects().list(&ListParams::new()).await.unwrap();
    slow.await.unwrap().unwrap();
    // The slow request was recorded first (on arrival), with the old key.
    assert_eq!(recorded_keys(&emulator).await, ["alpha", "beta"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_serves_many_concurrent_requests_and_clients_keep_their_keys() {
    let emulator = setup().await;
    let alpha = client(&emulator);
    let beta = Client::builder()
        .api_key(BETA)
        .base_url(&emulator.base_url)
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let client = if i % 2 == 0 {
            alpha.clone()
        } else {
            beta.clone()
        };
        tasks.push(tokio::spawn(async move {
            client
                .projects()
                .list(&ListParams::new().page_size(1))
                .await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().data.len(), 1);
    }
    let keys = recorded_keys(&emulator).await;
    assert_eq!(keys.iter().filter(|k| *k == "alpha").count(), 32);
    assert_eq!(keys.iter().filter(|k| *k == "beta").count(), 32);
}

#[tokio::test]
async fn a_dropped_request_future_leaves_the_client_usable() {
    let emulator = setup().await;
    let client = client(&emulator);
    admin(
        &emulator,
        reqwest::Method::POST,
        "/__admin/faults",
        json!({"action": "hang"}),
    )
    .await;
    let started = Instant::now();
    let outcome = tokio::time::timeout(
        Duration::from_millis(200),
        client.projects().list(&ListParams::new()),
    )
    .await;
    assert!(outcome.is_err(), "the hung request cannot have finished");
    assert!(started.elapsed() < Duration::from_secs(2));
    // The client is still usable afterwards.
    client.projects().list(&ListParams::new()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_stops_requests_in_flight_and_fails_later_calls() {
    let emulator = setup().await;
    let client = client(&emulator);
    let other_pool = client.with_separate_pool().unwrap();
    admin(
        &emulator,
        reqwest::Method::POST,
        "/__admin/faults",
        json!({"action": "hang"}),
    )
    .await;
    let hung = tokio::spawn({
        let client = client.clone();
        async move { client.projects().list(&ListParams::new()).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    other_pool.close(); // closing either closes both
    let error = hung.await.unwrap().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(client.is_closed());
    for error in [error, client.projects().get("x").await.unwrap_err()] {
        assert_eq!(error.kind(), ErrorKind::Configuration);
        assert_eq!(error.code(), Some("client_closed"));
    }
}

#[test]
fn the_blocking_entry_point_shares_one_runtime_across_threads() {
    let emulator = ocus::runtime::block_on(setup()).unwrap();
    let client = client(&emulator);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                ocus::runtime::block_on(client.projects().get("no-such-project"))
                    .unwrap()
                    .unwrap_err()
                    .kind()
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), ErrorKind::NotFound);
    }
}

/// The emulator signs webhooks with its own HMAC code, in both documented forms; the core must
/// accept them, and reject tampered and unsigned ones.
#[tokio::test]
async fn webhooks_signed_by_the_emulator_verify() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emulator = setup().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let receiver = tokio::spawn(async move {
        let mut outcomes = Vec::new();
        for _ in 0..5 {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            let (head, body) = loop {
                let n = socket.read(&mut buf).await.unwrap();
                raw.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&raw).into_owned();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break (head.to_owned(), body.to_owned());
                    }
                }
            };
            let signature = head
                .lines()
                .find_map(|l| l.strip_prefix("ocus-signature: "))
                .unwrap_or("")
                .to_owned();
            let verdict = ocus::webhooks::verify(body.as_bytes(), &signature, b"whsec_emulator");
            outcomes.push(
                verdict
                    .map(|e| format!("{} {}", e.id, e.signed_part.as_str()))
                    .map_err(|e| e.code().unwrap_or("").to_owned()),
            );
            socket
                .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                .await
                .unwrap();
        }
        outcomes
    });
    for extra in [
        json!({}),
        json!({"tamper": true}),
        json!({"omit_signature": true}),
        json!({"signed_part": "data"}),
        json!({"signed_part": "data", "tamper": true}),
    ] {
        let mut body = json!({"url": url, "secret": "whsec_emulator", "event": "project.status.updated", "status": "completed"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let sent = admin(&emulator, reqwest::Method::POST, "/__admin/webhooks", body).await;
        assert_eq!(sent["receiver_status"], 204, "{sent}");
    }
    let outcomes = receiver.await.unwrap();
    assert_eq!(outcomes[0], Ok("project.status.updated body".to_owned()));
    assert_eq!(outcomes[1], Err("signature_mismatch".to_owned()));
    assert_eq!(outcomes[2], Err("missing_signature".to_owned()));
    assert_eq!(outcomes[3], Ok("project.status.updated data".to_owned()));
    assert_eq!(outcomes[4], Err("signature_mismatch".to_owned()));
}

/// A User-Agent given as a header extends the client's (default and per call), never replaces it.
#[tokio::test]
async fn a_user_agent_header_extends_the_clients() {
    let emulator = setup().await;
    let client = Client::builder()
        .api_key(ALPHA)
        .base_url(&emulator.base_url)
        .default_header("User-Agent", "billing-sync/2.1")
        .build()
        .unwrap();
    client.projects().get(ID0).await.unwrap();
    let per_call = ocus::RequestOptions::new().header("user-agent", "nightly-job/7");
    client.projects().get_with(ID0, &per_call).await.unwrap();
    let log = admin(
        &emulator,
        reqwest::Method::GET,
        "/__admin/requests",
        Value::Null,
    )
    .await;
    let agents: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["headers"]["user-agent"].as_str().unwrap())
        .collect();
    let sdk = format!("ocus-rust/{}", ocus::VERSION);
    assert_eq!(
        agents,
        [
            format!("{sdk} billing-sync/2.1"),
            format!("{sdk} nightly-job/7")
        ]
    );
}

/// The emulator checks a fault when it is queued: a typo in a test's setup is a 400 naming it.
#[tokio::test]
async fn the_emulator_refuses_unknown_fault_actions_and_fields_at_once() {
    let emulator = setup().await;
    let post = |body: Value| {
        let url = format!("{}/__admin/faults", emulator.admin_url);
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, text) = post(json!({"action": "bogus"})).await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("unknown action \\\"bogus\\\"") && text.contains("hang, reset"),
        "{text}"
    );
    let (status, text) = post(json!([{"status": 503}, {"actoin": "hang"}])).await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("fault 1") && text.contains("unknown field `actoin`"),
        "{text}"
    );
    assert!(
        text.contains("`action`"),
        "the valid names are listed: {text}"
    );
    // Nothing of a refused body was queued: the next call is served normally.
    client(&emulator).projects().get(ID0).await.unwrap();
    assert_eq!(post(json!({"status": 503})).await.0, 200);
}

#[tokio::test]
async fn the_retry_budget_caps_an_outage_at_a_tenth_more_attempts_and_refills() {
    let emulator = setup().await;
    let client = Client::builder()
        .api_key(ALPHA)
        .base_url(&emulator.base_url)
        .max_retries(2)
        .build()
        .unwrap();
    let attempts = |emulator: &Emulator| {
        let emulator_admin = emulator.admin_url.clone();
        async move {
            let log: Value = reqwest::get(format!("{emulator_admin}/__admin/requests"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            log["requests"].as_array().unwrap().len()
        }
    };
    // An outage: every answer a 503 (with Retry-After: 0, so the test does not sleep).
    let outage = 1_000 + 100;
    admin(
        &emulator,
        reqwest::Method::POST,
        "/__admin/faults",
        json!([{"status": 503, "headers": {"retry-after": "0"}, "times": outage}]),
    )
    .await;
    for _ in 0..1_000 {
        let error = client.projects().get(ID0).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ServiceUnavailable);
    }
    let made = attempts(&emulator).await;
    // The default budget (500 tokens, 5 a retry) pays for 100 retries, then none.
    assert_eq!(made, 1_100, "1,000 calls made {made} attempts");
    // Recovered: successes refill the budget (1 token each), and a retry is paid for again.
    for _ in 0..20 {
        client.projects().get(ID0).await.unwrap();
    }
    admin(
        &emulator,
        reqwest::Method::POST,
        "/__admin/faults",
        json!([{"status": 503, "headers": {"retry-after": "0"}, "times": 1}]),
    )
    .await;
    client.projects().get(ID0).await.unwrap();
    assert_eq!(attempts(&emulator).await, 1_100 + 20 + 2);
}
