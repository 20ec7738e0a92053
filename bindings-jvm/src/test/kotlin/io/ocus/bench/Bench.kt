// The JVM package against java.net.http.HttpClient and OkHttp, on the release emulator. Same
// request for all: GET /v3/projects/{id} with X-API-KEY, the JSON body parsed; one reused client
// each, keep-alive, warm-up, interleaved rounds; median (min-max) wall time and process CPU per
// request, as ratios to each peer. The floor is a raw-socket client (one write, read until
// Content-Length, no parsing beyond): what any client costs at least on this machine; each
// row's "above floor" is its CPU per request beyond the floor's. Run: `make bench-jvm`.
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
import kotlinx.serialization.json.double
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
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

/**
 * The floor: one kept-alive socket per thread, the request written in one go and the response
 * read until its Content-Length, the body left as bytes.
 */
private class RawSocketClient(private val host: String, private val port: Int, path: String) {
    private val request = "GET $path HTTP/1.1\r\nhost: $host:$port\r\nx-api-key: $KEY\r\n\r\n".toByteArray()
    private val connection = ThreadLocal.withInitial { Connection() }

    private inner class Connection {
        val socket = java.net.Socket(host, port).apply { tcpNoDelay = true }
        val input = socket.getInputStream()
        val output = socket.getOutputStream()
        val buffer = ByteArray(64 * 1024)
    }

    fun get(): Int {
        val c = connection.get()
        c.output.write(request)
        var filled = 0
        var headerEnd = -1
        var length = 0
        while (true) {
            val n = c.input.read(c.buffer, filled, c.buffer.size - filled)
            check(n > 0) { "connection closed" }
            filled += n
            if (headerEnd < 0) {
                headerEnd = indexOfHeaderEnd(c.buffer, filled)
                if (headerEnd >= 0) length = contentLength(String(c.buffer, 0, headerEnd, Charsets.ISO_8859_1))
            }
            if (headerEnd >= 0 && filled >= headerEnd + 4 + length) return length
        }
    }

    private fun indexOfHeaderEnd(b: ByteArray, n: Int): Int {
        for (i in 0..n - 4) if (b[i] == '\r'.code.toByte() && b[i + 1] == '\n'.code.toByte() && b[i + 2] == '\r'.code.toByte() && b[i + 3] == '\n'.code.toByte()) return i
        return -1
    }

    private fun contentLength(head: String): Int =
        head.lineSequence().first { it.startsWith("content-length:", ignoreCase = true) }.substringAfter(':').trim().toInt()
}

/** OkHttp's asynchronous call (`enqueue`), awaited from a coroutine. */
private suspend fun OkHttpClient.await(request: Request): String = kotlinx.coroutines.suspendCancellableCoroutine { continuation ->
    val call = newCall(request)
    continuation.invokeOnCancellation { call.cancel() }
    call.enqueue(object : okhttp3.Callback {
        override fun onFailure(call: okhttp3.Call, e: java.io.IOException) = continuation.resumeWith(Result.failure(e))
        override fun onResponse(call: okhttp3.Call, response: okhttp3.Response) =
            continuation.resumeWith(runCatching { response.use { it.body.string() } })
    })
}

/** Where a blocking call's time goes, sequentially: a uniffi call, the parse, the whole call. */
private fun breakdown(id: String, ocus: OcusClient) {
    val body = ByteArray(64)
    val view = ocus.projects.getBlocking(id).toJson()
    val steps = linkedMapOf<String, () -> Unit>(
        "uniffi round trip (Webhooks.sign, 64 B)" to { io.ocus.Webhooks.sign(body, "secret") },
        "parse of a project (kotlinx)" to { Json.parseToJsonElement(view) },
        "ocus getBlocking (all of it)" to { ocus.projects.getBlocking(id) },
    )
    println("\nbreakdown (sequential, µs per call, median of $ROUNDS rounds)")
    for ((name, step) in steps) {
        repeat(SEQUENTIAL) { step() }
        val walls = (1..ROUNDS).map { timed(SEQUENTIAL) { repeat(SEQUENTIAL) { step() } }.first }
        println("%-40s %8.1f".format(name, median(walls)))
    }
}

