package io.ocus

import io.ocus.internal.NativeClient
import io.ocus.internal.NativeCursor
import io.ocus.internal.NativeTrace
import java.util.concurrent.CompletableFuture
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.future.future
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

/**
 * A project, as the JSON:API resource object the server sent: nothing is dropped. Equality
 * compares the resource, not the response it came in.
 */
class Project internal constructor(
    /** The resource object as sent (`id`, `type`, `attributes`, and anything else). */
    val resource: JsonObject,
    /** `attributes.status` as sent, if any (an open set: see [isKnownStatus]). */
    val status: String?,
    /** Whether [status] is one OCUS documents (`not_assigned` ... `archived`). */
    val isKnownStatus: Boolean,
    responseView: JsonElement?,
) {
    /** The response of the `get` that returned it; `null` for a project inside a page. */
    val response: Response? by lazy { Response.of(responseView) }

    /** The project's UUID. */
    val id: String get() = resource.getValue("id").jsonPrimitive.content

    /** The resource type (`project`). */
    val type: String get() = resource.getValue("type").jsonPrimitive.content

    /** Every attribute the server sent, known or not. */
    val attributes: JsonObject get() = resource["attributes"] as? JsonObject ?: JsonObject(emptyMap())

    /** One attribute as a plain value (String, Long, Double, Boolean, Map, List), or null. */
    fun attribute(name: String): Any? = attributes[name]?.let(::toPlain)

    /** Every attribute as plain values (for Java: no kotlinx types). */
    @Suppress("UNCHECKED_CAST")
    fun attributesMap(): Map<String, Any?> = toPlain(attributes) as Map<String, Any?>

    /** The resource object as JSON text, as sent. */
    fun toJson(): String = resource.toString()

    /** Equal when the resources are (the response they came in does not count). */
    override fun equals(other: Any?): Boolean = other is Project && other.resource == resource

    /** The resource's hash. */
    override fun hashCode(): Int = resource.hashCode()

    /** The id and status. */
    override fun toString(): String = "Project(id=$id, status=$status)"

    internal companion object {
        fun of(view: JsonObject, responseView: JsonElement? = null): Project = Project(
            resource = view.getValue("resource").jsonObject,
            status = view["status"]?.jsonPrimitive?.contentOrNull,
            isKnownStatus = view.getValue("known_status").jsonPrimitive.boolean,
            responseView = responseView,
        )
    }
}

/** One page of projects. */
class ProjectPage internal constructor(
    /** The projects of this page. */
    val data: List<Project>,
    /** Whether the server announced another page. */
    @get:JvmName("hasNext")
    val hasNext: Boolean,
    /** The next page's URL as sent, if any. */
    val nextUrl: String?,
    /** `total`, `page`, `page_size`, `pages` as sent. */
    val meta: JsonObject,
    /** `self` and `next` as sent. */
    val links: JsonObject,
    /**
     * The response this page arrived in, from [Projects.listPage] and [Projects.pages] alike
     * (its request id is what OCUS support asks for).
     */
    val response: Response?,
) {
    /** [meta] as plain values (for Java: no kotlinx types). */
    @Suppress("UNCHECKED_CAST")
    fun metaMap(): Map<String, Any?> = toPlain(meta) as Map<String, Any?>

    /** The size of the page and whether another follows. */
    override fun toString(): String = "ProjectPage(projects=${data.size}, hasNext=$hasNext)"

    internal companion object {
        fun of(view: JsonObject, response: Response?): ProjectPage = ProjectPage(
            data = view.getValue("data").jsonArray.map { Project.of(it.jsonObject) },
            hasNext = view.getValue("has_next").jsonPrimitive.boolean,
            nextUrl = view["next_url"]?.jsonPrimitive?.contentOrNull,
            meta = view["meta"] as? JsonObject ?: JsonObject(emptyMap()),
            links = view["links"] as? JsonObject ?: JsonObject(emptyMap()),
            response = response,
        )
    }
}

/**
 * `client.projects`. Every call comes three ways: a `suspend` function for Kotlin, `...Blocking`
 * for plain Java threads, and `...Async` returning a [CompletableFuture] (cancelling it cancels
 * the request).
 */
