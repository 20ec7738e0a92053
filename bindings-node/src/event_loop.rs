//! Linux: a JS environment's started calls run on a runtime driven by that environment's own
//! libuv loop (the core's [`DrivenCalls`], as for Go and Python's asyncio), so a call's I/O and
//! its result stay on the JS thread, as undici's do: no hand-off to a worker thread, and no
//! threadsafe function to come back. libuv watches the runtime's epoll descriptor; the runtime
//! turns when it is readable, before the loop blocks after calls were started, and as the core's
//! last turn asked (`Turn::again_within`: at once, or on a tick while calls run, for the
//! runtime's own timers: timeouts, retry delays). Results then go straight to `onReady`.
//!
//! libuv's functions come from the host process (`dlsym`): Node exports them to addons. Where a
//! step fails (another platform, Bun or Deno, a libuv refusal), the caller keeps its threaded
//! path.

use std::cell::{Cell, RefCell};
use std::ffi::{CStr, c_int, c_void};
use std::ptr::null_mut;
use std::sync::OnceLock;
use std::time::Duration;

use napi::sys;
use ocus::completion::{DrivenCalls, TICK_WHILE_RUNNING};
use ocus::runtime::CancelToken;

/// How long a turn goes on handing results over before it gives the loop back (see
/// `EventLoop::turn`).
const TURN_BUDGET: Duration = Duration::from_millis(5);
/// The tick while calls run: the core's, for every host that drives a runtime.
const TICK_MS: u64 = TICK_WHILE_RUNNING.as_millis() as u64;

// uv.h's uv_handle_type values and uv_poll_event.
const UV_POLL: c_int = 8;
const UV_PREPARE: c_int = 9;
const UV_TIMER: c_int = 13;
const UV_READABLE: c_int = 1;

type HandleCallback = unsafe extern "C" fn(*mut c_void);
type PollCallback = unsafe extern "C" fn(*mut c_void, c_int, c_int);

type HandleSize = unsafe extern "C" fn(c_int) -> usize;
type PollInit = unsafe extern "C" fn(*mut c_void, *mut c_void, c_int) -> c_int;
type PollStart = unsafe extern "C" fn(*mut c_void, c_int, PollCallback) -> c_int;
type HandleInit = unsafe extern "C" fn(*mut c_void, *mut c_void) -> c_int;
type TimerStart = unsafe extern "C" fn(*mut c_void, HandleCallback, u64, u64) -> c_int;
type HandleStart = unsafe extern "C" fn(*mut c_void, HandleCallback) -> c_int;
type HandleStop = unsafe extern "C" fn(*mut c_void) -> c_int;
type Unref = unsafe extern "C" fn(*mut c_void);
type Close = unsafe extern "C" fn(*mut c_void, Option<HandleCallback>);

/// The libuv functions used, looked up once in the host process.
struct Uv {
    handle_size: HandleSize,
    poll_init: PollInit,
    poll_start: PollStart,
    timer_init: HandleInit,
    timer_start: TimerStart,
    timer_stop: HandleStop,
    prepare_init: HandleInit,
    prepare_start: HandleStart,
    prepare_stop: HandleStop,
    unref: Unref,
    close: Close,
}

fn uv() -> Option<&'static Uv> {
    static UV: OnceLock<Option<Uv>> = OnceLock::new();
    UV.get_or_init(|| {
        fn find(name: &CStr) -> Option<*mut c_void> {
            // SAFETY: looks a symbol up in the process; nothing is called here.
            let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
            (!symbol.is_null()).then_some(symbol)
        }
        macro_rules! function {
            ($name:literal as $type:ty) => {
                // SAFETY: libuv's exported function of that name, with uv.h's signature.
                unsafe { std::mem::transmute::<*mut c_void, $type>(find($name)?) }
            };
        }
        Some(Uv {
            handle_size: function!(c"uv_handle_size" as HandleSize),
            poll_init: function!(c"uv_poll_init" as PollInit),
            poll_start: function!(c"uv_poll_start" as PollStart),
            timer_init: function!(c"uv_timer_init" as HandleInit),
            timer_start: function!(c"uv_timer_start" as TimerStart),
            timer_stop: function!(c"uv_timer_stop" as HandleStop),
            prepare_init: function!(c"uv_prepare_init" as HandleInit),
            prepare_start: function!(c"uv_prepare_start" as HandleStart),
            prepare_stop: function!(c"uv_prepare_stop" as HandleStop),
            unref: function!(c"uv_unref" as Unref),
            close: function!(c"uv_close" as Close),
        })
    })
    .as_ref()
}

