// What OpenTelemetry costs a JVM call, beside OkHttp's instrumentation (opentelemetry-okhttp-3.0)
// with the same SDK setup (spans to an exporter that drops them, a meter provider): sequential
// blocking GETs on the release emulator, interleaved rounds, median wall and process CPU per
// call. The SDK is installed (GlobalOpenTelemetry) only for the traced rows of each round.
// Run: `make bench-jvm` (after Bench.kt), or -Dexec.mainClass... OtelBenchKt alone.
package io.ocus.bench

import io.ocus.OcusClient
import io.opentelemetry.api.GlobalOpenTelemetry
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator
import io.opentelemetry.context.propagation.ContextPropagators
import io.opentelemetry.instrumentation.okhttp.v3_0.OkHttpTelemetry
import io.opentelemetry.sdk.OpenTelemetrySdk
import io.opentelemetry.sdk.common.CompletableResultCode
import io.opentelemetry.sdk.metrics.SdkMeterProvider
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader
import io.opentelemetry.sdk.trace.SdkTracerProvider
import io.opentelemetry.sdk.trace.data.SpanData
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor
import io.opentelemetry.sdk.trace.export.SpanExporter
import java.io.BufferedReader
import java.io.InputStreamReader
import java.lang.management.ManagementFactory
import java.nio.file.Paths
import kotlinx.serialization.json.Json
import okhttp3.Call
import okhttp3.OkHttpClient
import okhttp3.Request

private const val OTEL_KEY = "bench_otel_key_0123456789"
private const val CALLS = 2000
private const val OTEL_ROUNDS = 7

private object Dropped : SpanExporter {
    override fun export(spans: Collection<SpanData>): CompletableResultCode = CompletableResultCode.ofSuccess()
    override fun flush(): CompletableResultCode = CompletableResultCode.ofSuccess()
    override fun shutdown(): CompletableResultCode = CompletableResultCode.ofSuccess()
}

private val processCpu = ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean

/** Wall and process CPU per call, µs. */
private fun measure(call: () -> Unit): Pair<Double, Double> {
    repeat(200) { call() }
    val cpu = processCpu.processCpuTime
    val start = System.nanoTime()
    repeat(CALLS) { call() }
    return (System.nanoTime() - start) / 1e3 / CALLS to (processCpu.processCpuTime - cpu) / 1e3 / CALLS
}

fun main() {
    val root = Paths.get(System.getProperty("user.dir")).toAbsolutePath().parent
    val mock = ProcessBuilder(root.resolve("target/release/ocus-mock").toString(), "--addr", "127.0.0.1:0", "--api-key", OTEL_KEY)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start()
    try {
        val base = BufferedReader(InputStreamReader(mock.inputStream)).readLine()
        val sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(Dropped).build()).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(InMemoryMetricReader.create()).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build()
        val ocus = OcusClient(apiKey = OTEL_KEY, baseUrl = base)
        val id = ocus.projects.listPageBlocking(io.ocus.ListParams(pageSize = 1)).data[0].id
        val okhttp = OkHttpClient()
        val traced: Call.Factory = OkHttpTelemetry.create(sdk).createCallFactory(okhttp)
        val request = Request.Builder().url("$base/projects/$id").header("x-api-key", OTEL_KEY).build()
        val rows = linkedMapOf<String, MutableList<Pair<Double, Double>>>()
        fun row(name: String, call: () -> Unit) = rows.getOrPut(name) { mutableListOf() }.add(measure(call))
        repeat(OTEL_ROUNDS) {
            GlobalOpenTelemetry.resetForTest()
            row("ocus, no SDK") { ocus.projects.getBlocking(id) }
            row("OkHttp") { okhttp.newCall(request).execute().use { Json.parseToJsonElement(it.body.string()) } }
            GlobalOpenTelemetry.set(sdk)
            row("ocus traced") { ocus.projects.getBlocking(id) }
            row("OkHttp traced") { traced.newCall(request).execute().use { Json.parseToJsonElement(it.body.string()) } }
        }
        GlobalOpenTelemetry.resetForTest()
        fun median(values: List<Double>) = values.sorted()[values.size / 2]
        val m = rows.mapValues { (_, v) -> median(v.map { it.first }) to median(v.map { it.second }) }
        println("\nOpenTelemetry, sequential blocking GETs ($CALLS per round, $OTEL_ROUNDS interleaved rounds; medians, µs per call)")
        println("%-22s %8s %8s".format("client", "wall", "CPU"))
        for ((name, value) in m) println("%-22s %8.1f %8.1f".format(name, value.first, value.second))
        println(
            "tracing adds, CPU per call: ocus %.1f µs, OkHttp with its instrumentation %.1f µs".format(
                m.getValue("ocus traced").second - m.getValue("ocus, no SDK").second,
                m.getValue("OkHttp traced").second - m.getValue("OkHttp").second,
            ),
        )
        ocus.close()
    } finally {
        mock.destroy()
    }
}
