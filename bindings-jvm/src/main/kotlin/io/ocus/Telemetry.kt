package io.ocus

import io.ocus.internal.NativeCallTrace
import io.ocus.internal.NativeTrace
import io.opentelemetry.api.GlobalOpenTelemetry
import io.opentelemetry.api.OpenTelemetry
import io.opentelemetry.api.common.AttributeKey
import io.opentelemetry.api.common.Attributes
import io.opentelemetry.api.metrics.DoubleHistogram
import io.opentelemetry.api.trace.Span
import io.opentelemetry.api.trace.SpanKind
import io.opentelemetry.api.trace.StatusCode
import io.opentelemetry.api.trace.Tracer
import io.opentelemetry.context.Context
import io.opentelemetry.context.propagation.TextMapSetter
import java.util.concurrent.TimeUnit
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.doubleOrNull
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.longOrNull

/**
 * OpenTelemetry for every call. The core describes each call (the operation, each HTTP attempt,
 * their outcomes) with the span names, attributes and error types of the OpenTelemetry semantic
 * conventions for HTTP clients; this only hands that to the OpenTelemetry API: spans under
 * `Context.current()` where the call is made (in a coroutine, the context it carries through
 * `opentelemetry-extension-kotlin`), the propagation headers of each attempt's span, the
 * `http.client.request.duration` histogram. Until an SDK is installed (`GlobalOpenTelemetry`
 * set, by the application or the Java agent), calls are not traced.
 */
internal object Telemetry {
    private class Instruments(val openTelemetry: OpenTelemetry, val tracer: Tracer, val histogram: DoubleHistogram)

    private val names: JsonObject = parseObject(io.ocus.internal.telemetryNames())

    @Volatile private var instruments: Instruments? = null

    /** A trace for a call made now, or null when nothing would record it. */
    fun begin(): NativeTrace? {
        if (!GlobalOpenTelemetry.isSet()) return null
        val openTelemetry = GlobalOpenTelemetry.get()
        val current = instruments?.takeIf { it.openTelemetry === openTelemetry } ?: make(openTelemetry).also { instruments = it }
        return NativeTrace(CallSpans(Context.current(), current))
    }

    private fun make(openTelemetry: OpenTelemetry): Instruments {
        fun name(key: String) = names.getValue(key).jsonPrimitive.content
        val scope = name("instrumentation_name")
        val histogram = openTelemetry.meterBuilder(scope).setInstrumentationVersion(OcusClient.VERSION).build()
            .histogramBuilder(name("duration_metric"))
            .setUnit(name("duration_unit"))
            .setDescription(name("duration_description"))
            .setExplicitBucketBoundariesAdvice(names.getValue("duration_buckets").jsonArray.map { it.jsonPrimitive.doubleOrNull ?: 0.0 })
            .build()
        val tracer = openTelemetry.tracerBuilder(scope).setInstrumentationVersion(OcusClient.VERSION).build()
        return Instruments(openTelemetry, tracer, histogram)
    }

    /** `[[name, value], ...]` as OpenTelemetry attributes (text, whole numbers, or lists of text). */
    private fun attributes(pairs: JsonElement?): Attributes {
        val builder = Attributes.builder()
        for (pair in (pairs as? JsonArray).orEmpty()) {
            val (name, value) = pair.jsonArray
            val key = name.jsonPrimitive.content
            if (value is JsonArray) {
                builder.put(AttributeKey.stringArrayKey(key), value.map { it.jsonPrimitive.content })
                continue
            }
            val primitive = value as? JsonPrimitive ?: continue
            if (primitive.isString) builder.put(key, primitive.content) else primitive.longOrNull?.let { builder.put(key, it) }
        }
        return builder.build()
    }

    private val carrierSetter = TextMapSetter<MutableList<List<String>>> { carrier, key, value -> carrier?.add(listOf(key, value)) }

    /** One call's spans (or a cursor's pages, one after the other). */
    private class CallSpans(private val parent: Context, private val instruments: Instruments) : NativeCallTrace {
        private var operation: Span? = null
        private var operationContext: Context = parent
        private var attempt: Span? = null

        @Synchronized
        override fun events(events: String) {
            try {
                replay(events)
            } catch (_: Throwable) {
                // The application's telemetry never fails a call.
            }
        }

        @Synchronized
        override fun attemptStarted(events: String): List<List<String>> =
            try {
                replay(events)
                val carrier = mutableListOf<List<String>>()
                attempt?.let { span ->
                    instruments.openTelemetry.propagators.textMapPropagator.inject(parent.with(span), carrier, carrierSetter)
                }
                carrier
            } catch (_: Throwable) {
                emptyList()
            }

        /** The core's events in order, each at the time it happened (Unix nanoseconds). */
        private fun replay(events: String) {
            for (element in parseJson(events).jsonArray) {
                val description = element.jsonObject
                val time = description["time"]?.jsonPrimitive?.longOrNull ?: System.currentTimeMillis() * 1_000_000
                when (description["event"]?.jsonPrimitive?.contentOrNull) {
                    "operation_started" -> {
                        val span = instruments.tracer.spanBuilder(description.getValue("name").jsonPrimitive.content)
                            .setParent(parent).setSpanKind(SpanKind.INTERNAL).setStartTimestamp(time, TimeUnit.NANOSECONDS)
                            .setAllAttributes(attributes(description["attributes"])).startSpan()
                        operation = span
                        operationContext = parent.with(span)
                    }
                    "attempt_started" -> {
                        attempt = instruments.tracer.spanBuilder(description.getValue("name").jsonPrimitive.content)
                            .setParent(operationContext).setSpanKind(SpanKind.CLIENT).setStartTimestamp(time, TimeUnit.NANOSECONDS)
                            .setAllAttributes(attributes(description["attributes"])).startSpan()
                    }
                    "attempt_ended" -> {
                        attempt?.let { span ->
                            span.setAllAttributes(attributes(description["attributes"]))
                            if (description["error"] is JsonPrimitive && description["error"]?.jsonPrimitive?.isString == true) {
                                span.setStatus(StatusCode.ERROR)
                            }
                            span.end(time, TimeUnit.NANOSECONDS)
                        }
                        attempt = null
                        instruments.histogram.record(
                            description["duration"]?.jsonPrimitive?.doubleOrNull ?: 0.0,
                            attributes(description["metric_attributes"]),
                        )
                    }
                    "operation_ended" -> {
                        operation?.let { span ->
                            span.setAllAttributes(attributes(description["attributes"]))
                            val error = (description["error"] as? JsonPrimitive)?.takeIf { it.isString }?.content
                            if (error != null) span.setStatus(StatusCode.ERROR, error)
                            span.end(time, TimeUnit.NANOSECONDS)
                        }
                        operation = null
                        operationContext = parent
                    }
                }
            }
        }
    }
}