/// Whether this is Bun or Deno: their N-API has no libuv loop (Bun exports libuv's names as
/// stubs that abort), so calls take the threaded crossing there.
fn not_node(env: sys::napi_env) -> bool {
    // SAFETY: napi calls on the environment's thread, inside the constructor's handle scope.
    unsafe {
        let (mut global, mut process, mut versions) = (null_mut(), null_mut(), null_mut());
        if sys::napi_get_global(env, &mut global) != sys::Status::napi_ok
            || sys::napi_get_named_property(env, global, c"process".as_ptr(), &mut process)
                != sys::Status::napi_ok
            || sys::napi_get_named_property(env, process, c"versions".as_ptr(), &mut versions)
                != sys::Status::napi_ok
        {
            return true; // not Node's `process`
        }
        [c"bun", c"deno"].iter().any(|name| {
            let mut has = false;
            sys::napi_has_named_property(env, versions, name.as_ptr(), &mut has);
            has
        })
    }
}

/// Room for any libuv handle (they are 100-200 bytes); `data`, its first field, points back to
/// the [`EventLoop`].
type HandleMemory = [u128; 32];

fn new_handle(uv: &Uv, kind: c_int) -> Option<*mut c_void> {
    // SAFETY: a size query.
    if unsafe { (uv.handle_size)(kind) } > std::mem::size_of::<HandleMemory>() {
        return None;
    }
    Some(Box::into_raw(Box::new([0u128; 32])).cast())
}

/// A handle closed: its memory is freed, and once the last is, the environment's cleanup ends.
unsafe extern "C" fn free_handle(handle: *mut c_void) {
    // SAFETY: one of a loop's handles, closed; `data` still points at the (leaked) loop.
    let event_loop = unsafe { owner(handle) };
    let open = event_loop.open_handles.get() - 1;
    event_loop.open_handles.set(open);
    // SAFETY: closed: libuv no longer uses it.
    unsafe { free_handle_memory(handle) };
    let hook = event_loop.cleanup.get();
    if open == 0 && !hook.is_null() && event_loop.cleaning.get() {
        // SAFETY: the hook registered in `new`, running now, ended once.
        unsafe { sys::napi_remove_async_cleanup_hook(hook) };
    }
}

/// # Safety
/// `handle` was made by `new_handle` and is not (or no longer) used by libuv.
unsafe fn free_handle_memory(handle: *mut c_void) {
    // SAFETY: per the contract.
    drop(unsafe { Box::from_raw(handle.cast::<HandleMemory>()) });
}

/// The event loop of one JS environment: its calls (runtime and finished results), and the
/// libuv handles driving them. Used on that environment's JS thread only.
pub struct EventLoop {
    /// `None` once the environment is going away.
    calls: RefCell<Option<DrivenCalls<String>>>,
    uv: &'static Uv,
    env: sys::napi_env,
    on_ready: sys::napi_ref,
    context: sys::napi_async_context,
    /// Watches the runtime's descriptor (unreferenced: idle pooled connections never keep the
    /// process alive).
    poll: *mut c_void,
    /// Turns every millisecond while calls run (referenced: a call in flight keeps the process
    /// alive until its promise settles).
    tick: *mut c_void,
    ticking: Cell<bool>,
    /// Runs it now and then with no call in flight, so idle connections close on time
    /// (unreferenced).
    sweep: *mut c_void,
    sweep_ms: Cell<u64>,
    /// Runs it once before the loop next blocks, after calls were started.
    prepare: *mut c_void,
    preparing: Cell<bool>,
    /// A call was started since the runtime last turned: it must turn again before the loop
    /// blocks, whatever that turn said.
    started: Cell<bool>,
    turning: Cell<bool>,
    closed: Cell<bool>,
    /// Log events waiting for their logger, handed over in the turn that made them (before the
    /// results), so a process never ends with a call's events unlogged.
    logs: std::sync::Mutex<Vec<(std::sync::Arc<JsLogger>, serde_json::Value)>>,
    /// Handles not closed yet, and the cleanup hook to tell when none is left.
    open_handles: Cell<u8>,
    cleanup: Cell<sys::napi_async_cleanup_hook_handle>,
    /// The environment's cleanup hook is running (it ends when the last handle is closed).
    cleaning: Cell<bool>,
}

