//! The process's tokio runtimes: one for blocking callers (the C ABI, Python's sync client),
//! one for started calls: a multi-thread runtime whose tasks run on their own (the C ABI's
//! started calls, Python's asyncio bridge). A host with a runtime of its own hands it over
//! with [`install`] (the Node addon gives napi's, which drives its async functions; the JVM
//! lends a thread to [`host_driven`]'s), so anything in that process asking for [`get`] shares
//! it instead of starting a second.
//!
//! Created once per process, never per call. After `fork()` its threads do not exist in the
//! child, so the child gets a fresh runtime (the parent's is leaked, not shut down: shutting
//! it down would wait for threads that are gone).

use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::runtime::{Handle, Runtime};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, ErrorKind, Result};

/// This process's id, read once and again only after a `fork()`: every call checks it (the
/// runtimes and connection pools belong to the process that made them), and
/// `std::process::id()` is a system call each time. 0: not read yet in this process.
static PROCESS_ID: AtomicU32 = AtomicU32::new(0);

/// The current process's id, without a system call except the first time in a process.
pub fn process_id() -> u32 {
    match PROCESS_ID.load(Ordering::Relaxed) {
        0 => read_process_id(),
        pid => pid,
    }
}

#[cfg(unix)]
fn read_process_id() -> u32 {
    static FORK_HOOK: std::sync::Once = std::sync::Once::new();
    // In a forked child the hook forgets the parent's id before any code of the child runs,
    // so the next `process_id` reads the child's. Registered before the first store: a fork
    // in between leaves the child reading its own id anyway.
    FORK_HOOK.call_once(|| {
        extern "C" fn forget_in_child() {
            PROCESS_ID.store(0, Ordering::Relaxed);
        }
        // SAFETY: registers a handler that only stores to an atomic (async-signal-safe).
        unsafe { libc::pthread_atfork(None, None, Some(forget_in_child)) };
    });
    let pid = std::process::id();
    PROCESS_ID.store(pid, Ordering::Relaxed);
    pid
}

#[cfg(not(unix))]
fn read_process_id() -> u32 {
    // No fork here: read once.
    let pid = std::process::id();
    PROCESS_ID.store(pid, Ordering::Relaxed);
    pid
}

