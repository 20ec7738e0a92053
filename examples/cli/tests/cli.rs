//! The `ocus` binary against the emulator: output, exit codes, and no key on any stream.

#[path = "../../../core/tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use hmac::{Hmac, Mac};
use support::Emulator;

fn ocus(emulator: &Emulator, key: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ocus"));
    command
        .args(args)
        .env_remove("OCUS_API_KEY")
        .env_remove("OCUS_API_KEY_FILE")
        .env("OCUS_BASE_URL", &emulator.base_url)
        .env("OCUS_LOG", "debug");
    if let Some(key) = key {
        command.env("OCUS_API_KEY", key);
    }
    command.output().expect("ocus runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn lists_gets_and_maps_errors_to_exit_codes() {
    let emulator = Emulator::start();
    let page = ocus(
        &emulator,
        Some("ocus_demo_key"),
        &["projects", "list", "--page-size", "2"],
    );
    assert!(page.status.success(), "{}", text(&page.stderr));
    let json: serde_json::Value = serde_json::from_slice(&page.stdout).unwrap();
    assert_eq!(json["data"].as_array().unwrap().len(), 2);
    let id = json["data"][0]["id"].as_str().unwrap().to_owned();

    // --all: one JSON array of every project (json.load-able); --jsonl: one object per line.
    let all = ocus(
        &emulator,
        Some("ocus_demo_key"),
        &["projects", "list", "--all", "--page-size", "50"],
    );
    let every: Vec<serde_json::Value> = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(every.len(), 135);
    let lines = ocus(
        &emulator,
        Some("ocus_demo_key"),
        &["projects", "list", "--jsonl"],
    );
    let per_line: Vec<serde_json::Value> = text(&lines.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(per_line, every);
    let none = ocus(
        &emulator,
        Some("ocus_demo_key"),
        &["projects", "list", "--all", "--status", "no_such_status"],
    );
    assert!(none.status.success(), "{}", text(&none.stderr));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&none.stdout).unwrap(),
        serde_json::json!([])
    );

    let one = ocus(&emulator, Some("ocus_demo_key"), &["projects", "get", &id]);
    let json: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(json["id"], id.as_str());

    let cases: [(Option<&str>, &[&str], i32, &str); 6] = [
        (
            Some("ocus_demo_key"),
            &["projects", "get", "missing"],
            7,
            "error: not_found 404: Project not found.",
        ),
        (
            Some("sk_not_a_key_12345"),
            &["projects", "list"],
            4,
            "error: unauthorized 401: Unauthorized. Please provide a valid API key.",
        ),
        (
            Some("ocus_demo_revoked_key"),
            &["projects", "list"],
            5,
            "error: forbidden 403: Forbidden. This API key has been revoked or expired.",
        ),
        (
            None,
            &["projects", "list"],
            3,
            "error: configuration: no API key",
        ),
        (
            Some("ocus_demo_key"),
            &["request", "DELETE", "/projects"],
            8,
            "error: method_not_allowed 405",
        ),
        (
            Some("ocus_demo_key"),
            &["projects", "list", "--base-url", "http://api.ocus.io/v3"],
            3,
            "error: configuration: refusing insecure base URL",
        ),
    ];
    for (key, args, code, stderr) in cases {
        let out = ocus(&emulator, key, args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(stderr),
            "{args:?}: {}",
            text(&out.stderr)
        );
        if let Some(key) = key {
            assert!(!text(&out.stderr).contains(key) && !text(&out.stdout).contains(key));
        }
    }
}

#[test]
fn each_command_shows_only_the_flags_that_apply() {
    let emulator = Emulator::start();
    let help = |args: &[&str]| text(&ocus(&emulator, None, args).stdout);
    let connection = [
        "--base-url",
        "--timeout",
        "--max-retries",
        "--ca-bundle",
        "--proxy",
        "--header",
    ];
    for args in [
        &["projects", "list", "--help"][..],
        &["projects", "get", "--help"],
        &["request", "--help"],
    ] {
        let shown = help(args);
        for flag in connection {
            assert!(shown.contains(flag), "{args:?} lacks {flag}:\n{shown}");
        }
    }
    for args in [
        &["webhooks", "verify", "--help"][..],
        &["webhooks", "sign", "--help"],
    ] {
        let shown = help(args);
        for flag in connection {
            assert!(!shown.contains(flag), "{args:?} shows {flag}:\n{shown}");
        }
    }
    // Every argument and flag has a description (clap prints a bare name otherwise).
    for args in [
        &["projects", "list", "--help"][..],
        &["projects", "get", "--help"],
        &["request", "--help"],
        &["webhooks", "verify", "--help"],
        &["webhooks", "sign", "--help"],
    ] {
        for line in help(args).lines().filter(|l| l.starts_with("  ")) {
            let described = line
                .trim_start()
                .split_once("  ")
                .is_some_and(|(_, description)| !description.trim().is_empty());
            assert!(described, "{args:?}: {line:?} has no description");
        }
    }
    // Both positions work for the connection flags of `projects`.
    let before = ocus(
        &emulator,
        Some("ocus_demo_key"),
        &["projects", "--max-retries", "0", "get", "missing"],
    );
    assert_eq!(before.status.code(), Some(7), "{}", text(&before.stderr));
}

