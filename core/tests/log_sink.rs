//! A client's log sink: the events at its level, never the key. (Apart from redaction.rs,
//! whose tracing capture must be alone in its binary.)

mod support;

use std::sync::{Arc, Mutex};

use ocus::{Client, ListParams};
use serde_json::json;
use support::Emulator;

const ALPHA: &str = "sk_test_alpha_0123456789";

/// A sink keeping every event it is given.
#[derive(Default)]
struct Collected(Mutex<Vec<ocus::LogEvent>>);

impl ocus::LogSink for Collected {
    fn log(&self, event: &ocus::LogEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

#[test]
fn a_log_sink_gets_the_events_at_its_level_and_never_the_key() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let emulator = Emulator::with_key(ALPHA).await;
        let sink = Arc::new(Collected::default());
        let build = |level| {
            Client::builder()
                .api_key(ALPHA)
                .base_url(&emulator.base_url)
                .max_retries(1)
                .log_sink(sink.clone())
                .log_level(level)
                .build()
                .unwrap()
        };
        let traced = build(Some(ocus::LogLevel::Trace));
        emulator
            .post(
                "/__admin/faults",
                json!([{"status": 503, "headers": {"retry-after": "0"}, "times": 1}]),
            )
            .await;
        traced
            .projects()
            .list(&ListParams::new().page_size(1))
            .await
            .unwrap();
        let events = sink.0.lock().unwrap().clone();
        let messages: Vec<_> = events.iter().map(|e| e.message).collect();
        assert_eq!(
            messages,
            ["request failed", "retrying", "request succeeded"]
        );
        assert_eq!(events[0].status, Some(503));
        assert_eq!(events[0].kind, Some("service_unavailable"));
        assert_eq!(events[1].wait_ms, Some(0));
        assert_eq!(events[2].path.as_deref(), Some("/v3/projects"));
        let text = format!("{events:?}");
        assert!(!text.contains(ALPHA) && !text.contains("page"), "{text}");

        sink.0.lock().unwrap().clear();
        build(Some(ocus::LogLevel::Info))
            .projects()
            .list(&ListParams::new())
            .await
            .unwrap();
        build(None)
            .projects()
            .list(&ListParams::new())
            .await
            .unwrap();
        assert!(sink.0.lock().unwrap().is_empty());
    });
}
