//! `ocus-mock`: a local OCUS API v3 for tests and demos, with fault injection.
//!
//! It prints its base URL (`http://127.0.0.1:PORT/v3`) as the first line of stdout and serves
//! until killed, or runs `-- COMMAND` against itself and stops when the command ends. The admin
//! API is `tests/emulator/README.md`, built into the binary (`--admin-help`).

mod fixtures;
mod server;
mod tls;

use std::net::SocketAddr;

use clap::Parser;

/// Keys accepted when no key flag is given (documented in the README).
pub const DEMO_KEY: &str = "ocus_demo_key";
pub const DEMO_REVOKED_KEY: &str = "ocus_demo_revoked_key";
pub const DEMO_EXPIRED_KEY: &str = "ocus_demo_expired_key";

#[derive(Parser, Debug)]
#[command(
    name = "ocus-mock",
    version,
    about = "A local emulator of the OCUS API v3, with fault injection for tests.",
    after_help = "With no key flags the demo keys are configured:\n  \
                  valid   ocus_demo_key\n  revoked ocus_demo_revoked_key\n  expired ocus_demo_expired_key\n\n\
                  The first line of stdout is the base URL. With -- COMMAND [ARGS...] it runs the \
                  command instead, with OCUS_BASE_URL, OCUS_MOCK_URL (the admin root) and \
                  OCUS_API_KEY (the first valid key) set, stops when it ends and exits with its \
                  status:\n  ocus-mock -- pytest\n\n\
                  The admin API (faults, the request log, webhook deliveries) lives under \
                  /__admin: --admin-help prints its reference."
)]
struct Args {
    /// Address to listen on; port 0 lets the OS pick.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// A valid API key (repeatable).
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,
    /// A revoked API key: 403 (repeatable).
    #[arg(long = "revoked-key", value_name = "KEY")]
    revoked_keys: Vec<String>,
    /// An expired API key: 403 (repeatable).
    #[arg(long = "expired-key", value_name = "KEY")]
    expired_keys: Vec<String>,
    /// Number of fixture projects.
    #[arg(long, default_value_t = fixtures::DEFAULT_PROJECT_COUNT)]
    projects: usize,
    /// Also serve HTTPS: a private CA made at start (its PEM file is printed and in
    /// /__admin/info), a certificate for localhost, and a second port with an expired one.
    #[arg(long)]
    tls: bool,
    /// Print the reference of the API served and of the admin API (faults, the request log,
    /// webhook deliveries), then exit.
    #[arg(long)]
    admin_help: bool,
    /// A command to run against the emulator (after `--`).
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// The emulator's reference, shipped inside the binary.
const REFERENCE: &str = include_str!("../README.md");

// One thread: the lowest latency per request on a small machine, and the emulator's work is
// tiny; waits (delays, hung responses) are timers, not threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    if args.admin_help {
        print!("{REFERENCE}");
        return Ok(());
    }
    let mut keys = Vec::new();
    let no_flags =
        args.api_keys.is_empty() && args.revoked_keys.is_empty() && args.expired_keys.is_empty();
    let (valid, revoked, expired) = if no_flags {
        (
            vec![DEMO_KEY.to_owned()],
            vec![DEMO_REVOKED_KEY.to_owned()],
            vec![DEMO_EXPIRED_KEY.to_owned()],
        )
    } else {
        (args.api_keys, args.revoked_keys, args.expired_keys)
    };
    let first_valid = valid.first().cloned();
    for (state, list) in [
        (server::KeyState::Valid, valid),
        (server::KeyState::Revoked, revoked),
        (server::KeyState::Expired, expired),
    ] {
        for (index, key) in list.into_iter().enumerate() {
            keys.push(server::KeyEntry::new(key, state, None, index));
        }
    }
    if args.command.is_empty() {
        return server::run(
            args.addr,
            keys,
            args.projects,
            args.tls,
            server::Announce::Stdout,
        )
        .await;
    }
    let (ready, base_url) = tokio::sync::oneshot::channel();
    let announce = server::Announce::To(ready);
    let server = tokio::spawn(server::run(
        args.addr,
        keys,
        args.projects,
        args.tls,
        announce,
    ));
    let Ok(base_url) = base_url.await else {
        // The server stopped before listening: its error says why.
        return server.await.map_err(std::io::Error::other)?;
    };
    let mut command = std::process::Command::new(&args.command[0]);
    command
        .args(&args.command[1..])
        .env("OCUS_MOCK_URL", base_url.trim_end_matches("/v3"))
        .env("OCUS_BASE_URL", base_url);
    match first_valid {
        Some(key) => command.env("OCUS_API_KEY", key),
        None => command.env_remove("OCUS_API_KEY"),
    };
    // A key file in the caller's environment would win over the emulator's key.
    command.env_remove("OCUS_API_KEY_FILE");
    // The command runs on a blocking thread; the server keeps serving on this one.
    let status = tokio::task::spawn_blocking(move || command.status())
        .await
        .map_err(std::io::Error::other)?;
    match status {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(error) => {
            // As a shell says it, with its exit code for a command it cannot run.
            eprintln!("ocus-mock: cannot run {:?}: {error}", args.command[0]);
            std::process::exit(127)
        }
    }
}
