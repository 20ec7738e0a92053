package io.ocus

import io.ocus.internal.NativeException
import io.ocus.internal.cancelCall
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicLong
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * A cause the core reported, as text: the Rust error itself does not cross into the JVM.
 * [OcusException.cause] leads through these, outermost first.
 */
class ErrorCause internal constructor(message: String, cause: Throwable?) :
    // No stack trace of its own: it would show where the JVM rebuilt the text, not the failure.
    Exception(message, cause, false, false)

/** The exception of the core's kind for a native failure. */
internal fun NativeException.toOcus(): OcusException = when (this) {
    is NativeException.Failure -> errorOf(parseObject(view))
}

/** Runs a native call, turning its failure into the matching [OcusException]. */
internal inline fun <T> native(call: () -> T): T =
    try {
        call()
    } catch (failure: NativeException) {
        throw failure.toOcus()
    }

/**
 * Where suspending calls cross back from the native runtime. A call starts with a ticket (one
 * native call) and suspends; the native side queues its outcome. One daemon thread lends itself
 * to the native runtime the calls run on (their I/O runs on it, so a result needs no hand-off
 * from another thread to reach it) and, per batch of finished calls (one native crossing for
 * many), resumes each waiting coroutine on its own dispatcher, which parses the outcome.
 */
internal object Crossing {
    private val waiting = ConcurrentHashMap<Long, CancellableContinuation<String>>()
    private val tickets = AtomicLong()

    init {
        Thread(::deliver, "ocus-completions").apply { isDaemon = true }.start()
    }

    /**
     * Starts [op] on [target] (see [Direct.call]) and suspends until it finishes: its [Outcome],
     * or its failure thrown as the matching [OcusException]. Cancelling the coroutine stops the
     * native call and closes its connection; a coroutine cancelled already starts nothing.
     */
    suspend fun call(owner: Any, target: Long, op: Int, arguments: ByteArray?, trace: io.ocus.internal.NativeTrace? = null): Outcome {
        val outcome = suspendCancellableCoroutine { continuation ->
            if (!continuation.isActive) return@suspendCancellableCoroutine
            val ticket = tickets.incrementAndGet()
            waiting[ticket] = continuation
            continuation.invokeOnCancellation {
                if (waiting.remove(ticket) != null) cancelCall(ticket.toULong())
            }
            try {
                Direct.start(owner, target, op, ticket, arguments, trace)
            } catch (failure: Throwable) {
                waiting.remove(ticket)
                throw failure
            }
            // Cancelled while it started: the handler ran before there was a call to stop.
            if (!continuation.isActive) cancelCall(ticket.toULong())
        }
        // Parsed here, on the coroutine's own thread: the completion thread drives every call.
        return Outcome.of(parseObject(outcome))
    }

    private fun deliver() {
        while (true) {
            val batch = try {
                Direct.waitForBatch()
            } catch (failure: Throwable) {
                // This batch is lost: fail whoever waits rather than leave them suspended.
                for (ticket in waiting.keys) waiting.remove(ticket)?.resumeWithException(failure)
                Thread.sleep(10)
                continue
            }
            for ((ticket, outcome) in batch) {
                val continuation = waiting.remove(ticket) ?: continue
                try {
                    resume(continuation, outcome)
                } catch (_: Throwable) {
                    // The coroutine's own dispatcher refused it; this thread must go on for the others.
                }
            }
        }
    }

    /**
     * Resumes on the coroutine's dispatcher; one that runs it on the resuming thread (none, or
     * `Unconfined`) gets `Dispatchers.Default` instead: user code must never run on, or block,
     * the thread every call's result comes through.
     */
    private fun resume(continuation: CancellableContinuation<String>, outcome: String) {
        val dispatcher = continuation.context[ContinuationInterceptor] as? CoroutineDispatcher
        if (dispatcher == null || !dispatcher.isDispatchNeeded(continuation.context)) {
            Dispatchers.Default.dispatch(continuation.context, Runnable { continuation.resume(outcome) })
        } else {
            continuation.resume(outcome)
        }
    }
}
