//! `ocus-mock -- COMMAND`: the command runs against a live emulator with the variables every
//! client reads, and its exit status is the emulator's.

use std::process::Command;

fn mock() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ocus-mock"))
}

#[test]
fn the_command_gets_the_base_url_and_the_demo_key_and_its_status_is_kept() {
    // The command asks the emulator for a project with the key it was given: 200 only if both
    // reached it. Python's standard library stands in for a user's test runner.
    let script = r#"
import os, sys, urllib.request
base = os.environ["OCUS_BASE_URL"]
assert os.environ["OCUS_MOCK_URL"] + "/v3" == base, base
assert "OCUS_API_KEY_FILE" not in os.environ
request = urllib.request.Request(base + "/projects?page%5Bsize%5D=1", headers={"X-API-KEY": os.environ["OCUS_API_KEY"]})
with urllib.request.urlopen(request) as response:
    sys.exit(7 if response.status == 200 else 1)
"#;
    let status = mock()
        .args(["--", "python3", "-c", script])
        .env("OCUS_API_KEY", "a_real_key_that_must_not_be_used")
        .env("OCUS_API_KEY_FILE", "/nonexistent")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(7));
}

#[test]
fn a_command_that_cannot_run_is_127_and_named() {
    let output = mock()
        .args(["--", "no-such-command-ocus"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(127));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot run \"no-such-command-ocus\""),
        "{stderr}"
    );
}

#[test]
fn the_admin_reference_is_built_in() {
    let output = mock().arg("--admin-help").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success()
            && text.contains("/__admin/faults")
            && text.contains("/__admin/webhooks")
    );
}
