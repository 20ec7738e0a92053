// The ES module entry re-exports the CommonJS one by name (named exports must be static), so a
// name added to index.js and not to index.mjs type-checks in ESM code (index.d.ts has it) and
// then fails at load.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

import * as esm from '../index.mjs'

const cjs = createRequire(import.meta.url)('../index.js')

test('the ES module exports every name of the CommonJS entry, the same objects', () => {
  for (const name of Object.keys(cjs)) {
    assert.ok(name in esm, `index.mjs does not export ${name}`)
    assert.equal(esm[name], cjs[name], name)
  }
  for (const name of Object.keys(esm)) {
    if (name !== 'default') assert.ok(name in cjs, `index.mjs exports ${name}, index.js does not`)
  }
  assert.equal(esm.default, cjs)
})
