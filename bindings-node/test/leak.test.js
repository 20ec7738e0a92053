'use strict'
// Memory: in a process of its own, so other tests' allocations (workers...) do not blur it.
//
// Samples are taken after each of several equal windows of requests, after a warm-up, and two
// series are judged: native memory (RSS minus the V8 heap's committed size, which V8 grows in
// steps of its own: 26 → 41 MiB once, seen here) and the JS heap actually used. A leak shows as
// growth in every window; a one-off step in one window only. So the figure judged is the
// growth between the median of the first samples and that of the last, per request: noise and
// a one-off step (up to ~11 MiB) stay under the bar, a leak of 100 B/request does not.
const v8 = require('node:v8')
// Fewer steps to begin with: V8's young generation stays at one size.
v8.setFlagsFromString('--max-semi-space-size=1')
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { ocus, startEmulator, ALPHA, ID0 } = require('./helpers.js')

const WINDOWS = 8
const PER_WINDOW = 50_000
// Half the smallest leak this test must catch (100 bytes per request).
const MAX_BYTES_PER_REQUEST = 50

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Growth in bytes per request between the median of the first four samples and the median of
 * the last four: RSS swings by several MiB from one sample to the next (the allocator returns
 * and takes back memory), which medians ignore, and a one-off step moves one side only.
 */
function steadySlope(samples, perWindow) {
  const distance = (samples.length - 4) * perWindow // from the centre of one group to the other
  return (median(samples.slice(-4)) - median(samples.slice(0, 4))) / distance
}

let mock
before(async () => {
  mock = await startEmulator()
  await mock.reset()
})
after(() => mock.stop())

test('the slope statistic ignores a one-off step and catches a 100 B/request leak', () => {
  const MiB = 2 ** 20
  const flat = [80, 80.1, 80, 87.2, 87.3, 87.2, 87.3, 87.2, 87.3].map((m) => m * MiB)
  const noisy = [80.8, 84.4, 88.6, 74.1, 82.0, 83.4, 82.2, 89.3, 83.4].map((m) => m * MiB) // seen here
  assert.ok(steadySlope(noisy, PER_WINDOW) < MAX_BYTES_PER_REQUEST)
  assert.ok(steadySlope(flat, PER_WINDOW) < MAX_BYTES_PER_REQUEST)
  const twoSteps = [80, 80, 87, 87, 87, 92, 92, 92, 92].map((m) => m * MiB)
  assert.ok(steadySlope(twoSteps, PER_WINDOW) < MAX_BYTES_PER_REQUEST)
  // 100 B/request with ±5 MiB of noise per sample (as seen here).
  const noise = [4, -5, 1, 5, -3, 2, -4, 5, -5]
  const leaking = noise.map((n, i) => 80 * MiB + i * PER_WINDOW * 100 + n * MiB)
  assert.ok(steadySlope(leaking, PER_WINDOW) >= MAX_BYTES_PER_REQUEST)
})

test(`native and JS-heap memory have no steady growth over ${WINDOWS} windows of ${PER_WINDOW} requests`, async () => {
  const c = new ocus.Client({ apiKey: ALPHA, baseUrl: mock.baseUrl, maxRetries: 0 })
  const run = async (count) => {
    let next = 0
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next++ < count) await c.projects.get(ID0)
      }),
    )
  }
  const sample = () => {
    global.gc?.()
    const usage = process.memoryUsage()
    return { native: usage.rss - usage.heapTotal, heap: usage.heapUsed }
  }
  await run(50_000) // warm-up: connection pool, allocator arenas, JIT

  const samples = [sample()]
  for (let w = 0; w < WINDOWS; w++) {
    await run(PER_WINDOW)
    samples.push(sample())
  }
  for (const series of ['native', 'heap']) {
    const values = samples.map((s) => s[series])
    const slope = steadySlope(values, PER_WINDOW)
    const trace = values.map((v) => (v / 2 ** 20).toFixed(1)).join(' → ')
    console.log(`# ${series} memory per window (MiB): ${trace}; slope ${slope.toFixed(1)} B/request`)
    assert.ok(slope < MAX_BYTES_PER_REQUEST, `${series} memory grows ${slope.toFixed(1)} B/request (MiB: ${trace})`)
  }
  assert.ok(process.memoryUsage().heapUsed < 32 * 2 ** 20, 'the JS heap keeps growing')
})
