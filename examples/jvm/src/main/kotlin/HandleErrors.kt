// What each kind of failure looks like, in Kotlin: one call per key given on the command line.
import io.ocus.ApiConnectionException
import io.ocus.AuthenticationException
import io.ocus.OcusClient
import io.ocus.OcusException
import io.ocus.PermissionDeniedException
import io.ocus.RateLimitException
import kotlinx.coroutines.runBlocking

fun main(args: Array<String>) = runBlocking {
    for (key in args) {
        try {
            OcusClient(apiKey = key).use { client ->
                val page = client.projects.listPage()
                println("$key: ok, ${page.data.size} projects on the first page")
            }
        } catch (e: AuthenticationException) {
            println("$key: the key is missing or invalid (${e.status}, request ${e.requestId})")
        } catch (e: PermissionDeniedException) {
            println("$key: the key is revoked or expired (${e.status}): ${e.message}")
        } catch (e: RateLimitException) {
            println("$key: slow down, retry after ${e.retryAfter}")
        } catch (e: ApiConnectionException) {
            println("$key: could not reach OCUS: ${e.message}")
        } catch (e: OcusException) {
            println("$key: ${e.kind}: $e")
        }
    }
}