// SAFETY: every use is on the JS thread that made it (napi objects live on their environment's
// thread); `Send`/`Sync` only let it sit inside the `Arc` shared with the napi classes.
unsafe impl Send for EventLoop {}
// SAFETY: as above.
unsafe impl Sync for EventLoop {}

impl EventLoop {
    /// This environment's event loop, with `on_ready` called (on the JS thread) whenever
    /// results wait; `None` where it cannot be made (see the module).
    pub fn new(env: sys::napi_env, on_ready: sys::napi_value) -> Option<&'static EventLoop> {
        if std::env::var_os("OCUS_NODE_THREADED").is_some_and(|v| v == "1") {
            return None; // the threaded crossing, chosen (tests run both)
        }
        if not_node(env) {
            return None;
        }
        let uv = uv()?;
        let calls = DrivenCalls::new().ok()?;
        let mut uv_loop = null_mut();
        let mut on_ready_ref = null_mut();
        let mut context = null_mut();
        let mut name = null_mut();
        // SAFETY: napi calls on the environment's thread with valid out-pointers.
        unsafe {
            if sys::napi_get_uv_event_loop(env, &mut uv_loop) != sys::Status::napi_ok
                || uv_loop.is_null()
                || sys::napi_create_reference(env, on_ready, 1, &mut on_ready_ref)
                    != sys::Status::napi_ok
                || sys::napi_create_string_utf8(env, c"ocus".as_ptr(), 4, &mut name)
                    != sys::Status::napi_ok
                || sys::napi_async_init(env, null_mut(), name, &mut context) != sys::Status::napi_ok
            {
                return None;
            }
        }
        let (poll, tick, sweep, prepare) = (
            new_handle(uv, UV_POLL)?,
            new_handle(uv, UV_TIMER)?,
            new_handle(uv, UV_TIMER)?,
            new_handle(uv, UV_PREPARE)?,
        );
        // Leaked: the handles point at it until the environment's cleanup closes them.
        let event_loop: &'static EventLoop = Box::leak(Box::new(EventLoop {
            uv,
            env,
            on_ready: on_ready_ref,
            context,
            poll,
            tick,
            ticking: Cell::new(false),
            sweep,
            sweep_ms: Cell::new(0),
            prepare,
            preparing: Cell::new(false),
            started: Cell::new(false),
            turning: Cell::new(false),
            closed: Cell::new(false),
            logs: std::sync::Mutex::new(Vec::new()),
            open_handles: Cell::new(4),
            cleanup: Cell::new(null_mut()),
            cleaning: Cell::new(false),
            calls: RefCell::new(None),
        }));
        let data = std::ptr::from_ref(event_loop).cast_mut().cast::<c_void>();
        let fd = calls.fd();
        *event_loop.calls.borrow_mut() = Some(calls);
        let uv_loop = uv_loop.cast::<c_void>();
        // SAFETY: fresh handles on this environment's loop; `data` is each one's first field
        // (libuv never touches it). Timer and prepare handles cannot fail to initialise.
        unsafe {
            (uv.timer_init)(uv_loop, tick);
            (uv.timer_init)(uv_loop, sweep);
            (uv.prepare_init)(uv_loop, prepare);
            for handle in [tick, sweep, prepare] {
                *handle.cast::<*mut c_void>() = data;
            }
            if (uv.poll_init)(uv_loop, poll, fd) != 0 {
                event_loop.open_handles.set(3);
                free_handle_memory(poll);
                return event_loop.abandon(&[tick, sweep, prepare]);
            }
            *poll.cast::<*mut c_void>() = data;
        }
        let mut remove = null_mut();
        // SAFETY: initialised handles; the hook gets the leaked loop back when the environment
        // goes away.
        unsafe {
            if sys::napi_add_async_cleanup_hook(env, Some(clean_up), data, &mut remove)
                != sys::Status::napi_ok
            {
                return event_loop.abandon(&[poll, tick, sweep, prepare]);
            }
            event_loop.cleanup.set(remove);
            if (uv.poll_start)(poll, UV_READABLE, on_readable) != 0 {
                // The hook finds the loop closed and the handles closing: it ends at once.
                return event_loop.abandon(&[poll, tick, sweep, prepare]);
            }
            (uv.unref)(poll);
            (uv.unref)(sweep);
        }
        Some(event_loop)
    }

    /// Gives up on a half-made loop (libuv refused a step: rare): closes its handles, then its
    /// calls' runtime; the caller keeps the threaded crossing.
    fn abandon(&self, handles: &[*mut c_void]) -> Option<&'static EventLoop> {
        self.closed.set(true);
        for &handle in handles {
            // SAFETY: initialised handles of this loop, closed once.
            unsafe { (self.uv.close)(handle, Some(free_handle)) };
        }
        if let Some(calls) = self.calls.borrow_mut().take() {
            calls.shut_down();
        }
        None
    }

    /// Starts a call (see [`DrivenCalls::start`]), run before the loop next blocks; false once
    /// the environment is going away.
    pub fn start<R, F, M>(
        &self,
        ticket: u64,
        cancel: Option<CancelToken>,
        call: F,
        finish: M,
    ) -> bool
    where
        F: std::future::Future<Output = ocus::Result<R>> + Send + 'static,
        R: Send + 'static,
        M: FnOnce(ocus::Result<R>) -> String + Send + 'static,
    {
        let Some(calls) = &*self.calls.borrow() else {
            return false;
        };
        calls.start(ticket, cancel, call, finish);
        self.started.set(true);
        self.prepare_turn(true);
        // Also the tick: should the loop block before its prepare phase comes round (a call
        // started after that phase), the call still runs within a tick.
        self.tick(true);
        true
    }

    /// Every finished call (`onReady` takes them).
    pub fn drain(&self) -> Vec<(u64, String)> {
        match &*self.calls.borrow() {
            Some(calls) => calls.drain(usize::MAX),
            None => Vec::new(),
        }
    }

    /// Whether the loop turns before it next blocks.
    fn prepare_turn(&self, on: bool) {
        if self.preparing.replace(on) != on {
            // SAFETY: an initialised handle, on its loop's thread.
            unsafe {
                if on {
                    (self.uv.prepare_start)(self.prepare, on_prepare);
                } else {
                    (self.uv.prepare_stop)(self.prepare);
                }
            }
        }
    }

    /// Whether the loop turns every tick (and is kept alive by it).
    fn tick(&self, on: bool) {
        if self.ticking.replace(on) != on {
            // SAFETY: as above.
            unsafe {
                if on {
                    (self.uv.timer_start)(self.tick, on_timer, TICK_MS, TICK_MS);
                } else {
                    (self.uv.timer_stop)(self.tick);
                }
            }
        }
    }

    /// Makes sure the loop runs the runtime at least every `period` when no call is in flight
    /// (half a client's idle timeout), so its idle connections close on time.
    pub fn sweep_every(&self, period: Duration) {
        let ms = u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1);
        let current = self.sweep_ms.get();
        if current == 0 || ms < current {
            self.sweep_ms.set(ms);
            // SAFETY: as above (starting a started timer restarts it).
            unsafe { (self.uv.timer_start)(self.sweep, on_timer, ms, ms) };
        }
    }

    /// Turns the calls' runtime, then hands every waiting result to `onReady`, until neither
    /// is left; then waits as the core's last turn asked.
    fn turn(&self) {
        if self.closed.get() || self.turning.replace(true) {
            return;
        }
        // Hand-overs for up to 5 ms, then back to the loop (its timers, other I/O,
        // immediates): with promise reactions starting new calls each time, results could
        // otherwise keep one turn going for as long as a bulk job lasts (measured: a 5 ms
        // interval ticked 0 times in 700 ms).
        let began = std::time::Instant::now();
        let again = loop {
            // Not borrowed while JS runs (its calls start here again).
            self.started.set(false);
            let (again, waiting) = match &*self.calls.borrow() {
                // The results are taken by `onReady` (drain), not by the turn.
                Some(calls) => (calls.turn(0).again_within, calls.pending()),
                None => break None,
            };
            self.flush_logs();
            if waiting == 0 || began.elapsed() >= TURN_BUDGET {
                break again;
            }
            // Its promise reactions may start calls: the next round runs them. If JS did not
            // take the results (a throw, or the environment is being terminated), the core's
            // answer but no sooner than a tick (at once would spin on the results left).
            if !self.call_on_ready() || self.pending() >= waiting {
                break again.map(|within| within.max(TICK_WHILE_RUNNING));
            }
        };
        // At once (results wait or tasks are still queued): the loop's next iteration comes
        // back here, after its timers and callbacks had their turn (so not a timer due now:
        // libuv would run it again in the same pass, for ever). The tick, while calls run,
        // also keeps the loop from blocking for long and the process alive.
        let again = if self.started.get() {
            Some(Duration::ZERO)
        } else {
            again
        };
        self.prepare_turn(again == Some(Duration::ZERO));
        self.tick(again.is_some_and(|within| within <= TICK_WHILE_RUNNING));
        self.turning.set(false);
    }

    fn pending(&self) -> usize {
        self.calls.borrow().as_ref().map_or(0, DrivenCalls::pending)
    }

    /// Queues a log event for `logger` (called on the thread the request runs on: this one),
    /// handed over in this turn, or before the loop next blocks if none is running (an event
    /// of building a client).
    pub fn log(&self, logger: &std::sync::Arc<JsLogger>, event: serde_json::Value) {
        let mut logs = self.logs.lock().unwrap_or_else(|p| p.into_inner());
        logs.push((logger.clone(), event));
        drop(logs);
        if !self.turning.get() {
            self.prepare_turn(true);
        }
    }

    fn flush_logs(&self) {
        let logs = std::mem::take(&mut *self.logs.lock().unwrap_or_else(|p| p.into_inner()));
        for (logger, event) in logs {
            logger.call(self.env, self.context, event);
        }
    }

    /// Calls `onReady`; false if it could not run.
    fn call_on_ready(&self) -> bool {
        let env = self.env;
        // SAFETY: on the environment's thread, from a libuv callback (no JS on the stack): a
        // handle scope, then `onReady` through napi_make_callback, which runs the microtasks
        // after it as any callback from the loop does. A throw goes to `uncaughtException`.
        unsafe {
            let mut scope = null_mut();
            if sys::napi_open_handle_scope(env, &mut scope) != sys::Status::napi_ok {
                return false;
            }
            let (mut function, mut receiver, mut result) = (null_mut(), null_mut(), null_mut());
            let status = if sys::napi_get_reference_value(env, self.on_ready, &mut function)
                == sys::Status::napi_ok
                && sys::napi_get_global(env, &mut receiver) == sys::Status::napi_ok
            {
                sys::napi_make_callback(
                    env,
                    self.context,
                    receiver,
                    function,
                    0,
                    std::ptr::null(),
                    &mut result,
                )
            } else {
                sys::Status::napi_generic_failure
            };
            if status == sys::Status::napi_pending_exception {
                let mut error = null_mut();
                sys::napi_get_and_clear_last_exception(env, &mut error);
                let mut kind = sys::ValueType::napi_undefined;
                sys::napi_typeof(env, error, &mut kind);
                // Nothing was thrown when the environment is being terminated.
                if kind != sys::ValueType::napi_undefined {
                    sys::napi_fatal_exception(env, error);
                }
            }
            sys::napi_close_handle_scope(env, scope);
            status == sys::Status::napi_ok
        }
    }
}

