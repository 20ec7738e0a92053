//! The key appears in no log line, `Debug` output or error. Alone in its test binary:
//! tracing caches each call site's interest process-wide, and other tests emitting the same
//! events at the same time without a subscriber would make this one miss lines.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use ocus::{Client, ErrorKind, ListParams};
use serde_json::json;
use support::Emulator;

const ALPHA: &str = "sk_test_alpha_0123456789";
const BETA: &str = "sk_test_beta_9876543210";

fn client(emulator: &Emulator) -> Client {
    Client::builder()
        .api_key(ALPHA)
        .base_url(&emulator.base_url)
        .max_retries(0)
        .build()
        .unwrap()
}

/// A writer the tracing subscriber logs into, so the test can read every line.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_key_appears_in_no_log_line_debug_output_or_error() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut texts = Vec::new();
    runtime.block_on(async {
        let emulator = Emulator::with_key(ALPHA).await;
        let client = client(&emulator);
        texts.push(format!("{client:?}"));
        client.projects().list(&ListParams::new()).await.unwrap();
        for fault in [
            json!({"status": 500}),
            json!({"action": "redirect", "location": "foreign:/v3/projects"}),
        ] {
            emulator.post("/__admin/faults", fault).await;
            let error = client
                .projects()
                .list(&ListParams::new())
                .await
                .unwrap_err();
            texts.push(format!("{error:?} {error}"));
        }
        let revoked = Client::builder()
            .api_key("sk_unknown_key_abcdef")
            .base_url(&emulator.base_url)
            .build()
            .unwrap();
        let error = revoked
            .projects()
            .list(&ListParams::new())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Unauthorized);
        texts.push(format!("{error:?} {error} {revoked:?}"));
        let builder = Client::builder().api_key(ALPHA);
        texts.push(format!("{builder:?}"));
    });
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("request succeeded"),
        "the client logs at debug: {logs}"
    );
    for text in texts.iter().chain([&logs]) {
        for secret in [ALPHA, BETA, "sk_unknown_key_abcdef"] {
            assert!(!text.contains(secret), "key leaked in: {text}");
        }
    }
}
