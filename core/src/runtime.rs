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

static RUNTIME: OnceLock<Mutex<Option<(u32, &'static Runtime)>>> = OnceLock::new();

/// The process-wide runtime, rebuilt after a fork.
pub fn get() -> Result<&'static Runtime> {
    let cell = RUNTIME.get_or_init(|| Mutex::new(None));
    let mut slot = cell.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    if let Some((owner, runtime)) = *slot
        && owner == pid
    {
        return Ok(runtime);
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get().clamp(1, 4))
        .unwrap_or(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("ocus-runtime")
        .enable_all()
        .build()
        .map_err(|e| Error::configuration("cannot start the async runtime").with_source(e))?;
    let runtime: &'static Runtime = Box::leak(Box::new(runtime));
    *slot = Some((pid, runtime));
    Ok(runtime)
}

/// Runs `future` to completion on the shared runtime from a thread that is not a runtime
/// worker.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    Ok(get()?.block_on(future))
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

/// Like [`block_on`], returning a `cancelled` error as soon as `token` is cancelled.
pub fn block_on_cancellable<T>(
    future: impl Future<Output = Result<T>>,
    token: &CancelToken,
) -> Result<T> {
    block_on(async {
        tokio::select! {
            biased;
            () = token.0.cancelled() => Err(Error::new(ErrorKind::Cancelled, "the request was cancelled")),
            result = future => result,
        }
    })?
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