type Slot = OnceLock<Mutex<Option<(u32, &'static Runtime)>>>;

static CALLER_DRIVEN: Slot = OnceLock::new();

fn per_process(slot: &Slot, build: fn() -> std::io::Result<Runtime>) -> Result<&'static Runtime> {
    let cell = slot.get_or_init(|| Mutex::new(None));
    let mut slot = cell.lock().unwrap_or_else(|p| p.into_inner());
    let pid = process_id();
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

/// The owner's pid, the runtime's handle, and the runtime itself when started here (kept
/// reachable: it is leaked on purpose, not lost).
type Shared = Option<(u32, Handle, Option<&'static Runtime>)>;

static SHARED: OnceLock<Mutex<Shared>> = OnceLock::new();

/// The process-wide runtime for started calls, rebuilt after a fork: for callers that need
/// tasks to make progress without them (the C ABI's started calls, the asyncio bridge). The one
/// a host handed over with [`install`] (driven by the host), else a multi-thread one started
/// here (up to 4 workers).
pub fn get() -> Result<Handle> {
    let mut slot = SHARED
        .get_or_init(|| Mutex::new(None))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let pid = process_id();
    if let Some((owner, handle, _)) = &*slot
        && *owner == pid
    {
        return Ok(handle.clone());
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
    // Leaked, not dropped: after a fork the parent's threads are gone, and a drop would wait.
    let runtime: &'static Runtime = Box::leak(Box::new(runtime));
    *slot = Some((pid, runtime.handle().clone(), Some(runtime)));
    Ok(runtime.handle().clone())
}

/// Makes `handle`'s runtime the process's multi-thread runtime, for a host that runs one of
/// its own (the Node addon hands over the runtime napi drives its async functions on), so the
/// process does not run two. Returns false, changing nothing, if [`get`] already has one.
pub fn install(handle: Handle) -> bool {
    let mut slot = SHARED
        .get_or_init(|| Mutex::new(None))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let pid = process_id();
    if matches!(&*slot, Some((owner, _, _)) if *owner == pid) {
        return false;
    }
    *slot = Some((pid, handle, None));
    true
}

static HOST_DRIVEN: Slot = OnceLock::new();

/// A runtime with no threads of its own, driven by one thread the host lends to it
/// ([`Completions::run`](crate::completion::Completions::run)), and made the process's
/// runtime for started calls ([`install`]) if the process has none yet: the thread that hands
/// results over then also does the calls' I/O, so a started call's result reaches the host
/// without a hand-off from a worker thread (the JVM's completion thread).
/// If the process already had one, started calls run there and the lent thread only waits.
pub fn host_driven() -> Result<&'static Runtime> {
    per_process(&HOST_DRIVEN, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        install(runtime.handle().clone());
        Ok(runtime)
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
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // Once per runtime (so once per process, and again in a forked child, which builds
        // its own): no cost on the calls themselves.
        start_sweeping();
        Ok(runtime)
    })
}

/// Lets the caller-driven runtime run what is waiting, briefly, when no caller is driving it:
/// a dropped client's pooled connections close their sockets only when their tasks run, and
/// on this runtime tasks run only inside a blocking call. Bindings call it after freeing a
/// client, so its sockets close now rather than at the process's next call. A no-op inside a
/// runtime, or before any blocking call was made.
pub fn run_pending() {
    if Handle::try_current().is_ok() {
        return;
    }
    let Some(cell) = CALLER_DRIVEN.get() else {
        return;
    };
    let runtime = match *cell.lock().unwrap_or_else(|p| p.into_inner()) {
        Some((owner, runtime)) if owner == process_id() => runtime,
        _ => return,
    };
    // One turn at a time: a turn started while another thread holds the runtime's driver runs
    // nothing, so the last caller of a burst, leaving while the sweep takes its turn, would
    // leave the extra connections open until the sweep's next one.
    static TURN: Mutex<()> = Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    runtime.block_on(async {
        // A few turns: woken connection tasks run, see their pool gone and shut down.
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
    });
}

/// Blocking callers inside [`block_on`] now, and whether more than one was at once since the
/// last time none was.
static CALLERS: AtomicU32 = AtomicU32::new(0);
static OVERLAPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Runs `future` to completion on the caller-driven runtime; call it from any thread that is
/// not inside a runtime (the bindings' blocking calls).
///
/// When the last of several overlapping callers leaves, it lets the runtime run what is
/// waiting ([`run_pending`]): a burst of calls from many threads opens more connections than
/// the pool keeps idle, and the extra ones close only when their tasks run, which on this
/// runtime is inside a call. A lone sequential caller never pays for it.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    let runtime = caller_driven()?;
    if CALLERS.fetch_add(1, Ordering::AcqRel) > 0 {
        OVERLAPPED.store(true, Ordering::Relaxed);
    }
    // Counted out even if `future` panics.
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            if CALLERS.fetch_sub(1, Ordering::AcqRel) == 1
                && OVERLAPPED.swap(false, Ordering::Relaxed)
            {
                run_pending();
            }
        }
    }
    let _leave = Leave;
    Ok(runtime.block_on(future))
}

/// How often the sweep drives the caller-driven runtime, in ms: half the shortest idle timeout
/// of the clients built in this process (never shorter than 45 ms: hyper checks its pool at
/// most every 90 ms anyway).
static SWEEP_PERIOD_MS: AtomicU64 = AtomicU64::new(u64::MAX);
/// This process's sweep thread, to wake when a shorter idle timeout arrives.
static SWEEPER: Mutex<Option<std::thread::Thread>> = Mutex::new(None);

/// Notes a client's idle timeout. On the caller-driven runtime, timers run only inside a
/// call: the sweep runs the runtime twice per idle timeout, so a connection left unused after
/// the last call still closes as [`crate::IDLE_CONNECTION_TIMEOUT`] says.
pub(crate) fn sweep_within(idle_timeout: Duration) {
    let half = (idle_timeout.as_millis() / 2).clamp(45, 60_000) as u64;
    if SWEEP_PERIOD_MS.fetch_min(half, Ordering::Relaxed) > half
        && let Some(thread) = &*SWEEPER.lock().unwrap_or_else(|p| p.into_inner())
    {
        thread.unpark(); // sleeping for the longer period
    }
}

