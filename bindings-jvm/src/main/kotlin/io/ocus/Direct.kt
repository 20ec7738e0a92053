package io.ocus

import com.sun.jna.Native
import com.sun.jna.Pointer
import io.ocus.internal.NativeTrace
import java.lang.ref.Reference
import java.time.Duration
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.doubleOrNull
import kotlinx.serialization.json.intOrNull
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

/**
 * The calls' entry points into the native library, mapped directly by JNA with only numbers and
 * byte arrays. A uniffi call allocates JNA structures, and each goes through JNA's global map of
 * native allocations, which cost more than the request itself (bindings-jvm/src/lib.rs has the
 * figures). Results come back as one JSON text in a buffer the library owns until freed.
 */
internal object Direct {
    const val GET_PROJECT = 0
    const val LIST_PAGE = 1
    const val REQUEST = 2
    const val NEXT_PAGE = 3

    init {
        // The library uniffi loads (and its override, for a library kept outside the jar).
        Native.register(Direct::class.java, System.getProperty("uniffi.component.ocus_jvm.libraryOverride") ?: "ocus_jvm")
    }

    @JvmStatic private external fun ocus_jvm_call(target: Long, op: Int, arguments: ByteArray?, len: Int, trace: Long): Long

    @JvmStatic private external fun ocus_jvm_start(target: Long, op: Int, ticket: Long, arguments: ByteArray?, len: Int, trace: Long)

    @JvmStatic private external fun ocus_jvm_wait(): Long

    @JvmStatic private external fun ocus_jvm_free(buffer: Long)

    /**
     * Runs [op] on [target] (a native client's or cursor's address; [owner] is the object, kept
     * reachable until the call returns) on the calling thread, reported to [trace] if given
     * (the core keeps what it needs of it: it is closed here).
     */
    fun call(owner: Any, target: Long, op: Int, arguments: ByteArray?, trace: NativeTrace? = null): Outcome =
        try {
            Outcome.of(parseObject(take(ocus_jvm_call(target, op, arguments, arguments?.size ?: 0, address(trace)))))
        } finally {
            Reference.reachabilityFence(owner)
            trace?.close()
        }

    /** Starts [op] on [target] (as for [call]); the outcome arrives from [waitForBatch] as [ticket]. */
    fun start(owner: Any, target: Long, op: Int, ticket: Long, arguments: ByteArray?, trace: NativeTrace? = null) =
        try {
            ocus_jvm_start(target, op, ticket, arguments, arguments?.size ?: 0, address(trace))
        } finally {
            Reference.reachabilityFence(owner)
            trace?.close()
        }

    private fun address(trace: NativeTrace?): Long = trace?.address()?.toLong() ?: 0L

    /**
     * Drives the started calls until some finish (this thread does their I/O): each one's ticket
     * and outcome text, unparsed (its coroutine parses it, off this thread).
     */
    fun waitForBatch(): List<Pair<Long, String>> {
        val buffer = ocus_jvm_wait()
        try {
            val pointer = Pointer(buffer)
            val end = 8 + pointer.getLong(0)
            val finished = ArrayList<Pair<Long, String>>()
            var at = 8L
            while (at < end) {
                val ticket = pointer.getLong(at)
                val length = pointer.getLong(at + 8)
                finished.add(ticket to String(pointer.getByteArray(at + 16, Math.toIntExact(length)), Charsets.UTF_8))
                at += 16 + length
            }
            return finished
        } finally {
            ocus_jvm_free(buffer)
        }
    }

    /** The text in a buffer the library handed over (its length, then UTF-8), freed after. */
    private fun take(buffer: Long): String =
        try {
            val pointer = Pointer(buffer)
            String(pointer.getByteArray(8, pointer.getLong(0).toInt()), Charsets.UTF_8)
        } finally {
            ocus_jvm_free(buffer)
        }
}

/** A call's view and the view of the response it came in (`JsonNull` when it has none). */
internal class Outcome(val value: JsonElement, val response: JsonElement) {
    companion object {
        /** `{"value", "response"}`, or throws the [OcusException] of `{"error"}`. */
        fun of(outcome: JsonObject): Outcome {
            outcome["error"]?.let { throw errorOf(it.jsonObject) }
            return Outcome(outcome["value"] ?: JsonNull, outcome["response"] ?: JsonNull)
        }
    }
}

/** The exception of the core's error view (`ocus::ErrorView`). */
internal fun errorOf(view: JsonObject): OcusException {
    fun text(name: String) = view[name]?.jsonPrimitive?.contentOrNull
    val causes = view["causes"]?.jsonArray?.mapNotNull { it.jsonPrimitive.contentOrNull } ?: emptyList()
    return exceptionOf(
        ErrorData(
            kind = text("kind") ?: "api_error",
            message = text("message") ?: "",
            display = text("display") ?: "",
            status = view["status"]?.jsonPrimitive?.intOrNull,
            code = text("code"),
            requestId = text("request_id"),
            retryAfter = view["retry_after"]?.jsonPrimitive?.doubleOrNull?.let { Duration.ofNanos((it * 1e9).toLong()) },
            body = text("body"),
            cause = causes.foldRight(null as Throwable?) { line, inner -> ErrorCause(line, inner) },
        ),
        view["kinds"]?.jsonArray?.mapNotNull { it.jsonPrimitive.contentOrNull } ?: emptyList(),
    )
}
