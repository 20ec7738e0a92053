package io.ocus

import io.ocus.internal.NativeLogger
import java.lang.System.Logger.Level
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonPrimitive

/**
 * A client's log events, to `System.Logger` "ocus" (java.util.logging unless the application
 * routes System.Logger elsewhere, as SLF4J and Log4j bridges do). Which events are made is the
 * core's decision (the `logLevel` option or `OCUS_LOG`, default `warn`); they carry method, path,
 * status, attempt, elapsed time and request id, never the key, bodies or proxy credentials.
 */
internal object SystemLoggerSink : NativeLogger {
    private val logger: System.Logger = System.getLogger("ocus")

    override fun log(event: String) {
        // Called on the thread driving the request: never let an exception cross into Rust.
        try {
            val fields = parseObject(event)
            val level = when (fields["level"]?.jsonPrimitive?.content) {
                "error" -> Level.ERROR
                "warn" -> Level.WARNING
                "info" -> Level.INFO
                "debug" -> Level.DEBUG
                else -> Level.TRACE
            }
            if (!logger.isLoggable(level)) return
            val details = fields.entries
                .filter { it.key != "level" && it.key != "message" }
                .joinToString(" ") { (name, value) -> "$name=${(value as? JsonPrimitive)?.content ?: value}" }
            logger.log(level, "${fields["message"]?.jsonPrimitive?.content} $details".trim())
        } catch (_: Throwable) {
        }
    }
}
