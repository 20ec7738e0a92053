package io.ocus

import io.opentelemetry.api.GlobalOpenTelemetry
import io.opentelemetry.api.common.AttributeKey
import io.opentelemetry.api.trace.SpanKind
import io.opentelemetry.api.trace.StatusCode
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator
import io.opentelemetry.context.propagation.ContextPropagators
import io.opentelemetry.sdk.OpenTelemetrySdk
import io.opentelemetry.sdk.metrics.SdkMeterProvider
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter
import io.opentelemetry.sdk.trace.SdkTracerProvider
import io.opentelemetry.sdk.trace.data.SpanData
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/**
 * OpenTelemetry: spans under the caller's current span, one per attempt, the trace context the
 * server received, the duration histogram, and never the key; read back from the SDK's
 * in-memory exporter and reader. The global SDK is installed for this class only (reset after:
 * the other classes run untraced, as most applications do).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelemetryTest {
    private lateinit var mock: Emulator
    private lateinit var ids: List<String>
    private val spans = InMemorySpanExporter.create()
    private val metrics = InMemoryMetricReader.create()

    @BeforeAll
    fun start() {
        mock = Emulator()
        ids = mock.projectIds()
    }

    @AfterAll
    fun stop() {
        GlobalOpenTelemetry.resetForTest()
        mock.close()
    }

    @BeforeEach
    fun reset() {
        mock.reset()
        spans.reset()
    }

    private val sdk by lazy {
        OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build()
    }

    private fun install() {
        if (!GlobalOpenTelemetry.isSet()) GlobalOpenTelemetry.set(sdk)
    }

    private fun client() = OcusClient(apiKey = ALPHA, baseUrl = mock.baseUrl)

    private fun named(name: String): List<SpanData> = spans.finishedSpanItems.filter { it.name == name }

    private fun traceparent(span: SpanData) = "00-${span.traceId}-${span.spanId}-${span.spanContext.traceFlags.asHex()}"

    @Test
    fun `without an SDK nothing is traced`() {
        GlobalOpenTelemetry.resetForTest()
        client().use { it.projects.getBlocking(ids[0]) }
        assertNull(mock.requests()[0].jsonObject.getValue("headers").jsonObject["traceparent"])
        assertTrue(spans.finishedSpanItems.isEmpty())
    }

    @Test
    fun `a retried get is one operation with an attempt span per try, in every calling style`() {
        install()
        val tracer = GlobalOpenTelemetry.getTracer("app")
        for (style in listOf("blocking", "async", "suspend")) {
            mock.reset()
            spans.reset()
            mock.faults(buildJsonObject { put("path", "/v3/projects/${ids[0]}"); put("status", 503); put("times", 1) })
            val handler = tracer.spanBuilder("handler").startSpan()
            client().use { c ->
                handler.makeCurrent().use {
                    when (style) {
                        "blocking" -> c.projects.getBlocking(ids[0])
                        "async" -> c.projects.getAsync(ids[0]).get(10, TimeUnit.SECONDS)
                        // The coroutine runs where the context is current (runBlocking's thread).
                        else -> runBlocking { c.projects.get(ids[0]) }
                    }
                }
            }
            handler.end()
            val operation = named("projects.get").single()
            assertEquals(SpanKind.INTERNAL, operation.kind, style)
            assertEquals(handler.spanContext.spanId, operation.parentSpanId, style)
            val attempts = named("GET /v3/projects/{id}").sortedBy { it.startEpochNanos }
            assertEquals(2, attempts.size, style)
            for (attempt in attempts) {
                assertEquals(SpanKind.CLIENT, attempt.kind)
                assertEquals(operation.spanId, attempt.parentSpanId)
                assertEquals(handler.spanContext.traceId, attempt.traceId)
                assertEquals("/v3/projects/{id}", attempt.attributes.get(AttributeKey.stringKey("url.template")))
                assertEquals("${mock.baseUrl}/projects/${ids[0]}", attempt.attributes.get(AttributeKey.stringKey("url.full")))
            }
            assertEquals(503L, attempts[0].attributes.get(AttributeKey.longKey("http.response.status_code")))
            assertEquals("503", attempts[0].attributes.get(AttributeKey.stringKey("error.type")))
            assertEquals(StatusCode.ERROR, attempts[0].status.statusCode)
            assertEquals(1L, attempts[1].attributes.get(AttributeKey.longKey("http.request.resend_count")))
            assertEquals(StatusCode.UNSET, operation.status.statusCode)
            val seen = mock.requests().map { it.jsonObject.getValue("headers").jsonObject["traceparent"]?.jsonPrimitive?.content }
            assertEquals(attempts.map(::traceparent), seen, style)
        }
    }

    @Test
    fun `listed headers are recorded by name on each attempt, and the key cannot be listed`() {
        install()
        mock.faults(buildJsonObject { put("path", "/v3/projects/${ids[0]}"); put("status", 503); put("times", 1) })
        val listed = OcusClient(
            apiKey = ALPHA,
            baseUrl = mock.baseUrl,
            defaultHeaders = mapOf("X-Tenant" to "t1"),
            captureRequestHeaders = listOf("x-tenant", "Accept"),
            captureResponseHeaders = listOf("X-Request-Id"),
        )
        listed.use { runBlocking { it.projects.get(ids[0]) } }
        val attempts = named("GET /v3/projects/{id}").sortedBy { it.startEpochNanos }
        assertEquals(2, attempts.size)
        for (attempt in attempts) {
            assertEquals(listOf("t1"), attempt.attributes.get(AttributeKey.stringArrayKey("http.request.header.x-tenant")))
            assertEquals(listOf("application/json"), attempt.attributes.get(AttributeKey.stringArrayKey("http.request.header.accept")))
            val requestId = attempt.attributes.get(AttributeKey.stringArrayKey("http.response.header.x-request-id"))
            assertTrue(requestId?.singleOrNull()?.startsWith("req_") == true, "$requestId")
        }
        assertFalse(spans.finishedSpanItems.toString().contains(ALPHA))
        // The builder (Java's way) lists names the same way, and is refused the same way.
        for (build in listOf<() -> OcusClient>(
            { OcusClient.builder().apiKey(ALPHA).captureRequestHeaders("X-API-KEY").build() },
            { OcusClient(apiKey = ALPHA, captureResponseHeaders = listOf("x-request-id", "x-api-key")) },
        )) {
            val refused = assertThrows(ConfigurationException::class.java) { build() }
            assertTrue(refused.message!!.contains("x-api-key is never recorded"), refused.message)
        }
    }

    @Test
    fun `a failed call and a listing, the histogram, and no key anywhere`() {
        install()
        client().use { c ->
            assertThrows(NotFoundException::class.java) { c.projects.getBlocking("no-such-project") }
            assertEquals(135, c.projects.listBlocking(ListParams(pageSize = 100)).count())
            c.requestBlocking("GET", "/projects", mapOf("page[size]" to 1))
        }
        val failed = named("projects.get").single()
        assertEquals(StatusCode.ERROR, failed.status.statusCode)
        assertEquals("404", failed.attributes.get(AttributeKey.stringKey("error.type")))
        assertEquals(io.opentelemetry.api.trace.SpanId.getInvalid(), failed.parentSpanId)
        assertEquals(2, named("projects.list").size)
        assertEquals(1, named("request").size)
        assertEquals("GET", named("GET").single().name)
        val duration = metrics.collectAllMetrics().single { it.name == "http.client.request.duration" }
        assertEquals("s", duration.unit)
        val points = duration.histogramData.points
        assertTrue(points.any { it.attributes.get(AttributeKey.longKey("http.response.status_code")) == 200L && it.count >= 1 })
        val exported = spans.finishedSpanItems.toString() + points.toString()
        assertTrue(exported.length > 1000)
        for (secret in listOf(ALPHA, "x-api-key")) assertFalse(exported.contains(secret), secret)
    }
}