/// How often a runtime that runs only when driven must run so that idle connections close on
/// time: half the shortest idle timeout of the clients built in this process so far (at least
/// 45 ms); `None` before any client. A host driving [`EventLoopRuntime`] runs it this often.
pub fn sweep_period() -> Option<Duration> {
    match SWEEP_PERIOD_MS.load(Ordering::Relaxed) {
        u64::MAX => None,
        ms => Some(Duration::from_millis(ms)),
    }
}

/// Starts the sweep thread of a new caller-driven runtime. If the system refuses a thread,
/// idle connections still close at the next call, as they did before the sweep.
fn start_sweeping() {
    let started = std::thread::Builder::new()
        .name("ocus-idle-sweep".to_owned())
        .spawn(|| {
            loop {
                let period = SWEEP_PERIOD_MS.load(Ordering::Relaxed).min(60_000);
                std::thread::park_timeout(Duration::from_millis(period));
                // A caller inside a call drives the runtime already.
                if CALLERS.load(Ordering::Acquire) == 0 {
                    run_pending();
                }
            }
        });
    if let Ok(handle) = started {
        *SWEEPER.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle.thread().clone());
    }
}

/// Calls started since the last [`EventLoopRuntime::run_ready`] that it spawns from inside.
#[cfg(tokio_unstable)]
const STARTS_INSIDE: usize = 64;

/// A runtime with no threads of its own, driven by a host's event loop (Node's libuv): the
/// host watches [`fd`](Self::fd), the runtime's own epoll descriptor, which is readable when
/// its I/O is ready or a task was woken from another thread, and calls
/// [`run_ready`](Self::run_ready) on its thread then, after starting calls, and on a timer
/// while calls wait (the runtime's timers fire only when it runs). A call's I/O and its result
/// then stay on the host's thread: no hand-off to a worker thread and back.
///
/// Linux only, and only in a build with `--cfg tokio_unstable` (`.cargo/config.toml`):
/// [`run_ready`](Self::run_ready) must see whether tasks are still queued, which only tokio's
/// unstable metrics tell. Elsewhere [`new`](Self::new) fails and hosts keep their threaded path.
pub struct EventLoopRuntime {
    runtime: Runtime,
    /// Tasks to spawn at the start of the next [`run_ready`](Self::run_ready): spawned from
    /// inside the runtime they are queued there, where a spawn from outside would also wake
    /// the runtime's driver (a write to its eventfd, then one more event to poll).
    starting: Mutex<Vec<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>>>,
    #[cfg(target_os = "linux")]
    fd: std::os::fd::RawFd,
}

impl std::fmt::Debug for EventLoopRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLoopRuntime").finish_non_exhaustive()
    }
}

impl EventLoopRuntime {
    /// A new runtime, or an error where this build or platform has none (see above).
    pub fn new() -> Result<Self> {
        Self::build().map_err(|e| {
            Error::configuration("cannot start a runtime for the event loop").with_source(e)
        })
    }

