//! `ocus-mock`: a local OCUS API v3 for tests and demos, with fault injection.
//!
//! It prints its base URL (`http://127.0.0.1:PORT/v3`) as the first line of stdout and serves
//! until killed. See `tests/emulator/README.md` for the admin API.

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
                  The first line of stdout is the base URL. The admin API lives under /__admin \
                  (see tests/emulator/README.md)."
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
}

// One thread: the lowest latency per request on a small machine, and the emulator's work is
// tiny; waits (delays, hung responses) are timers, not threads.
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
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
    for (state, list) in [
        (server::KeyState::Valid, valid),
        (server::KeyState::Revoked, revoked),
        (server::KeyState::Expired, expired),
    ] {
        for (index, key) in list.into_iter().enumerate() {
            keys.push(server::KeyEntry::new(key, state, None, index));
        }
    }
    server::run(args.addr, keys, args.projects, args.tls).await
}
