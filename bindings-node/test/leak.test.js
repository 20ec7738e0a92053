'use strict'
// Memory: in a process of its own, so other tests' allocations (workers...) do not blur it.
const v8 = require('node:v8')
// Keep V8's young generation from growing mid-test (it steps RSS up by ~6 MiB once, around
// 150k requests, then stays flat): what is measured here is native memory, not V8 sizing.
v8.setFlagsFromString('--max-semi-space-size=1')
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { ocus, startEmulator, ALPHA, ID0 } = require('./helpers.js')

let mock
before(async () => {
  mock = await startEmulator()
  await mock.reset()
})
after(() => mock.stop())

const client = () => new ocus.Client({ apiKey: ALPHA, baseUrl: mock.baseUrl, maxRetries: 0 })

test('100k requests keep RSS growth under 10 MB', async () => {
  const c = client()
  const run = async (count) => {
    let next = 0
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next++ < count) await c.projects.get(ID0)
      }),
    )
  }
  await run(50000) // warm-up: connection pool, allocator arenas, JIT

  global.gc?.()
  const before = process.memoryUsage().rss
  await run(100000)
  global.gc?.()
  const growthMiB = (process.memoryUsage().rss - before) / 2 ** 20
  assert.ok(growthMiB < 10, `RSS grew ${growthMiB.toFixed(1)} MiB over 100k requests`)
  assert.ok(process.memoryUsage().heapUsed < 32 * 2 ** 20, 'the JS heap keeps growing')
})