    #[cfg(all(target_os = "linux", tokio_unstable))]
    fn build() -> std::io::Result<Self> {
        use std::collections::HashSet;
        // The epoll descriptors open now (tokio does not tell which one is its own).
        fn epoll_descriptors() -> std::io::Result<HashSet<i32>> {
            let mut found = HashSet::new();
            for entry in std::fs::read_dir("/proc/self/fd")? {
                let entry = entry?;
                let is_epoll = std::fs::read_link(entry.path())
                    .is_ok_and(|target| target.as_os_str() == "anon_inode:[eventpoll]");
                if let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse().ok())
                    && is_epoll
                {
                    found.insert(fd);
                }
            }
            Ok(found)
        }
        // One build at a time here, so two hosts starting together cannot take each other's.
        static BUILDING: Mutex<()> = Mutex::new(());
        let _one = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
        // tokio keeps a duplicate of its descriptor (mio's registry), so two appear: the same
        // epoll instance, registering the same descriptors. Another thread opening one at the
        // same moment makes it ambiguous: then the runtime is built again (a few times).
        let registrations = |fd: i32| {
            std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).map(|info| {
                info.lines()
                    .filter(|line| line.starts_with("tfd:"))
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
        };
        let mut attempts = 0;
        let (runtime, fd) = loop {
            attempts += 1;
            let before = epoll_descriptors()?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let mut new: Vec<i32> = epoll_descriptors()?
                .into_iter()
                .filter(|fd| !before.contains(fd))
                .collect();
            new.sort_unstable();
            let Some(&fd) = new.first() else {
                return Err(std::io::Error::other(
                    "the runtime's epoll descriptor was not found",
                ));
            };
            let watched = registrations(fd)?;
            let mut same = !watched.is_empty();
            for other in &new[1..] {
                same = same && registrations(*other)? == watched;
            }
            if same {
                break (runtime, fd);
            }
            if attempts == 5 {
                return Err(std::io::Error::other(
                    "the runtime's epoll descriptor is not known (others were opened meanwhile)",
                ));
            }
        };
        Ok(EventLoopRuntime {
            runtime,
            fd,
            starting: Mutex::default(),
        })
    }

    #[cfg(not(all(target_os = "linux", tokio_unstable)))]
    fn build() -> std::io::Result<Self> {
        Err(std::io::Error::other(
            "driving a runtime from an event loop needs Linux and a tokio_unstable build",
        ))
    }

    /// The descriptor to watch for readability (the runtime's epoll descriptor; it stays the
    /// runtime's: do not close it).
    #[cfg(target_os = "linux")]
    pub fn fd(&self) -> std::os::fd::RawFd {
        self.fd
    }

    /// Spawns `task` here at the start of the next [`run_ready`](Self::run_ready) (which the
    /// host must call soon: nothing wakes it for this).
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut starting = self.starting.lock().unwrap_or_else(|p| p.into_inner());
        starting.push(Box::pin(task));
    }

    /// Runs everything ready now on the calling thread (the host's, outside any runtime):
    /// queued tasks, ready I/O and expired timers, again until none is left, then returns.
    /// Never waits for I/O. Returns false if tasks are still queued after a bounded number of
    /// rounds (tasks that keep waking each other must not hold the host's thread for ever):
    /// the host runs it again soon, on its timer.
    pub fn run_ready(&self) -> bool {
        #[cfg(tokio_unstable)]
        {
            let metrics = self.runtime.metrics();
            // A few calls started are spawned from inside the runtime: queued there, without the
            // write to its eventfd a spawn from outside makes. A burst beyond those goes through
            // the runtime's queue for other threads, which it takes one at a time between the
            // tasks already running: a burst of thousands started at once would otherwise all
            // open connections before the first call finishes (measured: 4x slower at 10,000).
            let mut start = self.take_starting(usize::MAX);
            let burst = start.split_off(start.len().min(STARTS_INSIDE));
            for task in burst {
                self.runtime.spawn(task);
            }
            let mut start = Some(start);
            for _ in 0..64 {
                // One round: the queued tasks run, then the I/O and timers are polled without
                // waiting; `block_on` returns then, leaving the tasks that poll woke queued.
                let start = start.take().unwrap_or_default();
                self.runtime.block_on(async move {
                    for task in start {
                        tokio::spawn(task);
                    }
                    tokio::task::yield_now().await;
                });
                if metrics.worker_local_queue_depth(0) == 0 && metrics.global_queue_depth() == 0 {
                    return true;
                }
            }
            false
        }
        #[cfg(not(tokio_unstable))]
        {
            let starting = self.take_starting(usize::MAX);
            self.runtime.block_on(async move {
                for task in starting {
                    tokio::spawn(task);
                }
                tokio::task::yield_now().await;
            });
            false
        }
    }

    fn take_starting(
        &self,
        most: usize,
    ) -> Vec<std::pin::Pin<Box<dyn Future<Output = ()> + Send>>> {
        let mut starting = self.starting.lock().unwrap_or_else(|p| p.into_inner());
        let count = starting.len().min(most);
        starting.drain(..count).collect()
    }

    /// Stops the runtime without waiting for its tasks (the host is going away); tasks not started
    /// yet are dropped.
    pub fn shut_down(self) {
        self.runtime.shutdown_background();
    }
}

