package io.ocus

import io.ocus.internal.NativeClient
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.CompletableFuture
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.future.future
import kotlinx.serialization.json.JsonElement

/**
 * A client of the OCUS API v3. Thread-safe: share one per process (it keeps a connection pool).
 * Close it when done (`use { }`, try-with-resources): calls in flight stop and its connections
 * close at once.
 *
 * Every option not given comes from the environment (`OCUS_API_KEY`, `OCUS_API_KEY_FILE`,
 * `OCUS_BASE_URL`, `OCUS_CA_BUNDLE`, `OCUS_LOG`), then the defaults; a missing key or a bad
 * value throws [ConfigurationException] here, before anything is sent. The key is never
 * printed: not by [toString], not in exceptions, not in logs.
 *
 * Kotlin: `OcusClient(apiKey = key).use { client -> client.projects.get(id) }`.
 * Java: `try (OcusClient client = OcusClient.builder().apiKey(key).build()) { ... }`.
 */
class OcusClient(
    /** The API key (`X-API-KEY`). */
    apiKey: String? = null,
    /** A file holding the key, re-read when it changes (rotation without a restart). */
    apiKeyFile: Path? = null,
    /** `https://api.ocus.io/v3` unless set; plain http only for loopback. */
    baseUrl: String? = null,
    /** The whole call's time limit, retries included (default 30 s). */
    timeout: Duration? = null,
    /** The time limit to connect (default 10 s). */
    connectTimeout: Duration? = null,
    /** Retries of a failed idempotent call (default 2). */
    maxRetries: Int? = null,
    /** The client-wide retry budget, in tokens (default 500; 0: no retries). */
    retryBudget: Int? = null,
    /** A PEM file of CAs to trust besides the system's (a private CA). */
    caBundle: Path? = null,
    /** An http or https proxy URL (credentials allowed, never printed). */
    proxy: String? = null,
    /** Headers sent with every call. */
    defaultHeaders: Map<String, String> = emptyMap(),
    /** Your application's product token, sent after the SDK's: `"billing/2.1"` sends `ocus-jvm/0.1.0 billing/2.1`. */
    userAgent: String? = null,
    /** The level events are logged at to `System.Logger` "ocus": `off` ... `trace` (default `warn`, or `OCUS_LOG`). */
    logLevel: String? = null,
) : AutoCloseable {
    private val native: NativeClient = native {
        NativeClient(
            options(
                "apiKey" to apiKey,
                "apiKeyFile" to apiKeyFile?.toString(),
                "baseUrl" to baseUrl,
                "timeoutMs" to timeout?.toMillisDouble(),
                "connectTimeoutMs" to connectTimeout?.toMillisDouble(),
                "maxRetries" to maxRetries,
                "retryBudget" to retryBudget,
                "caBundle" to caBundle?.toString(),
                "proxy" to proxy,
                "defaultHeaders" to defaultHeaders.ifEmpty { null },
                "userAgent" to userAgent,
                "logLevel" to logLevel,
            ),
            SystemLoggerSink,
        )
    }

    // Where CompletableFuture calls run; a call's result is handed on from here, never from the
    // thread that takes finished calls from the native side.
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default + CoroutineName("ocus"))

    // The native client's address, for the direct calls (Direct.kt).
    private val address = native.address().toLong()

    /** Projects: `get`, `listPage`, `list` (every page). */
    val projects: Projects = Projects(native, scope)

    /** The base URL calls go to. */
    val baseUrl: String get() = native.baseUrl()

    /** Whether [close] was called (later calls throw [ConfigurationException], code `client_closed`). */
    val isClosed: Boolean get() = native.isClosed()

    /** Replaces the key; calls in flight finish with the old one. A malformed key changes nothing. */
    fun rotateApiKey(apiKey: String) = native { native.rotateApiKey(apiKey) }

    /**
     * Any v3 path (`/projects/...`), for what the typed API does not cover yet: the JSON returned
     * (`JsonNull` for an empty body). [query] values may be strings, numbers, booleans or lists;
     * [body] is sent as JSON (maps, lists, strings, numbers, or a [JsonElement]).
     */
    suspend fun request(
        method: String,
        path: String,
        query: Map<String, Any?> = emptyMap(),
        body: Any? = null,
        options: RequestOptions = RequestOptions.DEFAULT,
    ): JsonElement = requestWithResponse(method, path, query, body, options).data

    /** [request], with the response it arrived in. */
    suspend fun requestWithResponse(
        method: String,
        path: String,
        query: Map<String, Any?> = emptyMap(),
        body: Any? = null,
        options: RequestOptions = RequestOptions.DEFAULT,
    ): WithResponse<JsonElement> {
        val result = Crossing.call(native, address, Direct.REQUEST, requestArguments(method, path, query, body, options))
        return WithResponse(result.value, Response.of(result.response)!!)
    }

    /** [requestWithResponse], blocking the calling thread. */
    @JvmOverloads
    fun requestWithResponseBlocking(
        method: String,
        path: String,
        query: Map<String, Any?> = emptyMap(),
        body: Any? = null,
        options: RequestOptions = RequestOptions.DEFAULT,
    ): WithResponse<JsonElement> {
        val result = Direct.call(native, address, Direct.REQUEST, requestArguments(method, path, query, body, options))
        return WithResponse(result.value, Response.of(result.response)!!)
    }

    /** [request], blocking the calling thread (a Java interrupt does not stop it: its timeout or [close] does). */
    @JvmOverloads
    fun requestBlocking(
        method: String,
        path: String,
        query: Map<String, Any?> = emptyMap(),
        body: Any? = null,
        options: RequestOptions = RequestOptions.DEFAULT,
    ): JsonElement = requestWithResponseBlocking(method, path, query, body, options).data

    /** [request] as a [CompletableFuture] (cancelling it cancels the request). */
    @JvmOverloads
    fun requestAsync(
        method: String,
        path: String,
        query: Map<String, Any?> = emptyMap(),
        body: Any? = null,
        options: RequestOptions = RequestOptions.DEFAULT,
    ): CompletableFuture<JsonElement> = scope.future { request(method, path, query, body, options) }

    private fun requestArguments(method: String, path: String, query: Map<String, Any?>, body: Any?, options: RequestOptions) =
        arguments(
            "method" to quoted(method),
            "path" to quoted(path),
            "options" to options("query" to query.ifEmpty { null }, "json" to body?.let(::toJson), *options.entries()),
        ).toByteArray()

    /**
     * Closes the client: calls in flight stop (with [ConfigurationException], code
     * `client_closed`), later calls fail the same way, connections close now, and so do
     * listings left unfinished. Idempotent.
     */
    override fun close() = native.shutDown()

    /** The base URL and whether it is closed; never the key. */
    override fun toString(): String = "OcusClient(baseUrl=$baseUrl, closed=$isClosed)"

    /** Builds an [OcusClient] from Java; see the constructor's parameters for each option. */
    class Builder internal constructor() {
        private var apiKey: String? = null
        private var apiKeyFile: Path? = null
        private var baseUrl: String? = null
        private var timeout: Duration? = null
        private var connectTimeout: Duration? = null
        private var maxRetries: Int? = null
        private var retryBudget: Int? = null
        private var caBundle: Path? = null
        private var proxy: String? = null
        private val defaultHeaders = LinkedHashMap<String, String>()
        private var userAgent: String? = null
        private var logLevel: String? = null

        /** The API key. */
        fun apiKey(apiKey: String) = apply { this.apiKey = apiKey }

        /** A file holding the key. */
        fun apiKeyFile(path: Path) = apply { apiKeyFile = path }

        /** The base URL. */
        fun baseUrl(baseUrl: String) = apply { this.baseUrl = baseUrl }

        /** The whole call's time limit. */
        fun timeout(timeout: Duration) = apply { this.timeout = timeout }

        /** The time limit to connect. */
        fun connectTimeout(timeout: Duration) = apply { connectTimeout = timeout }

        /** Retries of a failed idempotent call. */
        fun maxRetries(maxRetries: Int) = apply { this.maxRetries = maxRetries }

        /** The retry budget in tokens. */
        fun retryBudget(tokens: Int) = apply { retryBudget = tokens }

        /** A PEM file of extra CAs. */
        fun caBundle(path: Path) = apply { caBundle = path }

        /** A proxy URL. */
        fun proxy(url: String) = apply { proxy = url }

        /** A header sent with every call. */
        fun defaultHeader(name: String, value: String) = apply { defaultHeaders[name] = value }

        /** Your application's product token, sent after the SDK's (`ocus-jvm/0.1.0 billing/2.1`). */
        fun userAgent(userAgent: String) = apply { this.userAgent = userAgent }

        /** The log level (`off` ... `trace`). */
        fun logLevel(level: String) = apply { logLevel = level }

        /** The client; throws [ConfigurationException] on a missing key or a bad value. */
        fun build() = OcusClient(
            apiKey, apiKeyFile, baseUrl, timeout, connectTimeout, maxRetries, retryBudget,
            caBundle, proxy, LinkedHashMap(defaultHeaders), userAgent, logLevel,
        )

        /** The builder's options, never the key. */
        override fun toString(): String = "OcusClient.Builder(baseUrl=$baseUrl, apiKey=${if (apiKey == null) "unset" else "set"})"
    }

    /** Factories. */
    companion object {
        /** The SDK's version. */
        @JvmField
        val VERSION: String = io.ocus.internal.version()

        /** The production base URL. */
        @JvmField
        val DEFAULT_BASE_URL: String = io.ocus.internal.defaultBaseUrl()

        /** A builder (Java). */
        @JvmStatic
        fun builder() = Builder()

        /** A client configured by the environment alone (`OCUS_API_KEY`...). */
        @JvmStatic
        fun fromEnv() = OcusClient()
    }
}
