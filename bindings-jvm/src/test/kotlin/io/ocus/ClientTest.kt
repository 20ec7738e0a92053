package io.ocus

import java.time.Duration
import java.util.concurrent.CancellationException
import java.util.concurrent.ExecutionException
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.logging.Handler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger
import kotlin.io.path.createTempDirectory
import kotlin.io.path.writeText
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTest {
    private lateinit var mock: Emulator
    private lateinit var ids: List<String>

    @BeforeAll
    fun start() {
        mock = Emulator()
        ids = mock.projectIds()
    }

    @AfterAll
    fun stop() = mock.close()

    @BeforeEach
    fun reset() {
        mock.reset()
    }

    private fun client(timeout: Duration? = null, maxRetries: Int? = null, logLevel: String? = null) =
        OcusClient(apiKey = ALPHA, baseUrl = mock.baseUrl, timeout = timeout, maxRetries = maxRetries, logLevel = logLevel)

    private fun hang() = mock.faults(buildJsonObject { put("action", "hang") })

    @Test
    fun `the three ways to call agree`(): Unit = runBlocking {
        client().use { c ->
            val suspended = c.projects.get(ids[0])
            val blocking = c.projects.getBlocking(ids[0])
            val future = c.projects.getAsync(ids[0]).get(10, TimeUnit.SECONDS)
            assertEquals(suspended, blocking)
            assertEquals(suspended, future)
            assertEquals(ids[0], suspended.id)
            assertEquals(200, suspended.response?.status)
            assertNotNull(suspended.response?.requestId)
            val all = c.projects.list(ListParams(pageSize = 40)).toList()
            assertEquals(all, c.projects.listBlocking(ListParams(pageSize = 40)).toList())
            assertEquals(all.map { it.id }.toSet().size, all.size)
            assertEquals(3, c.projects.list().take(3).toList().size)
            val page = c.projects.listPageBlocking(ListParams.builder().pageSize(3).build())
            assertEquals(3, page.data.size)
            assertTrue(page.hasNext)
            val raw = c.request("GET", "/projects/${ids[1]}")
            assertEquals(ids[1], raw.jsonObject.getValue("data").jsonObject.getValue("id").jsonPrimitive.content)
            assertEquals(ids[1], c.requestAsync("GET", "/projects/${ids[1]}").get().jsonObject.getValue("data").jsonObject.getValue("id").jsonPrimitive.content)
        }
    }

    @Test
    fun `errors are typed and carry what the core says`(): Unit = runBlocking {
        OcusClient(apiKey = "sk_test_unknown", baseUrl = mock.baseUrl).use { c ->
            val error = assertThrows(AuthenticationException::class.java) { c.projects.getBlocking(ids[0]) }
            assertEquals("unauthorized", error.kind)
            assertEquals(401, error.status)
            assertNotNull(error.requestId)
            val future = c.projects.getAsync(ids[0])
            val wrapped = assertThrows(ExecutionException::class.java) { future.get() }
            assertTrue(wrapped.cause is AuthenticationException)
        }
        client().use { c ->
            assertThrows(NotFoundException::class.java) { runBlocking { c.projects.get("00000000-0000-0000-0000-000000000000") } }
            mock.faults(buildJsonObject { put("status", 503); put("times", 3) })
            val unavailable = assertThrows(ServiceUnavailableException::class.java) { c.projects.getBlocking(ids[0]) }
            // The class is checked at run time by assertThrows; these are what the core said.
            assertEquals("service_unavailable", unavailable.kind)
            assertEquals(503, unavailable.status)
        }
        val missing = assertThrows(ConfigurationException::class.java) { OcusClient(apiKey = "", baseUrl = mock.baseUrl) }
        assertEquals("configuration", missing.kind)
        val insecure = assertThrows(ConfigurationException::class.java) { OcusClient(apiKey = ALPHA, baseUrl = "http://api.example.com/v3") }
        assertTrue(insecure.message!!.contains("https"), insecure.message)
        assertThrows(ConfigurationException::class.java) { OcusClient(apiKey = ALPHA, baseUrl = mock.baseUrl, maxRetries = -1) }
    }

    @Test
    fun `a connection failure leads to its cause`() {
        val port = java.net.ServerSocket(0).use { it.localPort }
        OcusClient(apiKey = ALPHA, baseUrl = "http://127.0.0.1:$port/v3", maxRetries = 0).use { c ->
            val error = assertThrows(ApiConnectionException::class.java) { c.projects.getBlocking(ids[0]) }
            assertTrue(error.cause is ErrorCause, "cause: ${error.cause}")
            assertTrue(error.toString().contains("127.0.0.1:$port"), error.toString())
        }
    }

    @Test
    fun `the key never appears in toString, exceptions or logs`(): Unit = runBlocking {
        val records = mutableListOf<LogRecord>()
        val handler = object : Handler() {
            override fun publish(record: LogRecord) {
                synchronized(records) { records.add(record) }
            }
            override fun flush() {}
            override fun close() {}
        }
        val logger = Logger.getLogger("ocus")
        val previous = logger.level
        logger.level = Level.ALL
        logger.addHandler(handler)
        try {
            val secret = "sk_test_very_secret_key_4242"
            OcusClient(apiKey = secret, baseUrl = mock.baseUrl, logLevel = "trace", maxRetries = 1).use { c ->
                assertFalse(c.toString().contains(secret))
                assertFalse(OcusClient.builder().apiKey(secret).toString().contains(secret))
                mock.faults(buildJsonObject { put("status", 503); put("times", 1) })
                val error = assertThrows(AuthenticationException::class.java) { c.projects.getBlocking(ids[0]) }
                val shown = listOf(error.toString(), error.message, error.body, error.stackTraceToString(), error.cause?.toString())
                assertTrue(shown.none { it?.contains(secret) == true }, shown.toString())
            }
            client(logLevel = "trace").use { it.projects.get(ids[0]) }
            val bad = assertThrows(ConfigurationException::class.java) { OcusClient(apiKey = "sk_test_bad\nkey", baseUrl = mock.baseUrl) }
            assertFalse(bad.toString().contains("sk_test_bad"))
        } finally {
            logger.removeHandler(handler)
            logger.level = previous
        }
        val lines = synchronized(records) { records.map { "${it.level} ${it.message}" } }
        assertTrue(lines.any { it.contains("request succeeded") && it.contains("path=/v3/projects/") && it.contains("status=200") }, lines.toString())
        assertTrue(lines.any { it.contains("retrying") }, lines.toString())
        assertTrue(lines.none { it.contains("secret") || it.contains(ALPHA) }, lines.toString())
    }

    @Test
    fun `cancelling a coroutine cancels the request in Rust`(): Unit = runBlocking {
        client(timeout = Duration.ofSeconds(30)).use { c ->
            c.projects.get(ids[0]) // a warm pool
            val before = ProcessStats.descriptors()
            mock.faults(buildJsonObject { put("action", "hang"); put("times", 20) })
            val started = System.nanoTime()
            coroutineScope {
                // On other threads: `eventually` below blocks this one.
                val calls = (1..20).map { launch(Dispatchers.Default) { c.projects.get(ids[0]) } }
                assertTrue(eventually { mock.requests().size >= 21 }, "the calls reached the emulator")
                calls.forEach { it.cancel() }
            }
            assertTrue(System.nanoTime() - started < 10e9)
            // Each cancelled request's connection is closed by Rust, not left hanging.
            assertTrue(eventually { ProcessStats.descriptors() <= before + 2 }, "descriptors ${ProcessStats.descriptors()} vs $before")
            // A timeout and a cancelled CompletableFuture stop the request in Rust too.
            val hung = mock.requests().size
            assertThrows(TimeoutCancellationException::class.java) {
                runBlocking { hang(); withTimeout(300) { c.projects.get(ids[0]) } }
            }
            hang()
            val future = c.projects.getAsync(ids[0])
            assertTrue(eventually { mock.requests().size >= hung + 2 }, "the future's call reached the emulator")
            assertTrue(future.cancel(true))
            assertThrows(CancellationException::class.java) { future.get() }
            assertTrue(eventually { ProcessStats.descriptors() <= before + 2 }, "descriptors ${ProcessStats.descriptors()} vs $before")
            assertEquals(ids[0], c.projects.get(ids[0]).id) // still usable
        }
    }

    @Test
    fun `a cancelled coroutine sends nothing, and an unconfined one never runs on the completion thread`(): Unit = runBlocking {
        client().use { c ->
            c.projects.get(ids[0]) // a warm pool
            val before = mock.requests().size
            val job = launch(Dispatchers.Default) {
                cancel() // cancelled before it calls: the call must not start
                c.request("POST", "/projects/${ids[0]}/notes", body = mapOf("text" to "after cancel"))
            }
            job.join()
            assertTrue(job.isCancelled)
            Thread.sleep(200) // a call started anyway would reach the emulator by now
            assertEquals(before, mock.requests().size, "a cancelled coroutine sent a request")

            val threads = withContext(Dispatchers.Unconfined) {
                (1..20).map { c.projects.get(ids[0]); Thread.currentThread().name }
            }
            assertTrue(threads.none { it == "ocus-completions" }, "resumed on $threads")
        }
    }

    @Test
    fun `a thousand coroutines at once each get their own answer`(): Unit = runBlocking {
        client().use { c ->
            val threads = ProcessStats.threads()
            val results = coroutineScope {
                (0 until 1000).map { i -> async { c.projects.get(ids[i % ids.size]).id } }.awaitAll()
            }
            assertEquals((0 until 1000).map { ids[it % ids.size] }, results)
            // Coroutines, not threads: no thread per call.
            assertTrue(ProcessStats.threads() < threads + 16, "threads ${ProcessStats.threads()} vs $threads")
        }
    }

    @Test
    fun `one client from many threads`() {
        client().use { c ->
            val pool = Executors.newFixedThreadPool(32)
            try {
                val futures = (0 until 32).map { t ->
                    pool.submit<List<Boolean>> { (0 until 100).map { i -> ids[(t + i) % ids.size].let { c.projects.getBlocking(it).id == it } } }
                }
                assertTrue(futures.all { f -> f.get(60, TimeUnit.SECONDS).all { it } })
            } finally {
                pool.shutdown()
            }
        }
    }

    @Test
    fun `a thousand clients made, used and closed leave descriptors and threads where they were`() {
        client().use { it.projects.getBlocking(ids[0]) } // runtimes started
        runBlocking { client().use { it.projects.get(ids[0]) } }
        val fds = ProcessStats.descriptors()
        val threads = ProcessStats.threads()
        repeat(1000) { i ->
            val c = client()
            if (i % 2 == 0) c.projects.getBlocking(ids[0]) else runBlocking { c.projects.get(ids[0]) }
            c.close()
        }
        assertTrue(eventually { ProcessStats.descriptors() <= fds + 4 }, "descriptors ${ProcessStats.descriptors()} vs $fds")
        // (Some slack: the JVM may start a compiler or GC thread meanwhile; a thread per client
        // would be hundreds.)
        assertTrue(ProcessStats.threads() <= threads + 16, "threads ${ProcessStats.threads()} vs $threads")
        // Clients only dropped are freed by the JVM's cleaner, their sockets with them.
        repeat(200) { client().projects.getBlocking(ids[0]) }
        assertTrue(eventually(10.0) { System.gc(); ProcessStats.descriptors() <= fds + 4 }, "descriptors ${ProcessStats.descriptors()} vs $fds")
    }

    @Test
    fun `after a burst of suspending calls, idle connections close on the thread that drives them`() {
        // The README's rule: as calls end the pool keeps what it may, and a connection unused
        // for the idle timeout closes within twice that on a runtime that runs on its own (here
        // the completion thread's, which also does the calls' I/O).
        val idle = Duration.ofMillis(300)
        OcusClient(apiKey = ALPHA, baseUrl = mock.baseUrl, idleTimeout = idle).use { c ->
            runBlocking { c.projects.get(ids[0]) }
            Thread.sleep(3 * idle.toMillis()) // that first connection is gone too
            val before = ProcessStats.descriptors()
            runBlocking { List(200) { async(Dispatchers.Default) { c.projects.get(ids[0]) } }.awaitAll() }
            val burst = ProcessStats.descriptors()
            assertTrue(burst > before + 10, "the burst opened connections: $burst vs $before")
            assertTrue(
                eventually(2 * idle.toMillis() / 1000.0 + 2.0) { ProcessStats.descriptors() <= before },
                "descriptors ${ProcessStats.descriptors()} vs $before before the burst ($burst after it)",
            )
        }
    }

    @Test
    fun `close stops calls in flight and later calls`(): Unit = runBlocking {
        val c = client(timeout = Duration.ofSeconds(30))
        hang()
        val pending = async(Dispatchers.Default) { runCatching { c.projects.get(ids[0]) } }
        assertTrue(eventually { mock.requests().isNotEmpty() })
        c.close()
        val error = pending.await().exceptionOrNull()
        assertTrue(error is ConfigurationException && error.code == "client_closed", "$error")
        assertTrue(c.isClosed)
        val later = assertThrows(ConfigurationException::class.java) { c.projects.getBlocking(ids[0]) }
        assertEquals("client_closed", later.code)
        c.close() // idempotent
    }

    @Test
    fun `a listing left unfinished does not keep a closed client's connections`() {
        client().use { it.projects.getBlocking(ids[0]) }
        val fds = ProcessStats.descriptors()
        val c = client()
        val iterator = c.projects.listBlocking(ListParams(pageSize = 5)).iterator()
        assertTrue(iterator.hasNext()) // one page fetched, the listing abandoned
        c.close()
        assertTrue(eventually { ProcessStats.descriptors() <= fds + 1 }, "descriptors ${ProcessStats.descriptors()} vs $fds")
        val error = assertThrows(ConfigurationException::class.java) { while (iterator.hasNext()) iterator.next() }
        assertEquals("client_closed", error.code)
    }

    @Test
    fun `the key file and the environment configure a client`() {
        val dir = createTempDirectory("ocus-jvm-")
        val file = dir.resolve("key").apply { writeText(BETA) }
        OcusClient(apiKeyFile = file, baseUrl = mock.baseUrl).use { it.projects.getBlocking(ids[0]) }
        assertEquals("beta", mock.requests().last().jsonObject.getValue("key").jsonPrimitive.content)
        val saved = listOf("OCUS_API_KEY", "OCUS_BASE_URL", "OCUS_API_KEY_FILE").associateWith { getEnv(it) }
        setEnv("OCUS_API_KEY", ALPHA)
        setEnv("OCUS_BASE_URL", mock.baseUrl)
        setEnv("OCUS_API_KEY_FILE", null)
        try {
            OcusClient.fromEnv().use { assertEquals(mock.baseUrl, it.baseUrl); it.projects.getBlocking(ids[0]) }
        } finally {
            for ((name, value) in saved) setEnv(name, value)
        }
        assertEquals("alpha", mock.requests().last().jsonObject.getValue("key").jsonPrimitive.content)
        dir.toFile().deleteRecursively()
    }

    @Test
    fun `webhooks verify both signed forms`() {
        val event = """{"type":"event","id":"project.updated","attributes":{"organization_id":"o1","project_id":"p1"}}"""
        val body = """{"data": $event}""".toByteArray()
        for (part in SignedPart.entries) {
            val signature = Webhooks.sign(body, "whsec", part)
            val verified = Webhooks.verify(body, signature, "whsec")
            assertEquals("project.updated", verified.id)
            assertEquals("p1", verified.projectId)
            assertEquals(part, verified.signedPart)
        }
        val wrong = assertThrows(SignatureVerificationException::class.java) { Webhooks.verify(body, "00".repeat(32), "whsec") }
        assertEquals("signature_mismatch", wrong.code)
        assertEquals("missing_signature", assertThrows(SignatureVerificationException::class.java) { Webhooks.verify(body, null, "whsec") }.code)
        assertEquals("ocus-signature", Webhooks.SIGNATURE_HEADER)
    }
}
