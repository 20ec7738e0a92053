'use strict'
// Load driver for Node.js (see tests/load/run.py): LOAD_CALLS gets, LOAD_CONCURRENCY at a time,
// through the installed package; prints what each returned, run.py does the checking.
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..', '..')
const { Client, OcusError } = require(require.resolve('ocus', { paths: [path.join(ROOT, 'examples', 'node')] }))

const CALLS = Number(process.env.LOAD_CALLS)
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY)
const IDS = process.env.LOAD_IDS.split(',')

function resources() {
  global.gc?.()
  const status = Object.fromEntries(fs.readFileSync('/proc/self/status', 'utf8').trim().split('\n').map((line) => line.split(/:\s*/)))
  return { rss_kb: parseInt(status.VmRSS, 10), threads: Number(status.Threads), fds: fs.readdirSync('/proc/self/fd').length }
}

// One connection per admin call, closed after it (fetch would keep one open for 4 s, and the
// descriptor check would count it).
function faults(method, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${process.env.LOAD_ADMIN_URL}/__admin/faults`, { method, agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume().on('end', resolve)
    })
    request.on('error', reject).end(body)
  })
}

// Soak mode (tests/load/soak.py): calls until LOAD_SECONDS have passed, keeping only counts
// (so the driver's own memory stays flat), faults left to the orchestrator.
async function soak(client, seconds) {
  const deadline = performance.now() + seconds * 1000
  const outcomes = {}
  let calls = 0
  const worker = async (offset) => {
    for (let index = offset; performance.now() < deadline; index += CONCURRENCY) {
      let kind = 'ok'
      try {
        await client.projects.get(IDS[index % IDS.length])
      } catch (error) {
        if (!(error instanceof OcusError)) throw error
        kind = error.kind
      }
      outcomes[kind] = (outcomes[kind] || 0) + 1
      calls++
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)))
  process.stdout.write(JSON.stringify({ calls, outcomes }))
  client.close()
}

async function main() {
  const idle = process.env.LOAD_IDLE_TIMEOUT_MS
  const client = new Client({
    timeoutMs: Number(process.env.LOAD_TIMEOUT_MS),
    maxRetries: Number(process.env.LOAD_MAX_RETRIES),
    idleTimeoutMs: idle ? Number(idle) : undefined,
  })
  if (process.env.LOAD_SECONDS) return soak(client, Number(process.env.LOAD_SECONDS))
  const call = async (index) => {
    const id = IDS[index % IDS.length]
    const started = performance.now()
    try {
      const project = await client.projects.get(id, { headers: { 'x-load-call': String(index) } })
      return [index, 'ok', performance.now() - started, project.id === id]
    } catch (error) {
      if (!(error instanceof OcusError)) throw error
      return [index, error.kind, performance.now() - started, false]
    }
  }
  // `concurrency` workers taking the next index: that many calls in flight at any time.
  const pool = async (count, fn) => {
    const results = new Array(count)
    let next = 0
    const worker = async () => {
      while (next < count) {
        const index = next++
        results[index] = await fn(index)
      }
    }
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker))
    return results
  }
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  const settleMs = Number(process.env.LOAD_SETTLE_MS)
  await pool(2 * CONCURRENCY, (i) => client.projects.get(IDS[i % IDS.length]))
  // Every connection the warm-up opened has closed (the idle timeout's rule): "before" and
  // "after" count no pooled connection, so anything left open after the run is a leak.
  await sleep(settleMs)
  const before = resources()
  await faults('DELETE')
  await faults('POST', process.env.LOAD_FAULTS)
  const started = performance.now()
  const calls = await pool(CALLS, call)
  const elapsed = (performance.now() - started) / 1000
  await faults('DELETE')
  // Resources once the pool has let go of its connections: at most "before"'s descriptors,
  // or as they are after the settle time and 1 s more (then the check says how many).
  const lastCall = performance.now()
  let after = resources()
  while (after.fds > before.fds && performance.now() - lastCall < settleMs + 1000) {
    await sleep(20)
    after = resources()
  }
  const settle_ms = Math.round(performance.now() - lastCall)
  process.stdout.write(JSON.stringify({ before, after, settle_ms, elapsed_s: elapsed, calls }))
  client.close()
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
