package io.ocus

import java.time.Duration

/** Milliseconds as the core reads them (fractions kept; no overflow, however long). */
internal fun Duration.toMillisDouble(): Double = seconds * 1000.0 + nano / 1_000_000.0

/**
 * Options of one call: they override the client's for this call only.
 *
 * Kotlin: `RequestOptions(timeout = Duration.ofSeconds(5), headers = mapOf("traceparent" to tp))`.
 * Java: `RequestOptions.builder().timeout(Duration.ofSeconds(5)).header("traceparent", tp).build()`.
 */
class RequestOptions(
    /** The time allowed for each attempt of this call, the response body included (the client's `timeout` unless set). */
    val timeout: Duration? = null,
    /** This call's retries after the first attempt (the client's `maxRetries` unless set). */
    val maxRetries: Int? = null,
    headers: Map<String, String> = emptyMap(),
) {
    /** Extra headers for this call (`traceparent`...); the key header cannot be set here. A copy. */
    val headers: Map<String, String> = LinkedHashMap(headers)

    internal fun entries(): Array<Pair<String, Any?>> = arrayOf(
        "timeoutMs" to timeout?.toMillisDouble(),
        "maxRetries" to maxRetries,
        "headers" to headers.ifEmpty { null },
    )

    // Immutable: the JSON the core reads is made once, not per call.
    private val json: String by lazy { options(*entries()) }

    internal fun json(): String = json

    /** Builds [RequestOptions] from Java. */
    class Builder internal constructor() {
        private var timeout: Duration? = null
        private var maxRetries: Int? = null
        private val headers = LinkedHashMap<String, String>()

        /** See [RequestOptions.timeout]. */
        fun timeout(timeout: Duration) = apply { this.timeout = timeout }

        /** See [RequestOptions.maxRetries]. */
        fun maxRetries(maxRetries: Int) = apply { this.maxRetries = maxRetries }

        /** Adds a header (see [RequestOptions.headers]). */
        fun header(name: String, value: String) = apply { headers[name] = value }

        /** The options. */
        fun build() = RequestOptions(timeout, maxRetries, headers)
    }

    /** Factories. */
    companion object {
        /** No overrides. */
        @JvmField
        val DEFAULT = RequestOptions()

        /** A builder (Java). */
        @JvmStatic
        fun builder() = Builder()
    }
}

/**
 * What to list. OCUS publishes no paging scheme for v3, so the typed parameters follow
 * JSON:API conventions (`page[size]`, `page[number]`, `filter[status]`); [params] are sent as
 * they are.
 */
class ListParams(
    /** Projects per page (from 1); the server's default when absent. */
    val pageSize: Int? = null,
    /** The page to fetch (from 1); where to start when listing every page. */
    val pageNumber: Int? = null,
    /** Only projects with this status (`completed`...). */
    val status: String? = null,
    params: Map<String, Any?> = emptyMap(),
    /** Options of each page's call. */
    val options: RequestOptions = RequestOptions.DEFAULT,
) {
    /** Other query parameters, sent unchanged (a list repeats the name). A copy. */
    val params: Map<String, Any?> = LinkedHashMap(params)

    private val json: String by lazy {
        options(
            "pageSize" to pageSize,
            "pageNumber" to pageNumber,
            "status" to status,
            "params" to params.ifEmpty { null },
            *options.entries(),
        )
    }

    internal fun json(): String = json

    /** Builds [ListParams] from Java. */
    class Builder internal constructor() {
        private var pageSize: Int? = null
        private var pageNumber: Int? = null
        private var status: String? = null
        private val params = LinkedHashMap<String, Any?>()
        private var options = RequestOptions.DEFAULT

        /** See [ListParams.pageSize]. */
        fun pageSize(pageSize: Int) = apply { this.pageSize = pageSize }

        /** See [ListParams.pageNumber]. */
        fun pageNumber(pageNumber: Int) = apply { this.pageNumber = pageNumber }

        /** See [ListParams.status]. */
        fun status(status: String) = apply { this.status = status }

        /** Adds a query parameter (see [ListParams.params]). */
        fun param(name: String, value: Any?) = apply { params[name] = value }

        /** See [ListParams.options]. */
        fun options(options: RequestOptions) = apply { this.options = options }

        /** The parameters. */
        fun build() = ListParams(pageSize, pageNumber, status, params, options)
    }

    /** Factories. */
    companion object {
        /** Every project, the server's page size. */
        @JvmField
        val ALL = ListParams()

        /** A builder (Java). */
        @JvmStatic
        fun builder() = Builder()
    }
}
