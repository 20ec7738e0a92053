'use strict'
// ocus (Node.js) against undici.request, global fetch, axios and the raw Rust core, on the
// release emulator. Same request for all: GET /v3/projects/{id} with X-API-KEY, JSON decoded;
// one reused client each, keep-alive, warm-up, interleaved rounds; median (min-max) wall time
// and process CPU per request, and each client's cost above the floor: a raw-socket client in
// the same rounds (one write, read until Content-Length, nothing parsed), so what the machine
// charges every client (waking an idle CPU, the emulator's own time) is not counted as ours.
// Run: `make bench-node`.
const { execFileSync, spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const ROOT = path.resolve(__dirname, '..')
const from = (name) => require(require.resolve(name, { paths: [path.join(ROOT, 'bindings-node'), path.join(ROOT, 'examples', 'node')] }))
const ocus = from('ocus')
const undici = from('undici')
const axios = from('axios')
const http = require('node:http')
const net = require('node:net')

const KEY = 'bench_key_0123456789'
const ROUNDS = 7
const SEQUENTIAL = 2000
const CONCURRENT = 10000
const IN_FLIGHT = 50
// Many calls in flight, each client alone in a process of its own (so RSS and descriptors are
// its own): throughput, p99, RSS and open descriptors at the end.
const HIGH_IN_FLIGHT = [1000, 10000]

/** `node node_bench.js --high CLIENT IN_FLIGHT BASE ID`: one high-concurrency run, as JSON. */
async function high(name, inFlight, base, id) {
  const url = `${base}/projects/${id}`
  const headers = { 'x-api-key': KEY }
  let call
  if (name === 'ocus') {
    const client = new ocus.Client({ apiKey: KEY, baseUrl: base })
    call = () => client.projects.get(id)
  } else {
    const pool = new undici.Agent({ pipelining: 1 }) // no connection limit, as ocus
    call = async () => (await undici.request(url, { headers, dispatcher: pool })).body.json()
  }
  const count = Math.max(20000, 2 * inFlight)
  const latencies = []
  let errors = 0
  const run = async (calls) => {
    let next = 0
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next++ < calls) {
        const t0 = performance.now()
        try {
          await call()
        } catch {
          errors++
        }
        latencies.push(performance.now() - t0)
      }
    }))
  }
  await run(inFlight) // warm-up: every connection opened once
  latencies.length = 0
  errors = 0
  const t0 = performance.now()
  await run(count)
  const seconds = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  // Listing needs a descriptor of its own: at the limit, say so rather than fail the row.
  const entries = (dir) => { try { return require('node:fs').readdirSync(dir).length } catch (error) { return error.code } }
  const fds = entries('/proc/self/fd')
  let rssMiB // the peak instead when even /proc/self/stat cannot be opened
  try { rssMiB = process.memoryUsage().rss / 2 ** 20 } catch { rssMiB = process.resourceUsage().maxRSS / 1024 }
  const threads = entries('/proc/self/task')
  console.log(JSON.stringify({ perSecond: count / seconds, p50: latencies[Math.floor(count / 2)], p99: latencies[Math.floor(count * 0.99)], rssMiB, fds, threads, errors }))
  process.exit(0)
}

async function main() {
  if (process.argv[2] === '--high') return high(process.argv[3], Number(process.argv[4]), process.argv[5], process.argv[6])
  const mock = spawn(path.join(ROOT, 'target/release/ocus-mock'), ['--addr', '127.0.0.1:0', '--api-key', KEY], { stdio: ['ignore', 'pipe', 'ignore'] })
  const base = await new Promise((resolve) => readline.createInterface({ input: mock.stdout }).once('line', resolve))
  try {
    await run(base)
  } finally {
    mock.kill()
  }
}

async function timed(fn, count) {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await fn()
  const cpu = process.cpuUsage(cpu0)
  return [((performance.now() - t0) * 1000) / count, (cpu.user + cpu.system) / count]
}

/**
 * The floor: kept-alive sockets, each one request at a time, written in one write and read
 * until the headers' Content-Length is in; nothing parsed beyond that.
 */
