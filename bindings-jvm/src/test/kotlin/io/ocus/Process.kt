package io.ocus

import java.io.File

/** This process's open descriptors, OS threads and resident memory, from /proc. */
object ProcessStats {
    fun descriptors(): Int = File("/proc/self/fd").list()!!.size

    fun threads(): Int = status("Threads")

    fun rssKb(): Long = status("VmRSS").toLong()

    private fun status(field: String): Int = File("/proc/self/status").readLines()
        .first { it.startsWith("$field:") }
        .substringAfter(':').trim().split(' ').first().toInt()
}

/** Waits up to [seconds] for [condition]; false if it never held. */
fun eventually(seconds: Double = 5.0, condition: () -> Boolean): Boolean {
    val deadline = System.nanoTime() + (seconds * 1e9).toLong()
    while (System.nanoTime() < deadline) {
        if (condition()) return true
        Thread.sleep(20)
    }
    return condition()
}
