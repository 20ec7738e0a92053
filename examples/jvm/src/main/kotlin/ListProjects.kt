// List projects page after page, in Kotlin (key from OCUS_API_KEY or OCUS_API_KEY_FILE).
package listprojects

import io.ocus.ListParams
import io.ocus.OcusClient
import kotlinx.coroutines.flow.collect
import kotlinx.coroutines.runBlocking

fun main(): Unit = runBlocking {
    OcusClient().use { client ->
        val first = client.projects.listPage(ListParams(pageSize = 5))
        println("first page: ${first.data.size} of ${first.meta["total"]} projects")
        for (project in first.data) {
            println("  ${project.id}  ${(project.status ?: "-").padEnd(20)}  ${project.attribute("name")}")
        }
        val statuses = sortedMapOf<String, Int>()
        client.projects.list(ListParams(pageSize = 50)).collect { project ->
            statuses.merge(project.status ?: "-", 1, Int::plus)
        }
        println("all pages: ${statuses.values.sum()} projects")
        for ((status, count) in statuses) println("  ${status.padEnd(20)} $count")
    }
}
