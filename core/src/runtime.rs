//! One shared tokio runtime for blocking callers (the C ABI, Python's sync client).
//!
//! Created once per process, never per call. After `fork()` its threads do not exist in the
//! child, so the child gets a fresh runtime (the parent's is leaked, not shut down: shutting
//! it down would wait for threads that are gone).

use std::future::Future;
use std::sync::{Mutex, OnceLock};

use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, ErrorKind, Result};

type Slot = OnceLock<Mutex<Option<(u32, &'static Runtime)>>>;

static RUNTIME: Slot = OnceLock::new();
static CALLER_DRIVEN: Slot = OnceLock::new();

fn per_process(slot: &Slot, build: fn() -> std::io::Result<Runtime>) -> Result<&'static Runtime> {
    let cell = slot.get_or_init(|| Mutex::new(None));
    let mut slot = cell.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    if let Some((owner, runtime)) = *slot
        && owner == pid
    {
        return Ok(runtime);
    }
    let runtime = build()
        .map_err(|e| Error::configuration("cannot start the async runtime").with_source(e))?;
    let runtime: &'static Runtime = Box::leak(Box::new(runtime));
    *slot = Some((pid, runtime));
    Ok(runtime)
}

/// The process-wide multi-thread runtime, rebuilt after a fork: for callers that need tasks to
/// make progress on their own (asyncio and Node bridges, which spawn and get called back).
pub fn get() -> Result<&'static Runtime> {
    per_process(&RUNTIME, || {
        let workers = std::thread::available_parallelism()
            .map(|n| n.get().clamp(1, 4))
            .unwrap_or(2);
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("ocus-runtime")
            .enable_all()
            .build()
    })
}

/// The process-wide runtime for blocking callers, rebuilt after a fork. It has no threads of
/// its own: the calling threads drive it inside [`block_on`] (one at a time drives the I/O of
/// all, the others poll their own futures), so a lone caller does its request's whole round
/// trip itself, without a hand-off to a worker thread and back.
///
/// Connections are bound to the runtime that opened them: a [`crate::Client`] used through
/// [`block_on`] must not also be used from [`get`]'s runtime.
pub fn caller_driven() -> Result<&'static Runtime> {
    per_process(&CALLER_DRIVEN, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    })
}

/// Runs `future` to completion on the caller-driven runtime; call it from any thread that is
/// not inside a runtime.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    Ok(caller_driven()?.block_on(future))
}

/// A handle that cancels a blocking call from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(CancellationToken);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call waiting on this token; the request future is dropped, which closes
    /// its connection.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// Runs `future` until it finishes or `token` is cancelled (then it is dropped, which closes
/// its connection, and a `cancelled` error is returned).
pub async fn cancellable<T>(
    future: impl Future<Output = Result<T>>,
    token: &CancelToken,
) -> Result<T> {
    tokio::select! {
        biased;
        () = token.0.cancelled() => Err(Error::new(ErrorKind::Cancelled, "the request was cancelled")),
        result = future => result,
    }
}

/// Like [`block_on`], returning a `cancelled` error as soon as `token` is cancelled.
pub fn block_on_cancellable<T>(
    future: impl Future<Output = Result<T>>,
    token: &CancelToken,
) -> Result<T> {
    block_on(cancellable(future, token))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn the_runtime_is_shared_and_cancellation_is_prompt() {
        assert!(std::ptr::eq(get().unwrap(), get().unwrap()));
        let token = CancelToken::new();
        let canceller = token.clone();
        let started = Instant::now();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            canceller.cancel();
        });
        let result: Result<()> = block_on_cancellable(
            async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            },
            &token,
        );
        assert_eq!(result.unwrap_err().kind(), ErrorKind::Cancelled);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
