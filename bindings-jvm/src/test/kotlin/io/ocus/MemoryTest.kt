package io.ocus

import java.lang.management.ManagementFactory
import java.util.concurrent.Executors
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * Memory stays steady over 100k requests: the slope, not one window. After a warm-up, 9
 * samples over 8 equal windows; the growth between the median of the first four and of the
 * last four, per request, must stay under 50 B, for RSS (native memory, the library's) and
 * for the heap used after a GC (the Kotlin layer's). A leak of 100 B per request fails;
 * allocator noise and one-off steps do not.
 */
class MemoryTest {
    @Test
    fun `no steady growth over 100k requests`() {
        Emulator().use { mock ->
            mock.reset()
            val ids = mock.projectIds()
            OcusClient(apiKey = ALPHA, baseUrl = mock.baseUrl).use { client ->
                val perWindow = Integer.getInteger("ocus.memory.window", 12_500)
                // Half the requests suspending (50 in flight), half blocking (from 8 threads, so
                // the run is short against the debug emulator): both paths.
                val threads = Executors.newFixedThreadPool(8)
                fun window() = runBlocking {
                    repeat(perWindow / 100) { batch ->
                        val blocking = (0 until 8).map { t ->
                            threads.submit { for (i in t until 50 step 8) client.projects.getBlocking(ids[(batch + i) % ids.size]) }
                        }
                        coroutineScope { (0 until 50).map { i -> async { client.projects.get(ids[(batch + i) % ids.size]) } }.awaitAll() }
                        blocking.forEach { it.get() }
                    }
                }
                repeat(4) { window() } // warm-up: pools, JIT (code cache), allocator arenas
                val rss = mutableListOf<Long>()
                val heap = mutableListOf<Long>()
                fun sample() {
                    // Objects freed through a Cleaner (JNA memory, uniffi handles) go in a later
                    // collection than the one that found them: collect until that settles.
                    repeat(3) {
                        System.gc()
                        Thread.sleep(50)
                    }
                    rss.add(ProcessStats.rssKb() * 1024)
                    heap.add(ManagementFactory.getMemoryMXBean().heapMemoryUsage.used)
                }
                sample()
                repeat(8) { window(); sample() }
                val requests = 8L * perWindow
                for ((name, series) in listOf("RSS" to rss, "heap" to heap)) {
                    val first = series.take(4).sorted().let { (it[1] + it[2]) / 2 }
                    val last = series.takeLast(4).sorted().let { (it[1] + it[2]) / 2 }
                    val perRequest = (last - first).toDouble() / (requests * 5 / 8)
                    println("memory: $name ${series.map { it / 1024 }} KiB, ${"%.1f".format(perRequest)} B/request")
                    assertTrue(perRequest < 50, "$name grows ${"%.1f".format(perRequest)} B per request: $series")
                }
                threads.shutdown()
            }
        }
    }
}