/// A client's log function (`index.js` wraps the user's logger in one that never throws), held
/// for the event loop of the environment it came from.
pub struct JsLogger {
    env: sys::napi_env,
    function: sys::napi_ref,
    thread: std::thread::ThreadId,
}

// SAFETY: the reference is used and deleted on its environment's thread only (checked).
unsafe impl Send for JsLogger {}
// SAFETY: as above.
unsafe impl Sync for JsLogger {}

impl JsLogger {
    /// A reference to `function`, on the environment's thread.
    pub fn new(env: sys::napi_env, function: sys::napi_value) -> Option<Self> {
        let mut reference = null_mut();
        // SAFETY: a napi call on the environment's thread.
        let made = unsafe { sys::napi_create_reference(env, function, 1, &mut reference) };
        (made == sys::Status::napi_ok).then(|| JsLogger {
            env,
            function: reference,
            thread: std::thread::current().id(),
        })
    }

    /// Calls the logger with `event` as a callback from the loop (its microtasks and
    /// `nextTick`s run after it, as after any).
    fn call(&self, env: sys::napi_env, context: sys::napi_async_context, event: serde_json::Value) {
        use napi::bindgen_prelude::ToNapiValue;
        // SAFETY: on the environment's thread (the loop's), inside a handle scope.
        unsafe {
            let mut scope = null_mut();
            if sys::napi_open_handle_scope(env, &mut scope) != sys::Status::napi_ok {
                return;
            }
            let (mut function, mut receiver, mut result) = (null_mut(), null_mut(), null_mut());
            if let Ok(argument) = serde_json::Value::to_napi_value(env, event)
                && sys::napi_get_reference_value(env, self.function, &mut function)
                    == sys::Status::napi_ok
                && sys::napi_get_global(env, &mut receiver) == sys::Status::napi_ok
                && sys::napi_make_callback(
                    env,
                    context,
                    receiver,
                    function,
                    1,
                    &argument,
                    &mut result,
                ) == sys::Status::napi_pending_exception
            {
                // The wrapper catches the logger's throws: this is a termination.
                let mut error = null_mut();
                sys::napi_get_and_clear_last_exception(env, &mut error);
            }
            sys::napi_close_handle_scope(env, scope);
        }
    }
}

