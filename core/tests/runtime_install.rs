//! A host's runtime handed over with `ocus::runtime::install` becomes the process's: `get`
//! returns it instead of starting a second one (the Node addon relies on this). Alone in its
//! test binary: the runtime is process-wide.

#[test]
fn an_installed_runtime_is_the_one_get_returns() {
    let host = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("host-runtime")
        .enable_all()
        .build()
        .unwrap();
    assert!(ocus::runtime::install(host.handle().clone()));
    let shared = ocus::runtime::get().unwrap();
    let worker = host
        .block_on(shared.spawn(async { std::thread::current().name().map(str::to_owned) }))
        .unwrap();
    assert_eq!(worker.as_deref(), Some("host-runtime"));
    // A second host cannot replace it.
    let other = tokio::runtime::Runtime::new().unwrap();
    assert!(!ocus::runtime::install(other.handle().clone()));
}
