package io.ocus.bench

import io.ocus.OcusClient
import java.lang.management.ManagementFactory
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking

/**
 * What an idle client costs, for bench/idle_cpu.py: with `ocus`, a client that made one blocking
 * and two suspend calls, then nothing for SECONDS; with `none`, only the wait (the JVM's own
 * floor). Prints the process's CPU time over the window as one JSON line.
 *
 * Usage: IdleKt BASE_URL ID SECONDS ocus|none
 */
fun main(args: Array<String>) {
    val (base, id, secondsText, which) = args
    val seconds = secondsText.toLong()
    val os = ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean
    val client = if (which == "ocus") OcusClient(apiKey = System.getenv("KEY"), baseUrl = base) else null
    if (client != null) {
        client.projects.getBlocking(id)
        runBlocking { List(2) { async { client.projects.get(id) } }.awaitAll() }
    }
    Thread.sleep(5_000) // let the JIT and start-up GC finish before the window
    val before = os.processCpuTime
    Thread.sleep(seconds * 1000)
    val used = os.processCpuTime - before
    println("""{"cpu_ms": ${used / 1e6}, "seconds": $seconds}""")
    client?.close()
}
