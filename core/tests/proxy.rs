//! A system proxy must never carry a plain-http request (only loopback is allowed over http,
//! and a proxy would take the key off the machine in clear text). Alone in its test binary:
//! it sets HTTP_PROXY for the whole process.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[test]
fn http_proxy_variables_are_ignored_for_plain_http_base_urls() {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    proxy.set_nonblocking(true).unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let watcher = std::thread::spawn(move || {
        for _ in 0..40 {
            if let Ok((mut stream, _)) = proxy.accept() {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    });
    // SAFETY: set before this test binary starts any other thread that reads the environment.
    unsafe {
        for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
            std::env::set_var(name, &proxy_url);
        }
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }
    let emulator = support::Emulator::start();
    let client = ocus::Client::builder()
        .api_key("ocus_demo_key")
        .base_url(&emulator.base_url)
        .max_retries(0)
        .build()
        .unwrap();
    let page = ocus::runtime::block_on(
        client
            .projects()
            .list(&ocus::ListParams::new().page_size(1)),
    )
    .unwrap()
    .unwrap();
    assert_eq!(page.data.len(), 1);
    watcher.join().unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the request went through the proxy"
    );
}