#[test]
fn request_sends_queries_and_rejects_bad_json() {
    let emulator = Emulator::start();
    let out = ocus(
        &emulator,
        Some("ocus_demo_key"),
        &["request", "GET", "projects", "--query", "page[size]=1"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["meta"]["page_size"], 1);
    let out = ocus(
        &emulator,
        Some("ocus_demo_key"),
        &["request", "POST", "/projects", "--data", "{nope"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("--data is not valid JSON"));
}

#[test]
fn a_malformed_key_is_rejected_without_being_echoed() {
    let emulator = Emulator::start();
    let out = ocus(
        &emulator,
        Some("secretpart\r\nX-Evil: 1"),
        &["projects", "list"],
    );
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("OCUS_API_KEY: the API key contains a line break"),
        "{stderr}"
    );
    assert!(!stderr.contains("secretpart"));
}

#[test]
fn webhooks_verify_reads_the_body_from_stdin() {
    let emulator = Emulator::start();
    let body = br#"{"type":"event","id":"project.updated","attributes":{"project_id":"p1"}}"#;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"whsec_cli").unwrap();
    mac.update(body);
    let signature = hex::encode(mac.finalize().into_bytes());
    // The same event under `data`, signed as JSON.stringify(body.data): the other form OCUS documents.
    let wrapped = br#"{ "data": {"type": "event", "id": "project.updated", "attributes": {"project_id": "p1"}} }"#;
    let cases: [(&[u8], &str, i32, &str); 3] = [
        (body, &signature, 0, "body"),
        (wrapped, &signature, 0, "data"),
        (body, &"00".repeat(32), 17, ""),
    ];
    for (body, signature, code, signed_part) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ocus"))
            .args([
                "webhooks",
                "verify",
                "--signature",
                signature,
                "--secret-env",
                "HOOK_SECRET",
            ])
            .env("HOOK_SECRET", "whsec_cli")
            .env("OCUS_BASE_URL", &emulator.base_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(body).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", text(&out.stderr));
        if code == 0 {
            let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(event["id"], "project.updated");
            assert_eq!(event["project_id"], "p1");
            assert_eq!(event["signed_part"], signed_part);
        } else {
            assert!(text(&out.stderr).contains("invalid_signature"));
        }
    }
}

#[test]
fn help_documents_the_exit_codes() {
    let out = Command::new(env!("CARGO_BIN_EXE_ocus"))
        .arg("--help")
        .output()
        .unwrap();
    let help = text(&out.stdout);
    for line in [
        "4  unauthorized",
        "5  forbidden",
        "15  timeout",
        "OCUS_API_KEY_FILE",
    ] {
        assert!(help.contains(line), "{help}");
    }
}

#[test]
fn a_refused_connection_names_the_target_and_verbose_prints_the_cause_chain() {
    // A port that was just free: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::new(env!("CARGO_BIN_EXE_ocus"))
        .args(["projects", "get", "x", "--max-retries", "0", "--verbose"])
        .env("OCUS_API_KEY", "ocus_demo_key")
        .env("OCUS_BASE_URL", format!("http://127.0.0.1:{port}/v3"))
        .env_remove("OCUS_API_KEY_FILE")
        .output()
        .expect("ocus runs");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(14), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: connection: could not connect to 127.0.0.1:{port}: the connection was refused"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("  caused by: "), "{stderr}");
    assert!(!stderr.contains("ocus_demo_key"));
}

#[test]
fn webhooks_sign_makes_either_form_and_verify_accepts_it() {
    let emulator = Emulator::start();
    let wrapped = br#"{ "data": {"type": "event", "id": "project.updated", "attributes": {"project_id": "p1"}} }"#;
    let run = |args: &[&str], input: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ocus"))
            .args(args)
            .env("HOOK_SECRET", "whsec_cli")
            .env("OCUS_BASE_URL", &emulator.base_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    for part in ["body", "data"] {
        let signed = run(
            &[
                "webhooks",
                "sign",
                "--secret-env",
                "HOOK_SECRET",
                "--part",
                part,
            ],
            wrapped,
        );
        assert_eq!(signed.status.code(), Some(0), "{}", text(&signed.stderr));
        let signature = text(&signed.stdout).trim().to_owned();
        assert_eq!(signature.len(), 64, "{signature}");
        let verified = run(
            &[
                "webhooks",
                "verify",
                "--signature",
                &signature,
                "--secret-env",
                "HOOK_SECRET",
            ],
            wrapped,
        );
        let event: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
        assert_eq!(event["signed_part"], part);
    }
    let refused = run(
        &[
            "webhooks",
            "sign",
            "--secret-env",
            "HOOK_SECRET",
            "--part",
            "raw",
        ],
        wrapped,
    );
    assert_eq!(
        refused.status.code(),
        Some(3),
        "a configuration error: {}",
        text(&refused.stderr)
    );
}
