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
            .args(["--addr", "127.0.0.1:0"])
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
