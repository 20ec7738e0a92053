// The JVM package against java.net.http.HttpClient and OkHttp, on the release emulator. Same
// request for all: GET /v3/projects/{id} with X-API-KEY, the JSON body parsed; one reused client
// each, keep-alive, warm-up, interleaved rounds; median (min-max) wall time and process CPU per
// request, as ratios to each peer. Run: `make bench-jvm`.
package io.ocus.bench

import io.ocus.OcusClient
import java.io.BufferedReader
import java.io.InputStreamReader
import java.lang.management.ManagementFactory
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Paths
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import kotlinx.serialization.json.Json
import okhttp3.ConnectionPool
import okhttp3.Dispatcher
import okhttp3.OkHttpClient
import okhttp3.Request

private const val KEY = "bench_key_0123456789"
private const val ROUNDS = 7
private const val SEQUENTIAL = 2000
private const val CONCURRENT = 10000
private const val IN_FLIGHT = 50

private val osBean = ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean

/** Calls `call` `count` times from `inFlight` platform threads (1: the calling thread). */
private fun onThreads(count: Int, inFlight: Int, call: () -> Unit) {
    if (inFlight == 1) return repeat(count) { call() }
    val next = AtomicInteger()
    val pool = Executors.newFixedThreadPool(inFlight)
    repeat(inFlight) { pool.execute { while (next.getAndIncrement() < count) call() } }
    pool.shutdown()
    pool.awaitTermination(10, TimeUnit.MINUTES)
}

/** Calls `call` `count` times from `inFlight` coroutines. */
private fun onCoroutines(count: Int, inFlight: Int, call: suspend () -> Unit) = runBlocking {
    val next = AtomicInteger()
    withContext(Dispatchers.Default) {
        repeat(inFlight) { launch { while (next.getAndIncrement() < count) call() } }
    }
}

private fun timed(count: Int, run: () -> Unit): Pair<Double, Double> {
    val cpu0 = osBean.processCpuTime
    val t0 = System.nanoTime()
    run()
    val wall = (System.nanoTime() - t0) / 1e3 / count
    return wall to (osBean.processCpuTime - cpu0) / 1e3 / count
}

private fun median(values: List<Double>) = values.sorted()[values.size / 2]

/** Where a blocking call's time goes, sequentially: the FFI alone, the native call, the parse. */
private fun breakdown(base: String, id: String, ocus: OcusClient) {
    val native = io.ocus.internal.NativeClient("""{"apiKey":"$KEY","baseUrl":"$base"}""", null)
    val body = ByteArray(64)
    val arguments = "{\"id\":\"$id\"}".toByteArray()
    fun call() = native.getProjectBlocking(java.nio.ByteBuffer.allocateDirect(arguments.size).put(arguments).flip())
    val view = call().value
    val steps = linkedMapOf<String, () -> Unit>(
        "FFI round trip (Webhooks.sign, 64 B)" to { io.ocus.Webhooks.sign(body, "secret") },
        "native get, no parse (JSON text out)" to { call() },
        "parse of the view (kotlinx)" to { Json.parseToJsonElement(view) },
        "ocus getBlocking (all of it)" to { ocus.projects.getBlocking(id) },
    )
    println("\nbreakdown (sequential, µs per call, median of $ROUNDS rounds)")
    for ((name, step) in steps) {
        repeat(SEQUENTIAL) { step() }
        val walls = (1..ROUNDS).map { timed(SEQUENTIAL) { repeat(SEQUENTIAL) { step() } }.first }
        println("%-40s %8.1f".format(name, median(walls)))
    }
    native.destroy()
}

fun main() {
    val root = Paths.get(System.getProperty("user.dir")).toAbsolutePath().parent
    val mock = ProcessBuilder(root.resolve("target/release/ocus-mock").toString(), "--addr", "127.0.0.1:0", "--api-key", KEY)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start()
    try {
        val base = BufferedReader(InputStreamReader(mock.inputStream)).readLine()
        run(base)
    } finally {
        mock.destroy()
    }
}

private fun run(base: String) {
    val ocus = OcusClient(apiKey = KEY, baseUrl = base)
    val id = ocus.projects.listPageBlocking(io.ocus.ListParams(pageSize = 1)).data[0].id
    val url = URI.create("$base/projects/$id")
    val jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
    val jdkRequest = HttpRequest.newBuilder(url).header("x-api-key", KEY).build()
    val okhttp = OkHttpClient.Builder()
        .connectionPool(ConnectionPool(IN_FLIGHT, 5, TimeUnit.MINUTES))
        .dispatcher(Dispatcher().apply { maxRequests = IN_FLIGHT * 2; maxRequestsPerHost = IN_FLIGHT * 2 })
        .build()
    val okRequest = Request.Builder().url(url.toString()).header("x-api-key", KEY).build()

    val peers: Map<String, () -> Unit> = mapOf(
        "java.net.http" to { Json.parseToJsonElement(jdk.send(jdkRequest, HttpResponse.BodyHandlers.ofString()).body()) },
        "OkHttp" to { okhttp.newCall(okRequest).execute().use { Json.parseToJsonElement(it.body.string()) } },
    )
    println("ocus ${OcusClient.VERSION} (JVM) vs java.net.http and OkHttp; JVM ${System.getProperty("java.version")}, ${Runtime.getRuntime().availableProcessors()} cores")
    for ((label, count, inFlight) in listOf(
        Triple("sequential ($SEQUENTIAL per round, $ROUNDS interleaved rounds)", SEQUENTIAL, 1),
        Triple("$IN_FLIGHT in flight ($CONCURRENT per round, $ROUNDS interleaved rounds)", CONCURRENT, IN_FLIGHT),
    )) {
        val clients = linkedMapOf<String, () -> Unit>(
            "ocus (blocking)" to { onThreads(count, inFlight) { ocus.projects.getBlocking(id) } },
            "ocus (suspend)" to { onCoroutines(count, inFlight) { ocus.projects.get(id) } },
        )
        for ((name, call) in peers) clients["$name (blocking)"] = { onThreads(count, inFlight, call) }
        if (inFlight > 1) {
            clients["java.net.http (sendAsync)"] = {
                onCoroutines(count, inFlight) {
                    Json.parseToJsonElement(jdk.sendAsync(jdkRequest, HttpResponse.BodyHandlers.ofString()).await().body())
                }
            }
        }
        val results = clients.keys.associateWith { mutableListOf<Pair<Double, Double>>() }
        for (run in clients.values) { onThreads(count / 4, 1) {}; timed(count) { run() } } // warm-up (JIT, pools)
        repeat(ROUNDS) { for ((name, run) in clients) results.getValue(name).add(timed(count) { run() }) }
        report(label, results)
    }
    if (System.getProperty("ocus.bench.breakdown") != null) breakdown(base, id, ocus)
    ocus.close()
}

private fun report(title: String, results: Map<String, List<Pair<Double, Double>>>) {
    println("\n$title")
    val medians = results.mapValues { (_, samples) -> median(samples.map { it.first }) }
    val peers = medians.filterKeys { !it.startsWith("ocus") }
    println("%-28s %26s %11s".format("client", "µs/req median (min-max)", "CPU µs/req") + peers.keys.joinToString("") { "%24s".format("vs $it") })
    for ((name, samples) in results) {
        val walls = samples.map { it.first }
        val m = medians.getValue(name)
        val spread = "%.1f (%.1f-%.1f)".format(m, walls.min(), walls.max())
        val ratios = peers.values.joinToString("") { "%23.2fx".format(it / m) }
        println("%-28s %26s %11.1f".format(name, spread, median(samples.map { it.second })) + ratios)
    }
}
