package io.ocus

import io.ocus.internal.Completion
import io.ocus.internal.NativeException
import io.ocus.internal.cancelCall
import io.ocus.internal.waitForCompletions
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicLong
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * A cause the core reported, as text: the Rust error itself does not cross into the JVM.
 * [OcusException.cause] leads through these, outermost first.
 */
class ErrorCause internal constructor(message: String, cause: Throwable?) :
    // No stack trace of its own: it would show where the JVM rebuilt the text, not the failure.
    Exception(message, cause, false, false)

/** The exception of the core's kind for a native failure (the mapping is generated). */
internal fun NativeException.toOcus(): OcusException = when (this) {
    is NativeException.Failure -> exceptionOf(
        ErrorData(
            kind = kind,
            message = detail,
            display = display,
            status = status?.toInt(),
            code = code,
            requestId = requestId,
            retryAfter = retryAfterSeconds?.let { Duration.ofNanos((it * 1e9).toLong()) },
            body = body,
            cause = causes.foldRight(null as Throwable?) { text, inner -> ErrorCause(text, inner) },
        ),
    )
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
 * native call) and suspends; the native side queues its outcome. One daemon thread waits in
 * [waitForCompletions] and, per batch of finished calls (one native crossing for many calls),
 * resumes each waiting coroutine on its own dispatcher, where the result is then parsed.
 */
internal object Crossing {
    private val waiting = ConcurrentHashMap<Long, CancellableContinuation<Completion>>()
    private val tickets = AtomicLong()

    init {
        Thread(::deliver, "ocus-completions").apply { isDaemon = true }.start()
    }

    /**
     * Starts a call with [start] (given the ticket) and suspends until it finishes: its
     * [Completion], or its failure thrown as the matching [OcusException]. Cancelling the
     * coroutine stops the native call and closes its connection.
     */
    suspend fun call(start: (ULong) -> Unit): Completion = suspendCancellableCoroutine { continuation ->
        val ticket = tickets.incrementAndGet()
        waiting[ticket] = continuation
        continuation.invokeOnCancellation {
            if (waiting.remove(ticket) != null) cancelCall(ticket.toULong())
        }
        try {
            start(ticket.toULong())
        } catch (failure: NativeException) {
            // Refused before it started (bad arguments, a closed client): nothing will arrive.
            if (waiting.remove(ticket) != null) continuation.resumeWithException(failure.toOcus())
        }
    }

    private fun deliver() {
        while (true) {
            for (completion in waitForCompletions()) {
                val continuation = waiting.remove(completion.ticket.toLong()) ?: continue
                when (val error = completion.error) {
                    null -> continuation.resume(completion)
                    else -> continuation.resumeWithException(error.toOcus())
                }
            }
        }
    }
}
