'use strict'
// ocus (Node.js) against undici.request, global fetch, axios and the raw Rust core, on the
// release emulator. Same request for all: GET /v3/projects/{id} with X-API-KEY, JSON decoded;
// one reused client each, keep-alive, warm-up, interleaved rounds; median (min-max) wall time
// and process CPU per request. Run: `make bench-node`.
const { execFileSync, spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const ROOT = path.resolve(__dirname, '..')
const from = (name) => require(require.resolve(name, { paths: [path.join(ROOT, 'bindings-node'), path.join(ROOT, 'examples', 'node')] }))
const ocus = from('ocus')
const undici = from('undici')
const axios = from('axios')
const http = require('node:http')

const KEY = 'bench_key_0123456789'
const ROUNDS = 7
const SEQUENTIAL = 2000
const CONCURRENT = 10000
const IN_FLIGHT = 50

async function main() {
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

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function report(title, results, reference) {
  const ref = median(results[reference].map(([w]) => w))
  console.log(`\n${title}`)
  console.log(`${'client'.padEnd(24)} ${'µs/req median (min-max)'.padStart(26)} ${'CPU µs/req'.padStart(11)} ${('vs ' + reference).padStart(20)}`)
  for (const [name, samples] of Object.entries(results)) {
    const walls = samples.map(([w]) => w)
    const m = median(walls)
    const spread = `${m.toFixed(1)} (${Math.min(...walls).toFixed(1)}-${Math.max(...walls).toFixed(1)})`
    console.log(`${name.padEnd(24)} ${spread.padStart(26)} ${median(samples.map(([, c]) => c)).toFixed(1).padStart(11)} ${(ref / m).toFixed(2).padStart(19)}x`)
  }
}

async function run(base) {
  const client = new ocus.Client({ apiKey: KEY, baseUrl: base })
  const id = (await client.projects.listPage({ pageSize: 1 })).data[0].id
  const url = `${base}/projects/${id}`
  const headers = { 'x-api-key': KEY }
  const pool = new undici.Agent({ connections: IN_FLIGHT, pipelining: 1 })
  const axiosClient = axios.create({ headers, httpAgent: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) })
  const clients = {
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
    report(label, results, 'undici.request')
  }
  await pool.close()
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
