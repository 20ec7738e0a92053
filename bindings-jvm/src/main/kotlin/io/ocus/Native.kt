package io.ocus

import com.sun.jna.CallbackThreadInitializer
import com.sun.jna.Native
import io.ocus.internal.NativeException
import io.ocus.internal.uniffiRustFutureContinuationCallbackImpl
import java.time.Duration

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
 * A suspended call is resumed by a callback from the runtime's threads. JNA attaches such a
 * thread to the JVM for each callback and detaches it after, by default: a new Thread object
 * per call. These threads live as long as the process, so they stay attached (as daemons).
 */
internal object CallbackThreads {
    init {
        Native.setCallbackThreadInitializer(
            uniffiRustFutureContinuationCallbackImpl,
            CallbackThreadInitializer(true, false, "ocus-runtime"),
        )
    }

    /** Runs the initializer once (class initialisation). */
    fun ensure() = Unit
}
