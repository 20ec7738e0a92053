package io.ocus

import java.net.URI
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.io.path.readText
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.double
import kotlinx.serialization.json.doubleOrNull
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.TestInstance

/**
 * Plays every shared scenario (each JSON file of tests/scenarios) through the public Kotlin API,
 * twice: through the suspending calls (started on the library's runtime) and through the
 * blocking ones (run on the calling thread): one behaviour on both paths.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScenarioTest {
    private lateinit var mock: Emulator
    private val cases: List<Path> = REPO.resolve("tests/scenarios").listDirectoryEntries("*.json").sortedBy { it.name }

    @BeforeAll
    fun start() {
        mock = Emulator()
    }

    @AfterAll
    fun stop() = mock.close()

    @Test
    fun `the suite is complete`() = assertTrue(cases.size >= 40, "${cases.size} cases")

    @TestFactory
    fun scenarios(): List<DynamicTest> = cases.flatMap { file ->
        listOf(false, true).map { blocking ->
            val name = "scenario ${file.name.removeSuffix(".json")}${if (blocking) " (blocking)" else ""}"
            DynamicTest.dynamicTest(name) { play(parseObject(file.readText()), blocking) }
        }
    }

    private fun play(scenario: JsonObject, blocking: Boolean) {
        mock.reset(scenario["keys"] as? JsonArray ?: Emulator.defaultKeys())
        val dir = Files.createTempDirectory("ocus-jvm-")
        val keyFile = dir.resolve("api_key")
        var client: OcusClient? = null
        try {
            for ((index, element) in scenario.getValue("steps").jsonArray.withIndex()) {
                val step = element.jsonObject
                val op = step.getValue("op").jsonPrimitive.content
                try {
                    when (op) {
                        "faults" -> mock.admin("POST", "/__admin/faults", step.getValue("faults"))
                        "set_keys" -> mock.admin("POST", "/__admin/keys", buildJsonObject { put("keys", step.getValue("keys")) })
                        "write_key_file" -> Files.writeString(keyFile, step.args().getValue("content").jsonPrimitive.content)
                        "check_requests" -> matches(step.getValue("expect"), normaliseRequests(mock.requests()), "requests")
                        "new_client" -> client?.close().also { client = newClient(step, keyFile) }
                        else -> callStep(client, op, step, blocking)
                    }
                } catch (failure: Throwable) {
                    throw AssertionError("step $index ($op): ${failure.message}", failure)
                }
            }
        } finally {
            client?.close()
            dir.toFile().deleteRecursively()
        }
    }

    private fun JsonObject.args(): JsonObject = this["args"] as? JsonObject ?: JsonObject(emptyMap())

    private fun newClient(step: JsonObject, keyFile: Path): OcusClient? {
        val places = mock.placeholders + ("key_file" to keyFile.toString())
        fun substitute(text: String): String {
            val filled = Regex("""\$\{(\w+)}""").replace(text) { places[it.groupValues[1]] ?: it.value }
            check("\${" !in filled) { "unknown placeholder in $text: the proxy ones need scripts/with-proxy" }
            return filled
        }
        val o = (step["options"] as? JsonObject ?: JsonObject(emptyMap())).mapValues { (_, value) ->
            if (value is JsonPrimitive && value.isString) JsonPrimitive(substitute(value.content)) else value
        }
        fun text(name: String) = (o[name] as? JsonPrimitive)?.contentOrNull
        // `env`: set while the client is built (the TLS verifier reads SSL_CERT_FILE then).
        val env = step["env"] as? JsonObject ?: JsonObject(emptyMap())
        val saved = env.keys.associateWith { getEnv(it) }
        for ((name, value) in env) setEnv(name, (value as? JsonPrimitive)?.contentOrNull?.let(::substitute))
        try {
            val client = OcusClient(
                apiKey = text("api_key"),
                apiKeyFile = if (o["api_key_file"]?.jsonPrimitive?.booleanOrNull == true) keyFile else null,
                baseUrl = text("base_url") ?: mock.baseUrl,
                timeout = o["timeout_ms"]?.jsonPrimitive?.doubleOrNull?.let { Duration.ofNanos((it * 1e6).toLong()) },
                maxRetries = o["max_retries"]?.jsonPrimitive?.int,
                retryBudget = o["retry_budget"]?.jsonPrimitive?.int,
                caBundle = text("ca_bundle")?.let { Path.of(it) },
                proxy = text("proxy"),
                userAgent = text("user_agent"),
                defaultHeaders = (o["default_headers"] as? JsonObject)?.mapValues { it.value.jsonPrimitive.content } ?: emptyMap(),
            )
            check(step["expect"] as? JsonObject, null, null, 0.0)
            return client
        } catch (error: OcusException) {
            check(step["expect"] as? JsonObject, null, error, 0.0)
            return null
        } finally {
            for ((name, value) in saved) setEnv(name, value)
        }
    }

    private fun requestOptions(step: JsonObject): RequestOptions {
        val o = step["options"] as? JsonObject ?: return RequestOptions.DEFAULT
        return RequestOptions(
            timeout = o["timeout_ms"]?.jsonPrimitive?.double?.let { Duration.ofNanos((it * 1e6).toLong()) },
            maxRetries = o["max_retries"]?.jsonPrimitive?.int,
            headers = (o["headers"] as? JsonObject)?.mapValues { it.value.jsonPrimitive.content } ?: emptyMap(),
        )
    }

    private fun listParams(step: JsonObject): ListParams {
        val a = step.args()
        return ListParams(
            pageSize = a["page_size"]?.jsonPrimitive?.int,
            pageNumber = a["page_number"]?.jsonPrimitive?.int,
            status = a["status"]?.jsonPrimitive?.contentOrNull,
            params = (a["params"] as? JsonObject) ?: emptyMap(),
            options = requestOptions(step),
        )
    }

    private fun callStep(client: OcusClient?, op: String, step: JsonObject, blocking: Boolean) {
        val started = System.nanoTime()
        var outcome: JsonElement = JsonNull
        var failure: OcusException? = null
        var response: Response? = null
        try {
            runBlocking {
                outcome = when (op) {
                    "webhooks.verify" -> {
                        val a = step.args()
                        val event = Webhooks.verify(
                            a.getValue("body").jsonPrimitive.content.toByteArray(),
                            a["signature"]?.jsonPrimitive?.contentOrNull,
                            a.getValue("secret").jsonPrimitive.content,
                        )
                        buildJsonObject {
                            put("id", event.id)
                            put("type", event.type)
                            put("organization_id", event.organizationId)
                            put("project_id", event.projectId)
                            put("status", event.status)
                            put("signed_part", event.signedPart.value)
                        }
                    }
                    else -> call(checkNotNull(client) { "the case builds a client first" }, op, step, blocking) { response = it }
                }
            }
        } catch (error: OcusException) {
            failure = error
        }
        val expect = step["expect"] as? JsonObject
        check(expect, outcome, failure, (System.nanoTime() - started) / 1e6)
        expect?.get("response")?.let { wanted ->
            matches(wanted, normaliseResponse(checkNotNull(response) { "no response to check" }), "response")
        }
    }

    private suspend fun call(client: OcusClient, op: String, step: JsonObject, blocking: Boolean, seen: (Response?) -> Unit): JsonElement {
        val a = step.args()
        return when (op) {
            "projects.list" -> {
                val params = listParams(step)
                val page = if (blocking) client.projects.listPageBlocking(params) else client.projects.listPage(params)
                seen(page.response)
                buildJsonObject {
                    put("count", page.data.size)
                    put("first_id", page.data.firstOrNull()?.id)
                    put("last_id", page.data.lastOrNull()?.id)
                    put("has_next", page.hasNext)
                    put("meta", page.meta)
                }
            }
            "projects.list_all" -> {
                val params = listParams(step)
                val projects = if (blocking) client.projects.listBlocking(params).toList() else client.projects.list(params).toList()
                buildJsonObject {
                    put("count", projects.size)
                    put("unique_ids", projects.map { it.id }.toSet().size)
                    put("first_id", projects.firstOrNull()?.id)
                    put("last_id", projects.lastOrNull()?.id)
                    put("statuses", JsonObject(projects.groupingBy { it.status ?: "" }.eachCount().mapValues { JsonPrimitive(it.value) }))
                }
            }
            "projects.pages" -> {
                val params = listParams(step)
                val pages = if (blocking) client.projects.pagesBlocking(params).toList() else client.projects.pages(params).toList()
                buildJsonObject {
                    put("pages", pages.size)
                    put("count", pages.sumOf { it.data.size })
                    put("responses", JsonArray(pages.map { normaliseResponse(checkNotNull(it.response) { "a page without its response" }) }))
                }
            }
            "projects.get" -> {
                val id = a.getValue("id").jsonPrimitive.content
                val p = if (blocking) client.projects.getBlocking(id, requestOptions(step)) else client.projects.get(id, requestOptions(step))
                seen(p.response)
                buildJsonObject {
                    put("id", p.id)
                    put("type", p.type)
                    put("status", p.status)
                    put("known_status", p.isKnownStatus)
                    put("attributes", p.attributes)
                }
            }
            "request" -> {
                val method = a.getValue("method").jsonPrimitive.content
                val path = a.getValue("path").jsonPrimitive.content
                val query = (a["query"] as? JsonObject) ?: emptyMap()
                val result = if (blocking) {
                    client.requestWithResponseBlocking(method, path, query, a["json"], requestOptions(step))
                } else {
                    client.requestWithResponse(method, path, query, a["json"], requestOptions(step))
                }
                seen(result.response)
                result.data
            }
            "close" -> {
                client.close()
                JsonNull
            }
            "rotate_api_key" -> {
                client.rotateApiKey(a.getValue("key").jsonPrimitive.content)
                JsonNull
            }
            else -> error("unknown op $op")
        }
    }

    private fun normaliseResponse(response: Response): JsonObject {
        val url = URI.create(response.url)
        return buildJsonObject {
            put("status", response.status)
            put("request_id", response.requestId != null)
            put("path", url.rawPath + (url.rawQuery?.let { "?$it" } ?: ""))
            put("attempts", response.attempts)
            put("headers", JsonObject(response.headers.mapValues { JsonPrimitive(it.value) }))
        }
    }

    private fun check(expect: JsonObject?, outcome: JsonElement?, error: OcusException?, elapsedMs: Double) {
        expect?.get("min_elapsed_ms")?.let { assertTrue(elapsedMs >= it.jsonPrimitive.double, "took $elapsedMs ms") }
        expect?.get("max_elapsed_ms")?.let { assertTrue(elapsedMs <= it.jsonPrimitive.double, "took $elapsedMs ms") }
        val wanted = expect?.get("error") as? JsonObject
        if (wanted == null) {
            if (error != null) throw error
            expect?.get("result")?.let { matches(it, outcome ?: JsonNull, "result") }
            return
        }
        if (error == null) throw AssertionError("expected an error, got $outcome")
        val actual = buildJsonObject {
            put("kind", error.kind)
            put("status", error.status)
            put("message", error.message)
            put("code", error.code)
            put("request_id", error.requestId != null)
            put("has_cause", error.cause != null)
            put("retry_after", error.retryAfter?.let { it.toNanos() / 1e9 })
            put("body", error.body)
            wanted["message_contains"]?.let { part ->
                assertTrue(error.message.orEmpty().contains(part.jsonPrimitive.content), "message ${error.message}")
                put("message_contains", part)
            }
            wanted["body_max_len"]?.let { max ->
                assertTrue((error.body ?: "").toByteArray().size <= max.jsonPrimitive.int)
                put("body_max_len", max)
            }
        }
        matches(wanted, actual, "error")
    }

    private fun normaliseRequests(log: JsonArray): JsonObject {
        val all = log.map { it.jsonObject }
        val main = all.filter { it["origin"]?.jsonPrimitive?.content == "main" }
        val foreign = all.filter { it["origin"]?.jsonPrimitive?.content != "main" }
        return buildJsonObject {
            put("count", main.size)
            put("requests", JsonArray(main.map { r ->
                val headers = r.getValue("headers").jsonObject
                buildJsonObject {
                    for (name in listOf("method", "path", "query", "key", "auth", "http_version")) r[name]?.let { put(name, it) }
                    put("has_x_api_key", "x-api-key" in headers)
                    put("has_authorization", "authorization" in headers)
                    put("headers", headers)
                }
            }))
            put("foreign_count", foreign.size)
            put("foreign_with_key", foreign.count { "x-api-key" in it.getValue("headers").jsonObject })
        }
    }
}

/** Subset matching: every key of an expected object present and matching, lists element-wise, numbers by value. */
fun matches(expected: JsonElement, actual: JsonElement, where: String) {
    val pattern = (expected as? JsonObject)?.get("\$matches")?.jsonPrimitive?.content
    if (pattern != null && actual is JsonPrimitive && actual.isString) {
        if (!Regex(pattern).containsMatchIn(actual.content)) throw AssertionError("$where: got $actual, expected a match of $pattern")
        return
    }
    when (expected) {
        is JsonObject -> {
            if (actual !is JsonObject) throw AssertionError("$where: got $actual, expected an object")
            for ((key, value) in expected) {
                val got = actual[key]
                if (got == null) {
                    if (value != JsonNull) throw AssertionError("$where.$key: missing, expected $value")
                    continue
                }
                matches(value, got, "$where.$key")
            }
        }
        is JsonArray -> {
            if (actual !is JsonArray || actual.size != expected.size) throw AssertionError("$where: got $actual, expected $expected")
            expected.forEachIndexed { i, value -> matches(value, actual[i], "$where[$i]") }
        }
        is JsonPrimitive -> {
            val same = when {
                expected is JsonNull || actual is JsonNull -> expected == actual
                actual !is JsonPrimitive -> false
                expected.isString || actual.isString -> expected.isString == actual.isString && expected.content == actual.content
                expected.booleanOrNull != null -> expected.booleanOrNull == actual.booleanOrNull
                else -> expected.doubleOrNull != null && expected.doubleOrNull == actual.doubleOrNull
            }
            if (!same) throw AssertionError("$where: got $actual, expected $expected")
        }
    }
}
