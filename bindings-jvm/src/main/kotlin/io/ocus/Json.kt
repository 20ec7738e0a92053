package io.ocus

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.doubleOrNull
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.longOrNull

/** The core's views arrive as JSON text; this is their only parser. */
internal fun parseJson(text: String): JsonElement = Json.parseToJsonElement(text)

internal fun parseObject(text: String): JsonObject = parseJson(text).jsonObject

/**
 * A Kotlin or Java value as JSON: null, strings, numbers, booleans, maps with string keys,
 * iterables and arrays, and [JsonElement]s as they are. Anything else throws
 * [IllegalArgumentException]: the types are the caller's code, not data.
 */
internal fun toJson(value: Any?): JsonElement = when (value) {
    null -> JsonNull
    is JsonElement -> value
    is String -> JsonPrimitive(value)
    is Number -> JsonPrimitive(value)
    is Boolean -> JsonPrimitive(value)
    is Enum<*> -> JsonPrimitive(value.name)
    is Map<*, *> -> JsonObject(
        value.entries.associate { (key, item) ->
            require(key is String) { "JSON object keys must be strings, not ${key?.javaClass?.name}" }
            key to toJson(item)
        },
    )
    is Iterable<*> -> JsonArray(value.map(::toJson))
    is Array<*> -> JsonArray(value.map(::toJson))
    else -> throw IllegalArgumentException("cannot send a ${value.javaClass.name} as JSON")
}

/** A JSON value as plain Java values: String, Long or Double, Boolean, Map, List, or null. */
internal fun toPlain(element: JsonElement): Any? = when (element) {
    is JsonNull -> null
    is JsonPrimitive -> when {
        element.isString -> element.content
        else -> element.booleanOrNull ?: element.longOrNull ?: element.doubleOrNull ?: element.contentOrNull
    }
    is JsonObject -> element.mapValues { toPlain(it.value) }
    is JsonArray -> element.map(::toPlain)
}

/** Options as the JSON object the core reads, leaving out what is not set. */
internal fun options(vararg entries: Pair<String, Any?>): String =
    JsonObject(entries.filter { it.second != null }.associate { it.first to toJson(it.second) }).toString()

/**
 * A call's arguments as one JSON object (`{"id": ..., "options": {...}}`): every value crossing
 * JNA on its own costs microseconds, so a call sends one.
 */
internal fun arguments(vararg entries: Pair<String, String>): String =
    entries.joinToString(",", "{", "}") { (name, json) -> "${JsonPrimitive(name)}:$json" }

/** A string as a JSON string literal. */
internal fun quoted(text: String): String = JsonPrimitive(text).toString()