// Many calls in flight, each client alone in a JVM of its own (so RSS, descriptors and threads
// are its own): the same table as bench/node_bench.js and bench/many_in_flight.py.
private val HIGH_IN_FLIGHT = listOf(1000, 10000)
private val HIGH_CLIENTS = listOf("ocus (suspend)", "OkHttp (enqueue)")

/** `BenchKt --high CLIENT IN_FLIGHT BASE ID`: one run, printed as one JSON line. */
private fun high(name: String, inFlight: Int, base: String, id: String) {
    val call: suspend () -> Unit = when (name) {
        "ocus (suspend)" -> OcusClient(apiKey = KEY, baseUrl = base).let { ocus -> { ocus.projects.get(id) } }
        else -> {
            // No connection or request limit below the calls in flight, as ocus.
            val okhttp = OkHttpClient.Builder()
                .connectionPool(ConnectionPool(inFlight, 5, TimeUnit.MINUTES))
                .dispatcher(Dispatcher().apply { maxRequests = inFlight; maxRequestsPerHost = inFlight })
                .build()
            val request = Request.Builder().url("$base/projects/$id").header("x-api-key", KEY).build();
            { Json.parseToJsonElement(okhttp.await(request)) }
        }
    }
    val count = maxOf(20000, 2 * inFlight)
    val latencies = java.util.concurrent.ConcurrentLinkedQueue<Long>()
    val errors = AtomicInteger()
    fun run(calls: Int) = onCoroutines(calls, inFlight) {
        val t0 = System.nanoTime()
        try {
            call()
        } catch (e: Exception) {
            errors.incrementAndGet()
        }
        latencies.add(System.nanoTime() - t0)
    }
    run(inFlight) // warm-up: every connection opened once
    latencies.clear()
    errors.set(0)
    val t0 = System.nanoTime()
    run(count)
    val seconds = (System.nanoTime() - t0) / 1e9
    val sorted = latencies.sorted()
    fun millis(q: Double) = sorted[(sorted.size * q).toInt()] / 1e6
    val rssKiB = java.io.File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }.split(Regex("\\s+"))[1].toDouble()
    val fds = java.io.File("/proc/self/fd").list()!!.size
    val threads = java.io.File("/proc/self/task").list()!!.size
    println(
        """{"perSecond":${count / seconds},"p50":${millis(0.5)},"p99":${millis(0.99)},"rssMiB":${rssKiB / 1024},""" +
            """"fds":$fds,"threads":$threads,"errors":${errors.get()}}""",
    )
    kotlin.system.exitProcess(0)
}

private fun highTable(base: String, id: String) {
    println("\nmany in flight (one JVM per client, max(20000, 2 x in flight) calls after a warm-up)")
    println("%-18s %9s %9s %8s %8s %8s %6s %8s %7s".format("client", "in flight", "calls/s", "p50 ms", "p99 ms", "RSS MiB", "fds", "threads", "errors"))
    val java = Paths.get(System.getProperty("java.home"), "bin", "java").toString()
    for (inFlight in HIGH_IN_FLIGHT) {
        for (name in HIGH_CLIENTS) {
            val child = ProcessBuilder(
                java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), "io.ocus.bench.BenchKt",
                "--high", name, inFlight.toString(), base, id,
            ).redirectError(ProcessBuilder.Redirect.INHERIT).start()
            val out = child.inputStream.bufferedReader().readText().trim().lines().last()
            if (child.waitFor() != 0) {
                println("%-18s %9d failed (exit %d)".format(name, inFlight, child.exitValue()))
                continue
            }
            val row = Json.parseToJsonElement(out).jsonObject.mapValues { it.value.jsonPrimitive.double }
            println(
                "%-18s %9d %9.0f %8.1f %8.1f %8.0f %6.0f %8.0f %7.0f".format(
                    name, inFlight, row["perSecond"], row["p50"], row["p99"], row["rssMiB"], row["fds"], row["threads"], row["errors"],
                ),
            )
        }
    }
}

