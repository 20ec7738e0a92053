'use strict'
// The data form of webhook signatures is the HMAC of JSON.stringify(JSON.parse(body).data).
// The core re-implements JSON.stringify; this checks it against this JavaScript engine on
// thousands of generated bodies (seeded, so a failure reproduces): odd number spellings, keys
// that JavaScript orders first, escapes, non-ASCII text, repeated keys, whitespace.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { ocus } = require('./helpers.js')

function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generator(random) {
  const pick = (items) => items[Math.floor(random() * items.length)]
  const int = (n) => Math.floor(random() * n)
  const space = () => pick(['', '', ' ', '\n  ', '\t'])
  const numberText = () =>
    pick([
      () => String(int(1000)),
      () => `-${int(1000)}`,
      () => `${int(100)}.0`,
      () => `${int(100)}.${int(1000)}0`,
      () => `${1 + int(9)}e${int(30)}`,
      () => `${1 + int(9)}.${int(99)}E-${int(12)}`,
      () => `${int(9)}e+${int(400)}`.replace(/e\+(\d{3})/, (_, e) => `e+${Math.min(Number(e), 300)}`),
      () => '-0',
      () => '-0.0',
      () => '18446744073709551616',
      () => '9007199254740993',
      () => String(random() * 10 ** (int(40) - 20)),
      () => '5e-324',
      () => '1.7976931348623157e308',
    ])()
  const character = () =>
    pick([
      () => pick(['a', 'b', 'Z', ' ', '/', '~', '0']),
      () => pick(['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t']),
      () => `\\u${int(0x20).toString(16).padStart(4, '0')}`,
      () => `\\u${(0x20 + int(0xd7e0)).toString(16).padStart(4, pick(['0']))}`,
      () => pick(['é', 'ß', '中', '\u2028', '\u2029', '\u007f', '😀', '\u00a0']),
      () => pick(['\\ud83d\\ude00', '\\uD83D\\uDCF8', '\\u00E9']),
    ])()
  const stringText = (length = int(8)) => `"${Array.from({ length }, character).join('')}"`
  const keyText = () => pick([() => stringText(1 + int(4)), () => `"${int(20)}"`, () => `"0${int(9)}"`, () => '"4294967295"', () => '"4294967294"', () => `"-${int(9)}"`])()
  const value = (depth) => {
    const kinds = depth > 3 ? ['number', 'string', 'literal'] : ['number', 'string', 'literal', 'array', 'object', 'object']
    switch (pick(kinds)) {
      case 'number':
        return numberText()
      case 'string':
        return stringText()
      case 'literal':
        return pick(['true', 'false', 'null'])
      case 'array':
        return `[${space()}${Array.from({ length: int(4) }, () => value(depth + 1)).join(`,${space()}`)}${space()}]`
      default: {
        const members = Array.from({ length: int(6) }, () => `${keyText()}${space()}:${space()}${value(depth + 1)}`)
        if (members.length && random() < 0.2) members.push(members[0].replace(/:.*/s, `: ${value(depth + 1)}`)) // a repeated key
        return `{${space()}${members.join(`,${space()}`)}${space()}}`
      }
    }
  }
  return () => `{${space()}"meta":${value(2)},${space()}"data"${space()}:${space()}${value(0)}${space()}}`
}

test('the data form signs what JSON.stringify writes, for 3000 generated bodies', () => {
  const body = generator(prng(20261128))
  let checked = 0
  for (let i = 0; i < 3000; i++) {
    const text = body()
    const expected = crypto.createHmac('sha256', 'whsec').update(JSON.stringify(JSON.parse(text).data)).digest('hex')
    assert.equal(ocus.webhooks.sign(text, 'whsec', { part: 'data' }), expected, `body: ${text}\nJSON.stringify: ${JSON.stringify(JSON.parse(text).data)}`)
    checked++
  }
  assert.equal(checked, 3000)
})

test('a data-form signature verifies, and says so', () => {
  const body = '{"meta":1,"data":{"type":"event","id":"project.updated","attributes":{"project_id":"p1","n":1.0}}}'
  const signature = crypto.createHmac('sha256', 'whsec').update(JSON.stringify(JSON.parse(body).data)).digest('hex')
  const event = ocus.webhooks.verify(body, signature, 'whsec')
  assert.equal(event.signedPart, 'data')
  assert.equal(event.projectId, 'p1')
  assert.equal(ocus.webhooks.verify(body, ocus.webhooks.sign(body, 'whsec'), 'whsec').signedPart, 'body')
  assert.equal(ocus.webhooks.verify(body, [signature], 'whsec').signedPart, 'data') // a header array as Node types it
  assert.throws(() => ocus.webhooks.sign('[1]', 'whsec', { part: 'data' }), ocus.DecodeError)
  assert.throws(() => ocus.webhooks.sign(body, 'whsec', { part: /** @type {any} */ ('raw') }), ocus.ConfigurationError)
})
