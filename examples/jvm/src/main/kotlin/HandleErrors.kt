// What an unknown, revoked or expired key looks like, handled with the exception classes: one
// call per key given on the command line (the keys themselves are never printed).
package handleerrors

import io.ocus.ApiConnectionException
import io.ocus.AuthenticationException
import io.ocus.ConfigurationException
import io.ocus.OcusClient
import io.ocus.OcusException
import io.ocus.PermissionDeniedException
import io.ocus.RateLimitException
import kotlinx.coroutines.runBlocking

fun main(args: Array<String>): Unit = runBlocking {
    for ((index, key) in args.withIndex()) {
        val outcome = try {
            OcusClient(apiKey = key, maxRetries = 1).use { client ->
                "ok: ${client.projects.listPage().meta["total"]} projects"
            }
        } catch (e: AuthenticationException) {
            "401 ${e.kind}: ${e.message} (request ${e.requestId})"
        } catch (e: PermissionDeniedException) {
            "403 ${e.kind}: ${e.message} (request ${e.requestId})"
        } catch (e: RateLimitException) {
            "429: retry after ${e.retryAfter}"
        } catch (e: ApiConnectionException) {
            "cannot reach OCUS: ${e.message}"
        } catch (e: OcusException) {
            "${e.kind}: $e"
        }
        println("key ${index + 1}: $outcome")
    }
    try {
        OcusClient(apiKey = "two words")
    } catch (e: ConfigurationException) {
        println("rejected before sending: ${e.message}")
    }
}
