// A minimal webhook receiver verifying `ocus-signature` over the raw body (JDK HTTP server).
// Usage: OCUS_WEBHOOK_SECRET=... java ... webhookreceiver.WebhookReceiverKt [--once]
package webhookreceiver

import com.sun.net.httpserver.HttpServer
import io.ocus.SignatureVerificationException
import io.ocus.Webhooks
import java.net.InetSocketAddress
import java.util.concurrent.CountDownLatch

fun main(args: Array<String>) {
    val secret = System.getenv("OCUS_WEBHOOK_SECRET") ?: ""
    val done = CountDownLatch(1)
    val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    server.createContext("/") { exchange ->
        val body = exchange.requestBody.readAllBytes() // the raw bytes: verify before parsing
        val status = try {
            val event = Webhooks.verify(body, exchange.requestHeaders.getFirst(Webhooks.SIGNATURE_HEADER), secret)
            println("verified ${event.id} for project ${event.projectId} (status ${event.status}, signed: ${event.signedPart.value})")
            204
        } catch (e: SignatureVerificationException) {
            println("rejected webhook: ${e.code}")
            400
        }
        exchange.sendResponseHeaders(status, -1)
        exchange.close()
        done.countDown()
    }
    server.start()
    println("listening on http://127.0.0.1:${server.address.port}/")
    System.out.flush()
    if ("--once" in args) {
        done.await()
        server.stop(0)
    }
}
