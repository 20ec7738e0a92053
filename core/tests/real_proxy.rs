//! Requests through a real proxy nobody here wrote (tinyproxy, started by `scripts/with-proxy`,
//! which `make test` wraps around this binary): HTTPS goes through a CONNECT tunnel with the
//! proxy's credentials, the key stays inside the tunnel, the proxy's password is never printed.
//! Alone in its test binary, and one test: it sets proxy variables for the whole process.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use ocus::{Client, ErrorKind};

const ID: &str = "910a2dec-8902-4cc1-9758-35de1c9756ce";

fn proxy_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run this test under scripts/with-proxy (make test does)")
    })
}

fn get(client: &Client) -> ocus::Result<ocus::Project> {
    ocus::runtime::block_on(client.projects().get(ID)).unwrap()
}

/// A TCP relay in front of the proxy that keeps every byte the client sent through it: the
/// CONNECT request in clear, then only TLS records. Returns the proxy URL through the relay.
fn recording_relay(proxy: &str) -> (String, Arc<Mutex<Vec<u8>>>) {
    let (head, port) = proxy.rsplit_once(':').unwrap();
    let upstream = format!("127.0.0.1:{port}");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let through = format!("{head}:{}", listener.local_addr().unwrap().port());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let server = TcpStream::connect(&upstream).unwrap();
            let (mut from_client, mut to_server) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut from_server, mut to_client) = (server, client);
            let record = record.clone();
            std::thread::spawn(move || {
                let mut buffer = [0u8; 16384];
                while let Ok(n @ 1..) = from_client.read(&mut buffer) {
                    record.lock().unwrap().extend_from_slice(&buffer[..n]);
                    if to_server.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
                let _ = to_server.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from_server, &mut to_client);
                let _ = to_client.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (through, seen)
}

/// Connections tinyproxy accepted (any request, tunnel or not).
fn connections_logged(log: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains("Connect (file descriptor"))
        .count()
}

fn connects_logged(log: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains("CONNECT localhost:"))
        .count()
}

#[test]
fn https_goes_through_the_proxy_in_a_tunnel_and_no_secret_is_printed() {
    let (proxy, bad_proxy, log) = (
        proxy_env("OCUS_TEST_PROXY_URL"),
        proxy_env("OCUS_TEST_PROXY_BAD_URL"),
        proxy_env("OCUS_TEST_PROXY_LOG"),
    );
    let password = proxy
        .rsplit_once(':')
        .unwrap()
        .0
        .rsplit_once(':')
        .unwrap()
        .1;
    let password = password.split('@').next().unwrap().to_owned();
    // SAFETY: the only test of this binary; set before any client (or thread) reads them.
    unsafe {
        for name in [
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            std::env::remove_var(name);
        }
    }
    let emulator = support::Emulator::start();
    let places: std::collections::HashMap<_, _> = emulator.placeholders().into_iter().collect();
    let (base_url, ca) = (&places["tls_base_url"], &places["tls_ca_file"]);
    let builder = || {
        Client::builder()
            .api_key("ocus_demo_key")
            .base_url(base_url)
            .ca_bundle(ca)
            .max_retries(0)
    };

    // The explicit option: one CONNECT per connection, the key inside the tunnel. Every byte
    // the proxy received is recorded on the way: the CONNECT in clear, then TLS only.
    let (through_relay, received) = recording_relay(&proxy);
    let before = connects_logged(&log);
    let client = builder().proxy(&through_relay).build().unwrap();
    assert_eq!(get(&client).unwrap().id, ID);
    assert_eq!(
        connects_logged(&log),
        before + 1,
        "one tunnel through the proxy"
    );
    let received = String::from_utf8_lossy(&received.lock().unwrap()).into_owned();
    assert!(
        received.starts_with("CONNECT localhost:"),
        "{received:.200}"
    );
    assert!(
        received
            .to_ascii_lowercase()
            .contains("proxy-authorization: basic"),
        "{received:.200}"
    );
    for secret in ["ocus_demo_key", "x-api-key", "X-API-KEY", password.as_str()] {
        assert!(
            !received.contains(secret),
            "{secret} reached the proxy in clear"
        );
    }
    let shown = format!("{:?}", builder().proxy(&proxy));
    assert!(
        !shown.contains(&password),
        "Debug printed the proxy password: {shown}"
    );

    // Wrong credentials: a connection error that names neither password.
    let refused = get(&builder().proxy(&bad_proxy).build().unwrap()).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Connection, "{refused}");
    assert_eq!(refused.code(), Some("proxy_refused"), "{refused}");
    assert!(refused.message().contains("credentials"), "{refused}");
    let printed = format!("{refused} {refused:?} {:?}", refused.causes());
    assert!(!printed.contains(&password), "{printed}");
    assert!(!printed.contains("wrong-"), "{printed}");

    // A malformed proxy is a configuration error that does not echo it.
    let malformed = builder()
        .proxy("socks9://user:hunter2@x")
        .build()
        .unwrap_err();
    assert_eq!(malformed.kind(), ErrorKind::Configuration);
    assert!(!malformed.to_string().contains("hunter2"), "{malformed}");

    // The standard variables keep working, and the explicit option wins over them.
    // SAFETY: as above; no other thread reads the environment here.
    unsafe { std::env::set_var("HTTPS_PROXY", &proxy) };
    let before = connects_logged(&log);
    assert_eq!(get(&builder().build().unwrap()).unwrap().id, ID);
    assert_eq!(
        connects_logged(&log),
        before + 1,
        "HTTPS_PROXY was not used"
    );
    unsafe { std::env::set_var("HTTPS_PROXY", &bad_proxy) };
    assert_eq!(
        get(&builder().proxy(&proxy).build().unwrap()).unwrap().id,
        ID
    );

    // NO_PROXY exempts a host from any proxy, explicit or not.
    unsafe { std::env::set_var("NO_PROXY", "localhost") };
    let before = connects_logged(&log);
    assert_eq!(
        get(&builder().proxy(&proxy).build().unwrap()).unwrap().id,
        ID
    );
    assert_eq!(connects_logged(&log), before, "NO_PROXY was not honoured");

    // A plain-http (loopback) base URL never goes through a proxy.
    unsafe { std::env::remove_var("NO_PROXY") };
    let before = connections_logged(&log);
    let plain = Client::builder()
        .api_key("ocus_demo_key")
        .base_url(&emulator.base_url)
        .proxy(&bad_proxy)
        .max_retries(0)
        .build()
        .unwrap();
    assert_eq!(get(&plain).unwrap().id, ID);
    assert_eq!(
        connections_logged(&log),
        before,
        "plain http went to the proxy"
    );
    unsafe { std::env::remove_var("HTTPS_PROXY") };
}