fun main(args: Array<String>) {
    if (args.firstOrNull() == "--high") return high(args[1], args[2].toInt(), args[3], args[4])
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
    // -Docus.bench.only=many: only the many-in-flight table.
    if (System.getProperty("ocus.bench.only") == "many") return highTable(base, id)
    val url = URI.create("$base/projects/$id")
    val jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
    val jdkRequest = HttpRequest.newBuilder(url).header("x-api-key", KEY).build()
    val okhttp = OkHttpClient.Builder()
        .connectionPool(ConnectionPool(IN_FLIGHT, 5, TimeUnit.MINUTES))
        .dispatcher(Dispatcher().apply { maxRequests = IN_FLIGHT * 2; maxRequestsPerHost = IN_FLIGHT * 2 })
        .build()
    val okRequest = Request.Builder().url(url.toString()).header("x-api-key", KEY).build()
    val floor = RawSocketClient(url.host, url.port, url.rawPath)

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
        if (inFlight > 1) clients["ocus (getAsync)"] = { onCoroutines(count, inFlight) { ocus.projects.getAsync(id).await() } }
        for ((name, call) in peers) clients["$name (blocking)"] = { onThreads(count, inFlight, call) }
        // Sequentially too: a suspending call's own floor (its coroutine is resumed on another
        // thread than the one that did the I/O, which the blocking rows never pay).
        clients["OkHttp (enqueue)"] = { onCoroutines(count, inFlight) { Json.parseToJsonElement(okhttp.await(okRequest)) } }
        if (inFlight > 1) {
            clients["java.net.http (sendAsync)"] = {
                onCoroutines(count, inFlight) {
                    Json.parseToJsonElement(jdk.sendAsync(jdkRequest, HttpResponse.BodyHandlers.ofString()).await().body())
                }
            }
        }
        clients["floor (raw socket)"] = { onThreads(count, inFlight) { floor.get() } }
        val results = clients.keys.associateWith { mutableListOf<Pair<Double, Double>>() }
        for (run in clients.values) { onThreads(count / 4, 1) {}; timed(count) { run() } } // warm-up (JIT, pools)
        repeat(ROUNDS) { for ((name, run) in clients) results.getValue(name).add(timed(count) { run() }) }
        report(label, results)
    }
    if (System.getProperty("ocus.bench.breakdown") != null) breakdown(id, ocus)
    ocus.close()
    highTable(base, id)
}

private fun report(title: String, results: Map<String, List<Pair<Double, Double>>>) {
    println("\n$title")
    val medians = results.mapValues { (_, samples) -> median(samples.map { it.first }) }
    // Ratios to the named peers only (not to the floor, which is no client anyone would use).
    val peers = medians.filterKeys { it.startsWith("OkHttp") || it.startsWith("java.net.http") }
    val floorCpu = results["floor (raw socket)"]?.let { samples -> median(samples.map { it.second }) } ?: 0.0
    println(
        "%-28s %26s %11s %12s".format("client", "µs/req median (min-max)", "CPU µs/req", "above floor") +
            peers.keys.joinToString("") { "%28s".format("vs $it") },
    )
    for ((name, samples) in results) {
        val walls = samples.map { it.first }
        val m = medians.getValue(name)
        val cpu = median(samples.map { it.second })
        val spread = "%.1f (%.1f-%.1f)".format(m, walls.min(), walls.max())
        val ratios = peers.values.joinToString("") { "%27.2fx".format(it / m) }
        println("%-28s %26s %11.1f %12.1f".format(name, spread, cpu, cpu - floorCpu) + ratios)
    }
}
