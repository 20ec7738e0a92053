package io.ocus

import com.sun.jna.Library
import com.sun.jna.Native
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Path
import java.nio.file.Paths
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put

/** The repository root (Maven runs in bindings-jvm). */
val REPO: Path = Paths.get(System.getProperty("user.dir")).toAbsolutePath().parent

const val ALPHA = "sk_test_alpha"
const val BETA = "sk_test_beta"

/** The emulator (tests/emulator), started on a port the OS picks, with --tls. */
class Emulator : AutoCloseable {
    private val process: Process
    val baseUrl: String
    private val adminUrl: String
    private val http = HttpClient.newHttpClient()

    /** `${tls_...}` and `${proxy_...}` placeholders of the scenarios. */
    val placeholders: Map<String, String>

    init {
        val binary = System.getenv("OCUS_MOCK_BIN") ?: REPO.resolve("target/debug/ocus-mock").toString()
        process = ProcessBuilder(binary, "--addr", "127.0.0.1:0", "--tls")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val lines = BufferedReader(InputStreamReader(process.inputStream))
        baseUrl = lines.readLine() ?: error("the emulator printed nothing")
        // Keep reading its output so it never blocks on a full pipe.
        Thread { lines.forEachLine { } }.apply { isDaemon = true }.start()
        adminUrl = baseUrl.removeSuffix("/v3")
        val tls = admin("GET", "/__admin/info").jsonObject.getValue("tls").jsonObject
        val places = tls.mapKeys { "tls_${it.key}" }.mapValues { it.value.jsonPrimitive.content }.toMutableMap()
        System.getenv("OCUS_TEST_PROXY_URL")?.let { places["proxy_url"] = it }
        System.getenv("OCUS_TEST_PROXY_BAD_URL")?.let { places["proxy_bad_url"] = it }
        placeholders = places
    }

    fun admin(method: String, path: String, body: JsonElement? = null): JsonElement {
        val request = HttpRequest.newBuilder(URI.create(adminUrl + path))
            .header("content-type", "application/json")
            .method(method, body?.let { HttpRequest.BodyPublishers.ofString(it.toString()) } ?: HttpRequest.BodyPublishers.noBody())
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "admin $path: ${response.statusCode()} ${response.body()}" }
        return parseJson(response.body())
    }

    fun reset(keys: JsonArray = defaultKeys()) = admin("POST", "/__admin/reset", buildJsonObject { put("keys", keys) })

    fun faults(vararg faults: JsonObject) = admin("POST", "/__admin/faults", JsonArray(faults.toList()))

    fun requests(): JsonArray = admin("GET", "/__admin/requests").jsonObject.getValue("requests").jsonArray

    fun projectIds(): List<String> = admin("GET", "/__admin/info").jsonObject.getValue("project_ids").jsonArray.map { it.jsonPrimitive.content }

    override fun close() {
        process.destroy()
        process.waitFor()
    }

    companion object {
        fun defaultKeys() = buildJsonArray {
            add(buildJsonObject { put("key", ALPHA); put("state", "valid"); put("name", "alpha") })
            add(buildJsonObject { put("key", BETA); put("state", "valid"); put("name", "beta") })
        }
    }
}

/** The C library's setenv/unsetenv: the core reads the process environment, which Java cannot change. */
private interface LibC : Library {
    fun setenv(name: String, value: String, overwrite: Int): Int
    fun unsetenv(name: String): Int
    fun getenv(name: String): String?
}

private val libc: LibC = Native.load("c", LibC::class.java)

fun setEnv(name: String, value: String?) {
    if (value == null) libc.unsetenv(name) else libc.setenv(name, value, 1)
}

/** The process's current value (System.getenv is a snapshot taken at start). */
fun getEnv(name: String): String? = libc.getenv(name)
