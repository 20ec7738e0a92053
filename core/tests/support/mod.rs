//! Starts the emulator binary for a test and stops it when dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct Emulator {
    child: Child,
    pub base_url: String,
    #[allow(dead_code)] // not every test binary drives the admin API
    pub admin_url: String,
}

impl Emulator {
    pub fn start() -> Emulator {
        let bin = emulator_binary();
        let mut child = Command::new(&bin)
            .args(["--addr", "127.0.0.1:0", "--tls"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("emulator prints its base URL");
        let base_url = line.trim().to_owned();
        assert!(
            base_url.starts_with("http://127.0.0.1:"),
            "unexpected first line {base_url:?}"
        );
        let admin_url = base_url.trim_end_matches("/v3").to_owned();
        Emulator {
            child,
            base_url,
            admin_url,
        }
    }
}

impl Emulator {
    /// One admin call over plain HTTP/1.0 (the support code has no HTTP client of its own,
    /// and the CLI's tests share it); panics unless the answer is a 2xx. Returns the body.
    pub fn admin(&self, method: &str, path: &str, body: Option<&serde_json::Value>) -> String {
        use std::io::{Read, Write};
        let address = self.admin_url.trim_start_matches("http://");
        let mut socket = std::net::TcpStream::connect(address).expect("emulator reachable");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        write!(
            socket,
            "{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        socket.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        assert!(
            head.split(' ').nth(1).is_some_and(|s| s.starts_with('2')),
            "{method} {path}: {head}"
        );
        body.to_owned()
    }

    /// `POST` to the admin API (`/__admin/reset`, `/__admin/faults`...).
    #[allow(dead_code)] // not every test binary drives the admin API
    pub async fn post(&self, path: &str, body: serde_json::Value) {
        self.admin("POST", path, Some(&body));
    }

    /// A started emulator whose only key is `key`, valid (named `alpha`).
    #[allow(dead_code)]
    pub async fn with_key(key: &str) -> Emulator {
        let emulator = Emulator::start();
        let keys = serde_json::json!({"keys": [{"key": key, "state": "valid", "name": "alpha"}]});
        emulator.post("/__admin/reset", keys).await;
        emulator
    }

    /// A client of this emulator with `key`, all else default.
    #[allow(dead_code)]
    pub fn client(&self, key: &str) -> ocus::Client {
        ocus::Client::builder()
            .api_key(key)
            .base_url(&self.base_url)
            .build()
            .expect("a client of the emulator")
    }

    /// The scenarios' `${name}` placeholders, from `/__admin/info`: `tls_base_url`,
    /// `tls_ip_base_url`, `tls_expired_base_url`, `tls_ca_file`; and from `scripts/with-proxy`
    /// (when the tests run under it): `proxy_url`, `proxy_bad_url`.
    #[allow(dead_code)] // only the scenario runner uses them
    pub fn placeholders(&self) -> Vec<(String, String)> {
        let body = self.admin("GET", "/__admin/info", None);
        let info: serde_json::Value = serde_json::from_str(&body).expect("info is JSON");
        let tls = &info["tls"];
        ["base_url", "ip_base_url", "expired_base_url", "ca_file"]
            .iter()
            .map(|name| {
                (
                    format!("tls_{name}"),
                    tls[*name]
                        .as_str()
                        .unwrap_or_else(|| panic!("/__admin/info has no tls.{name} (--tls)"))
                        .to_owned(),
                )
            })
            .chain(
                [
                    ("proxy_url", "OCUS_TEST_PROXY_URL"),
                    ("proxy_bad_url", "OCUS_TEST_PROXY_BAD_URL"),
                ]
                .into_iter()
                .filter_map(|(name, var)| Some((name.to_owned(), std::env::var(var).ok()?))),
            )
            .collect()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `OCUS_MOCK_BIN`, else the workspace's debug build (built here if missing).
fn emulator_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("OCUS_MOCK_BIN") {
        return PathBuf::from(path);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").exists())
        .expect("inside the workspace")
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let bin = target.join("debug").join("ocus-mock");
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "ocus-mock"])
            .current_dir(&workspace)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building ocus-mock failed");
    }
    bin
}