impl Drop for JsLogger {
    fn drop(&mut self) {
        // A drop elsewhere (never expected) leaks the reference rather than touch napi.
        if std::thread::current().id() == self.thread {
            // SAFETY: on the environment's thread.
            unsafe { sys::napi_delete_reference(self.env, self.function) };
        }
    }
}

/// The [`EventLoop`] a handle's `data` points at.
///
/// # Safety
/// `handle` is one of an [`EventLoop`]'s, not closed yet.
unsafe fn owner<'a>(handle: *mut c_void) -> &'a EventLoop {
    // SAFETY: per the contract, `data` is the leaked loop's address.
    unsafe { &*(*handle.cast::<*const EventLoop>()) }
}

unsafe extern "C" fn on_readable(handle: *mut c_void, _status: c_int, _events: c_int) {
    // SAFETY: called by libuv for a handle of ours that is open.
    unsafe { owner(handle) }.turn();
}

unsafe extern "C" fn on_timer(handle: *mut c_void) {
    // SAFETY: as above.
    unsafe { owner(handle) }.turn();
}

unsafe extern "C" fn on_prepare(handle: *mut c_void) {
    // SAFETY: as above.
    unsafe { owner(handle) }.turn();
}

/// The environment is going away: close the handles (their memory is freed once libuv is done
/// with them) and stop the runtime without waiting for its tasks.
unsafe extern "C" fn clean_up(remove: sys::napi_async_cleanup_hook_handle, data: *mut c_void) {
    // SAFETY: the leaked loop registered with this hook, on its thread.
    let event_loop = unsafe { &*data.cast::<EventLoop>() };
    if event_loop.closed.replace(true) {
        // Abandoned while being made: its handles are closed already.
        // SAFETY: this hook, ended once.
        unsafe { sys::napi_remove_async_cleanup_hook(remove) };
        return;
    }
    event_loop.cleaning.set(true);
    let uv = event_loop.uv;
    // SAFETY: our open handles, closed before the runtime's descriptor (as libuv asks); nothing
    // calls back into the loop after `closed`. The loop itself stays leaked: a call object may
    // still point at it while it is finalised. The last close callback ends the hook.
    unsafe {
        for handle in [
            event_loop.poll,
            event_loop.tick,
            event_loop.sweep,
            event_loop.prepare,
        ] {
            (uv.close)(handle, Some(free_handle));
        }
        sys::napi_delete_reference(event_loop.env, event_loop.on_ready);
        sys::napi_async_destroy(event_loop.env, event_loop.context);
    }
    if let Some(calls) = event_loop.calls.borrow_mut().take() {
        calls.shut_down();
    }
}