function rawSocketClient(base, path) {
  const { hostname, port } = new URL(base)
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nX-API-KEY: ${KEY}\r\n\r\n`)
  const idle = []
  const connect = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port), noDelay: true }, () => resolve(socket))
      socket.once('error', reject)
    })
  const once = (socket) =>
    new Promise((resolve, reject) => {
      let head = null
      let chunks = []
      let received = 0
      let needed = -1
      const onData = (chunk) => {
        chunks.push(chunk)
        received += chunk.length
        if (needed < 0) {
          head = Buffer.concat(chunks)
          const end = head.indexOf('\r\n\r\n')
          if (end < 0) return
          const length = /content-length: *(\d+)/i.exec(head.subarray(0, end).toString('latin1'))
          needed = end + 4 + Number(length[1])
        }
        if (received >= needed) {
          socket.off('data', onData)
          socket.off('error', reject)
          resolve()
        }
      }
      socket.on('data', onData)
      socket.once('error', reject)
      socket.write(request)
    })
  const call = async () => {
    const socket = idle.pop() ?? (await connect())
    await once(socket)
    idle.push(socket)
  }
  call.close = () => idle.forEach((s) => s.destroy())
  return call
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function report(title, results, reference, floor) {
  const ref = median(results[reference].map(([w]) => w))
  const floorWall = median(results[floor].map(([w]) => w))
  const floorCpu = median(results[floor].map(([, c]) => c))
  console.log(`\n${title}`)
  console.log(
    `${'client'.padEnd(24)} ${'µs/req median (min-max)'.padStart(26)} ${'CPU µs/req'.padStart(11)} ${('vs ' + reference).padStart(20)} ${'above floor: wall'.padStart(18)} ${'CPU'.padStart(6)}`,
  )
  for (const [name, samples] of Object.entries(results)) {
    const walls = samples.map(([w]) => w)
    const m = median(walls)
    const cpu = median(samples.map(([, c]) => c))
    const spread = `${m.toFixed(1)} (${Math.min(...walls).toFixed(1)}-${Math.max(...walls).toFixed(1)})`
    const above = name === floor ? '-'.padStart(18) + ' ' + '-'.padStart(6) : `${(m - floorWall).toFixed(1).padStart(18)} ${(cpu - floorCpu).toFixed(1).padStart(6)}`
    console.log(`${name.padEnd(24)} ${spread.padStart(26)} ${cpu.toFixed(1).padStart(11)} ${(ref / m).toFixed(2).padStart(19)}x ${above}`)
  }
}

async function run(base) {
  const client = new ocus.Client({ apiKey: KEY, baseUrl: base })
  const id = (await client.projects.listPage({ pageSize: 1 })).data[0].id
  const url = `${base}/projects/${id}`
  const headers = { 'x-api-key': KEY }
  const pool = new undici.Agent({ connections: IN_FLIGHT, pipelining: 1 })
  const axiosClient = axios.create({ headers, httpAgent: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) })
  const floor = 'floor (raw socket)'
  const rawSocket = rawSocketClient(base, `${new URL(base).pathname}/projects/${id}`)
  const clients = {
    [floor]: rawSocket,
    ocus: () => client.projects.get(id),
    'undici.request': async () => {
      const { body } = await undici.request(url, { headers, dispatcher: pool })
      return body.json()
    },
    fetch: async () => (await fetch(url, { headers })).json(),
    axios: async () => (await axiosClient.get(url)).data,
  }
  const fanOut = (fn, count, inFlight) => async () => {
    let next = 0
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next++ < count) await fn()
    }))
  }
  const rustCore = (count, inFlight) =>
    execFileSync(path.join(ROOT, 'target/release/ocus-bench'), ['core', base, id, String(count), String(inFlight)], { encoding: 'utf8' })
      .trim()
      .split(' ')
      .map(Number)

  for (const [label, count, inFlight] of [
    [`sequential (${SEQUENTIAL} per round, ${ROUNDS} interleaved rounds)`, SEQUENTIAL, 1],
    [`${IN_FLIGHT} in flight (${CONCURRENT} per round, ${ROUNDS} interleaved rounds)`, CONCURRENT, IN_FLIGHT],
  ]) {
    const results = Object.fromEntries(Object.keys(clients).map((name) => [name, []]))
    for (const fn of Object.values(clients)) await fanOut(fn, count / 4, inFlight)() // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of Object.entries(clients)) results[name].push(await timed(fanOut(fn, count, inFlight), count))
    }
    results['Rust core (ocus crate)'] = Array.from({ length: 3 }, () => rustCore(count, inFlight))
    report(label, results, 'undici.request', floor)
  }
  rawSocket.close()
  await pool.close()

  console.log(`\nmany in flight (one process per client, ${'max(20000, 2 x in flight)'} calls after a warm-up)`)
  console.log(`${'client'.padEnd(16)} ${'in flight'.padStart(9)} ${'calls/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'RSS MiB'.padStart(8)} ${'fds'.padStart(6)} ${'threads'.padStart(8)} ${'errors'.padStart(7)}`)
  for (const inFlight of HIGH_IN_FLIGHT) {
    for (const name of ['ocus', 'undici.request']) {
      const out = JSON.parse(execFileSync(process.execPath, [__filename, '--high', name, String(inFlight), base, id], { encoding: 'utf8' }).trim())
      console.log(
        `${name.padEnd(16)} ${String(inFlight).padStart(9)} ${out.perSecond.toFixed(0).padStart(9)} ${out.p50.toFixed(1).padStart(8)} ${out.p99.toFixed(1).padStart(8)} ${out.rssMiB.toFixed(0).padStart(8)} ${String(out.fds).padStart(6)} ${String(out.threads).padStart(8)} ${String(out.errors).padStart(7)}`,
      )
    }
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