/// A handle that cancels a blocking call from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(CancellationToken);

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call waiting on this token; the request future is dropped, which closes
    /// its connection.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether `cancel` was called.
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
        // The second call starts no second runtime (no more "ocus-runtime" threads).
        let workers = || {
            std::fs::read_dir("/proc/self/task")
                .unwrap()
                .filter(|task| {
                    let comm = task.as_ref().unwrap().path().join("comm");
                    std::fs::read_to_string(comm).unwrap_or_default().trim() == "ocus-runtime"
                })
                .count()
        };
        let _first = get().unwrap();
        std::thread::sleep(Duration::from_millis(20)); // its workers have started
        let before = workers();
        let second = get().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        second.spawn(async move { sender.send(std::thread::current().name().map(str::to_owned)) });
        assert_eq!(receiver.recv().unwrap().as_deref(), Some("ocus-runtime"));
        assert_eq!(workers(), before);
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

    /// An event loop's runtime runs only inside `run_ready`, on the caller's thread; its
    /// descriptor turns readable when I/O waits, and a timer fires at the first run after it.
    #[cfg(all(target_os = "linux", tokio_unstable))]
    #[test]
    fn an_event_loop_runtime_runs_when_driven_and_its_descriptor_says_when() {
        use std::io::Write;
        let runtime = EventLoopRuntime::new().unwrap();
        let readable = |timeout_ms: i32| {
            let mut watched = libc::pollfd {
                fd: runtime.fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            unsafe { libc::poll(&mut watched, 1, timeout_ms) == 1 }
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let (sender, received) = std::sync::mpsc::channel();
        let driver = std::thread::current().id();
        runtime.spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
            let mut greeting = [0u8; 5];
            tokio::io::AsyncReadExt::read_exact(&mut stream, &mut greeting)
                .await
                .unwrap();
            sender
                .send((greeting, std::thread::current().id()))
                .unwrap();
        });
        let (timer_sender, timer) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            timer_sender.send(()).unwrap();
        });
        assert!(listener.set_nonblocking(true).is_ok());
        assert!(runtime.run_ready()); // the spawned tasks start: a connect, a timer
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut peer = loop {
            match listener.accept() {
                Ok((peer, _)) => break peer,
                Err(_) if Instant::now() < deadline => {
                    if readable(10) {
                        runtime.run_ready();
                    }
                }
                Err(e) => panic!("no connection: {e}"),
            }
        };
        peer.write_all(b"hello").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            received.try_recv().is_err() && timer.try_recv().is_err(),
            "ran undriven"
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        let (greeting, thread) = loop {
            assert!(Instant::now() < deadline, "never read");
            if readable(100) {
                runtime.run_ready();
            }
            if let Ok(done) = received.try_recv() {
                break done;
            }
        };
        assert_eq!((&greeting, thread), (b"hello", driver));
        assert!(
            timer.try_recv().is_ok(),
            "the expired timer fired in the same run"
        );
        assert!(!readable(0), "nothing waits after a run");
        runtime.shut_down();
    }

    /// The cached process id is the child's after a fork (read in the child, which reports
    /// back through its exit status). That a known id costs no system call is counted by
    /// `make bench-syscalls`, not here.
    #[cfg(unix)]
    #[test]
    fn the_process_id_is_cached_and_forgotten_in_a_forked_child() {
        let parent = process_id();
        assert_eq!(parent, std::process::id());
        // SAFETY: the child only reads atomics, calls getpid and exits without unwinding.
        let child = unsafe { libc::fork() };
        assert!(child >= 0, "fork failed");
        if child == 0 {
            let ok = process_id() == std::process::id() && process_id() != parent;
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        let mut status = 0;
        // SAFETY: waits for the child just forked.
        assert_eq!(unsafe { libc::waitpid(child, &mut status, 0) }, child);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "the child saw the parent's id"
        );
        assert_eq!(process_id(), parent);
    }
}
