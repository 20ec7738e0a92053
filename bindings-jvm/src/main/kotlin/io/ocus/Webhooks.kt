package io.ocus

import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.contentOrNull
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive

/** What a webhook signature covers: OCUS documents both. */
enum class SignedPart(
    /** The name every ocus SDK uses (`body`, `data`). */
    val value: String,
) {
    /** The raw request body, byte for byte. */
    BODY("body"),

    /** The body's `data` member as JavaScript's `JSON.stringify` writes it. */
    DATA("data"),
}

/** A verified webhook event: only what the signature covered. */
class WebhookEvent internal constructor(view: JsonObject) {
    /** The event id (`project.updated`, `project.status.updated`). */
    val id: String = view.getValue("id").jsonPrimitive.content

    /** The resource type (`event`). */
    val type: String = view.getValue("type").jsonPrimitive.content

    /** `attributes.organization_id`, if sent. */
    val organizationId: String? = view["organization_id"]?.jsonPrimitive?.contentOrNull

    /** `attributes.project_id`, if sent. */
    val projectId: String? = view["project_id"]?.jsonPrimitive?.contentOrNull

    /** `attributes.status`, if sent (`project.status.updated`). */
    val status: String? = view["status"]?.jsonPrimitive?.contentOrNull

    /** Every attribute as sent. */
    val attributes: JsonObject = view.getValue("attributes").jsonObject

    /** What the signature covered. */
    val signedPart: SignedPart = view.getValue("signed_part").jsonPrimitive.content.let { part ->
        SignedPart.entries.firstOrNull { it.value == part } ?: throw IllegalStateException("signed part $part unknown to this version")
    }

    /** The event id, the project and the signed part. */
    override fun toString(): String = "WebhookEvent(id=$id, projectId=$projectId, signedPart=$signedPart)"
}

/**
 * Webhook signatures (`ocus-signature`: hex HMAC-SHA256). [verify] accepts both forms OCUS
 * documents: the HMAC of the raw body, or of its `data` member as `JSON.stringify` writes it.
 * Pass the body exactly as received, before any JSON parsing. OCUS sends no timestamp: remember
 * the events you handled and drop repeats.
 */
object Webhooks {
    /** The header OCUS puts the signature in. */
    @JvmField
    val SIGNATURE_HEADER: String = io.ocus.internal.signatureHeader()

    /**
     * Checks [signature] against [rawBody] in constant time and returns the event. Throws
     * [SignatureVerificationException] (code `missing_signature`, `malformed_signature` or
     * `signature_mismatch`) or [DecodeException] for a signed body that is not an event.
     */
    @JvmStatic
    fun verify(rawBody: ByteArray, signature: String?, secret: String): WebhookEvent =
        verify(rawBody, signature, secret.toByteArray())

    /** [verify] with the secret as bytes. */
    @JvmStatic
    fun verify(rawBody: ByteArray, signature: String?, secret: ByteArray): WebhookEvent =
        WebhookEvent(parseObject(native { io.ocus.internal.verifyWebhook(rawBody, signature, secret) }))

    /** The signature OCUS would send for [part] of [rawBody]: to test your own receivers. */
    @JvmStatic
    @JvmOverloads
    fun sign(rawBody: ByteArray, secret: String, part: SignedPart = SignedPart.BODY): String =
        native { io.ocus.internal.signWebhook(rawBody, secret.toByteArray(), part.value) }
}
