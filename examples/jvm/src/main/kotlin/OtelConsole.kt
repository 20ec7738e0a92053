// The spans of a listing, printed to the console: every ocus call is an INTERNAL span
// (projects.list, projects.get, request) under the current span, with one CLIENT span per HTTP
// attempt (a retry is a resend); each attempt's traceparent is sent to the API.
package otelconsole

import io.ocus.ListParams
import io.ocus.OcusClient
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator
import io.opentelemetry.context.Context
import io.opentelemetry.context.propagation.ContextPropagators
import io.opentelemetry.sdk.OpenTelemetrySdk
import io.opentelemetry.sdk.trace.ReadWriteSpan
import io.opentelemetry.sdk.trace.ReadableSpan
import io.opentelemetry.sdk.trace.SdkTracerProvider
import io.opentelemetry.sdk.trace.SpanProcessor

/** Prints each span as it ends: name, kind, its id and its parent's, attributes. */
private object OneLine : SpanProcessor {
    override fun onStart(parentContext: Context, span: ReadWriteSpan) {}
    override fun isStartRequired() = false
    override fun onEnd(span: ReadableSpan) {
        val data = span.toSpanData()
        val attributes = data.attributes.asMap().entries.joinToString { "${it.key}=${it.value}" }
        println("${data.name} [${data.kind}] span ${data.spanId} parent ${data.parentSpanId}: $attributes")
    }
    override fun isEndRequired() = true
}

fun main() {
    val openTelemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(OneLine).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .buildAndRegisterGlobal()
    val span = openTelemetry.getTracer("example").spanBuilder("export-projects").startSpan()
    val count = span.makeCurrent().use {
        OcusClient().use { client -> client.projects.listBlocking(ListParams(pageSize = 100)).count() }
    }
    span.end()
    println("$count projects")
}
