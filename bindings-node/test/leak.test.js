'use strict'
// Memory: in a process of its own, so other tests' allocations (workers...) do not blur it.
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
  // Warm up past the allocator's and V8's start-up growth (it plateaus after ~100k requests).
  await run(100000)
  global.gc?.()
  const before = process.memoryUsage().rss
  await run(100000)
  global.gc?.()
  const growthMiB = (process.memoryUsage().rss - before) / 2 ** 20
  assert.ok(growthMiB < 10, `RSS grew ${growthMiB.toFixed(1)} MiB over 100k requests`)
})
