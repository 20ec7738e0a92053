package io.ocus

import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.contentOrNull

/**
 * The HTTP response a successful call's result arrived in: [Project.response],
 * [ProjectPage.response], or [OcusClient.requestWithResponse].
 */
class Response internal constructor(
    /** The HTTP status (2xx). */
    val status: Int,
    /** The `x-request-id`, if the response had one: quote it to OCUS support. */
    val requestId: String?,
    /** The URL that answered (after redirects). */
    val url: String,
    /** How many attempts the call took (1 without a retry). */
    val attempts: Int,
    /** The headers by lower-case name; a repeated header's values are joined with ", ". */
    val headers: Map<String, String>,
) {
    /** One header by name, in any case. */
    fun header(name: String): String? = headers[name.lowercase()]

    /** Status, request id and attempts (not the headers). */
    override fun toString(): String = "Response(status=$status, requestId=$requestId, attempts=$attempts)"

    internal companion object {
        /** The core's response view; `null` where the call had none to give. */
        fun of(element: JsonElement?): Response? {
            val view = element as? JsonObject ?: return null
            return Response(
                status = view.getValue("status").jsonPrimitive.int,
                requestId = view["request_id"]?.jsonPrimitive?.contentOrNull,
                url = view.getValue("url").jsonPrimitive.content,
                attempts = view.getValue("attempts").jsonPrimitive.int,
                headers = view.getValue("headers").jsonObject.entries.associate { (name, value) ->
                    name.lowercase() to value.jsonPrimitive.content
                },
            )
        }
    }
}

/** A result and the response it arrived in. */
data class WithResponse<T>(
    /** The result. */
    val data: T,
    /** Its response. */
    val response: Response,
)
