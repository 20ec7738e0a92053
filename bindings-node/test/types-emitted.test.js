'use strict'
// index.d.ts is emitted by tsc from the JSDoc types of index.js (scripts/types.js): this fails
// when index.js does not type-check against its JSDoc or index.d.ts is not what tsc emits now.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

test('index.d.ts is what tsc emits from index.js', () => {
  const script = path.join(__dirname, '..', 'scripts', 'types.js')
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8' })
  assert.equal(result.status, 0, `node scripts/types.js failed:\n${result.stdout}${result.stderr}`)
})
