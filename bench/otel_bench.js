'use strict'
// What OpenTelemetry costs a Node.js call (`make bench-node`): client CPU and wall per
// sequential GET against the release emulator, each configuration in a process of its own (a
// provider is global), interleaved in rounds:
//   - ocus with @opentelemetry/api installed but no provider registered (most users);
//   - ocus with the API not installed: the floor of the above;
//   - ocus traced: a tracer and meter provider, spans to an exporter that drops them;
//   - undici.request plain, and traced by @opentelemetry/instrumentation-undici, same setup.
const { execFileSync, spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const ROOT = path.resolve(__dirname, '..')
const KEY = 'bench_otel_key_0123456789'
const CALLS = 2000
const ROUNDS = 7
const MODES = ['ocus, API, no provider', 'ocus, no API', 'ocus traced', 'undici', 'undici traced']

const DRIVER = `
const path = require('node:path')
const [mode, base, id, key, calls] = process.argv.slice(1)
const from = (name) => require(require.resolve(name, { paths: ${JSON.stringify([path.join(ROOT, 'bindings-node'), path.join(ROOT, 'examples', 'node')])} }))
if (mode === 'ocus, no API') {
  const Module = require('node:module')
  const load = Module._load
  Module._load = function (request, ...rest) {
    if (request === '@opentelemetry/api') throw new Error('not installed')
    return load.call(this, request, ...rest)
  }
}
if (mode.endsWith('traced')) {
  const api = from('@opentelemetry/api')
  const { AsyncLocalStorageContextManager } = from('@opentelemetry/context-async-hooks')
  const { W3CTraceContextPropagator } = from('@opentelemetry/core')
  const { BasicTracerProvider, BatchSpanProcessor } = from('@opentelemetry/sdk-trace-base')
  const { MeterProvider } = from('@opentelemetry/sdk-metrics')
  const dropped = { export: (spans, done) => done({ code: 0 }), shutdown: async () => {} }
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropped)] }))
  api.metrics.setGlobalMeterProvider(new MeterProvider())
  if (mode.startsWith('undici')) {
    const { UndiciInstrumentation } = from('@opentelemetry/instrumentation-undici')
    const { registerInstrumentations } = from('@opentelemetry/instrumentation')
    registerInstrumentations({ instrumentations: [new UndiciInstrumentation()] })
  }
}
let call
if (mode.startsWith('undici')) {
  const undici = from('undici')
  const url = base + '/projects/' + id
  call = async () => (await undici.request(url, { headers: { 'x-api-key': key } })).body.json()
} else {
  const ocus = from('ocus')
  const client = new ocus.Client({ apiKey: key, baseUrl: base })
  call = () => client.projects.get(id)
}
;(async () => {
  for (let i = 0; i < 200; i++) await call()
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let i = 0; i < Number(calls); i++) await call()
  const wall = Number(process.hrtime.bigint() - start) / 1e3 / Number(calls)
  const used = process.cpuUsage(cpu)
  console.log(JSON.stringify({ wall, cpu: (used.user + used.system) / Number(calls) }))
})()
`

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function main() {
  const mock = spawn(path.join(ROOT, 'target/release/ocus-mock'), ['--addr', '127.0.0.1:0', '--api-key', KEY], { stdio: ['ignore', 'pipe', 'ignore'] })
  const base = (await readline.createInterface({ input: mock.stdout })[Symbol.asyncIterator]().next()).value.trim()
  try {
    const ocus = require(require.resolve('ocus', { paths: [path.join(ROOT, 'examples', 'node')] }))
    const id = (await new ocus.Client({ apiKey: KEY, baseUrl: base }).projects.listPage({ pageSize: 1 })).data[0].id
    const results = Object.fromEntries(MODES.map((mode) => [mode, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const out = execFileSync(process.execPath, ['-e', DRIVER, mode, base, id, KEY, String(CALLS)], { encoding: 'utf8' })
        results[mode].push(JSON.parse(out))
      }
    }
    console.log(`\nOpenTelemetry, sequential GETs (${CALLS} per process, ${ROUNDS} interleaved rounds; medians, µs per call)`)
    console.log(`${'client'.padEnd(26)}${'wall'.padStart(8)}${'CPU'.padStart(8)}`)
    const m = {}
    for (const mode of MODES) {
      m[mode] = { wall: median(results[mode].map((r) => r.wall)), cpu: median(results[mode].map((r) => r.cpu)) }
      console.log(`${mode.padEnd(26)}${m[mode].wall.toFixed(1).padStart(8)}${m[mode].cpu.toFixed(1).padStart(8)}`)
    }
    const noProvider = m['ocus, API, no provider'].cpu - m['ocus, no API'].cpu
    console.log(`no provider vs no API, CPU per call: ${noProvider >= 0 ? '+' : ''}${noProvider.toFixed(1)} µs (separate processes: a few µs either way is noise here; the check below is the work added)`)
    console.log(`tracing adds, CPU per call: ocus ${(m['ocus traced'].cpu - m['ocus, API, no provider'].cpu).toFixed(1)} µs, undici with its instrumentation ${(m['undici traced'].cpu - m.undici.cpu).toFixed(1)} µs`)
    const otel = require(path.join(ROOT, 'bindings-node', 'otel.js'))
    const n = 1e6
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) otel.begin()
    console.log(`the per-call check with the API and no provider, alone: ${(Number(process.hrtime.bigint() - start) / n / 1e3).toFixed(3)} µs`)
  } finally {
    mock.kill()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