class Projects internal constructor(
    private val nativeClient: NativeClient,
    private val scope: CoroutineScope,
) {
    // The native client's address, for the direct calls (Direct.kt).
    private val address = nativeClient.address().toLong()

    /** One project by id. */
    suspend fun get(id: String, options: RequestOptions = RequestOptions.DEFAULT): Project = get(id, options, Telemetry.begin())

    // The trace is made where the call is made (for `...Async`, on the caller's thread).
    private suspend fun get(id: String, options: RequestOptions, trace: NativeTrace?): Project =
        project(Crossing.call(nativeClient, address, Direct.GET_PROJECT, getArguments(id, options), trace))

    /** [get], blocking the calling thread. */
    @JvmOverloads
    fun getBlocking(id: String, options: RequestOptions = RequestOptions.DEFAULT): Project =
        project(Direct.call(nativeClient, address, Direct.GET_PROJECT, getArguments(id, options), Telemetry.begin()))

    /** [get] as a [CompletableFuture]. */
    @JvmOverloads
    fun getAsync(id: String, options: RequestOptions = RequestOptions.DEFAULT): CompletableFuture<Project> {
        val trace = Telemetry.begin()
        return scope.future { get(id, options, trace) }
    }

    /** One page. */
    suspend fun listPage(params: ListParams = ListParams.ALL): ProjectPage = listPage(params, Telemetry.begin())

    private suspend fun listPage(params: ListParams, trace: NativeTrace?): ProjectPage =
        page(Crossing.call(nativeClient, address, Direct.LIST_PAGE, params.json().toByteArray(), trace))

    /** [listPage], blocking the calling thread. */
    @JvmOverloads
    fun listPageBlocking(params: ListParams = ListParams.ALL): ProjectPage =
        page(Direct.call(nativeClient, address, Direct.LIST_PAGE, params.json().toByteArray(), Telemetry.begin()))

    /** [listPage] as a [CompletableFuture]. */
    @JvmOverloads
    fun listPageAsync(params: ListParams = ListParams.ALL): CompletableFuture<ProjectPage> {
        val trace = Telemetry.begin()
        return scope.future { listPage(params, trace) }
    }

    /**
     * Every project of every page, following the server's `next` links; a page is fetched when
     * the one before is used up. Collecting it again starts over.
     */
    fun list(params: ListParams = ListParams.ALL): Flow<Project> = flow {
        pages(params).collect { page -> for (project in page.data) emit(project) }
    }

    /** [list] for Java: a lazy [Iterable]; each `iterator()` starts over. */
    @JvmOverloads
    fun listBlocking(params: ListParams = ListParams.ALL): Iterable<Project> =
        Iterable { pagesBlocking(params).asSequence().flatMap { it.data }.iterator() }

    /**
     * Every page, following the server's `next` links, one request per page, each with the
     * response it arrived in. Collecting it again starts over.
     */
    fun pages(params: ListParams = ListParams.ALL): Flow<ProjectPage> = flow {
        native { cursor(params) }.use { cursor ->
            val cursorAddress = cursor.address().toLong()
            while (true) {
                val result = Crossing.call(cursor, cursorAddress, Direct.NEXT_PAGE, null)
                if (result.value !is JsonObject) break // after the last page
                emit(page(result))
            }
        }
    }

    /** [pages] for Java: a lazy [Iterable]; each `iterator()` starts over. */
    @JvmOverloads
    fun pagesBlocking(params: ListParams = ListParams.ALL): Iterable<ProjectPage> = Iterable {
        iterator {
            native { cursor(params) }.use { cursor: NativeCursor ->
                val cursorAddress = cursor.address().toLong()
                while (true) {
                    val result = Direct.call(cursor, cursorAddress, Direct.NEXT_PAGE, null)
                    if (result.value !is JsonObject) break // after the last page
                    yield(page(result))
                }
            }
        }
    }

    // Its pages are reported to one trace, made where the iteration starts.
    private fun cursor(params: ListParams): NativeCursor {
        val trace = Telemetry.begin()
        return try {
            nativeClient.cursor(params.json(), trace)
        } finally {
            trace?.close()
        }
    }

    // The response is parsed when asked for: most callers never look at the headers.
    private fun getArguments(id: String, options: RequestOptions) =
        arguments("id" to quoted(id), "options" to options.json()).toByteArray()

    private fun project(result: Outcome) = Project.of(result.value.jsonObject, result.response)

    private fun page(result: Outcome) = ProjectPage.of(result.value.jsonObject, Response.of(result.response))
}
