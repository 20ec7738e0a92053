#!/usr/bin/env node
// Writes the webhook_form_*.json scenarios. Their signatures are computed here by Node's own
// JSON.parse, JSON.stringify and crypto (what OCUS's JavaScript sample does), not by the SDK,
// so the SDK's JSON.stringify re-implementation is checked against a real JavaScript engine.
// Run: node tests/scenarios/tools/webhook-cases.js
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

const SECRET = 'whsec_test_secret'
const ORG = '5f0c8a4e-2b1d-4c3a-9e7f-0a1b2c3d4e5f'
const PROJECT = '910a2dec-8902-4cc1-9758-35de1c9756ce'
const hmac = (text, secret = SECRET) => crypto.createHmac('sha256', secret).update(text).digest('hex')
const bodySignature = (body) => hmac(Buffer.from(body))
const dataSignature = (body) => hmac(JSON.stringify(JSON.parse(body).data))
const event = (id = 'project.updated') =>
  `{"type":"event","id":"${id}","attributes":{"organization_id":"${ORG}","project_id":"${PROJECT}"}}`
const result = (signedPart, id = 'project.updated') => ({
  result: { id, type: 'event', organization_id: ORG, project_id: PROJECT, status: null, signed_part: signedPart },
})
const mismatch = { error: { kind: 'invalid_signature', code: 'signature_mismatch' } }

const cases = [
  ['data_form', 'The HMAC of JSON.stringify(body.data) verifies; the event is the data member.',
    `{"data":${event()}}`, dataSignature, result('data')],
  ['data_form_whitespace', 'The data form ignores the whitespace of the raw body (JSON.stringify writes none).',
    `{\n  "data" : {\n    "type": "event",\n    "id": "project.updated",\n    "attributes": {"organization_id": "${ORG}", "project_id": "${PROJECT}"}\n  }\n}\n`,
    (body) => hmac(JSON.stringify(JSON.parse(body).data)), result('data')],
  ['data_form_outer_keys_reordered', 'Members around data may come in any order: only data is signed.',
    `{"meta":{"attempt":1},"data":${event()}}`, dataSignature, result('data')],
  ['data_form_inner_keys_reordered', 'Keys inside data in another order than when signed: JSON.stringify keeps the order received, so the signature no longer matches.',
    `{"data":{"id":"project.updated","type":"event","attributes":{"project_id":"${PROJECT}","organization_id":"${ORG}"}}}`,
    () => dataSignature(`{"data":${event()}}`), mismatch],
  ['data_form_non_ascii_and_escapes', 'Non-ASCII text, escapes (\\u00e9, \\/, \\n, \\u0001) and an emoji in data are signed as JSON.stringify writes them (UTF-8, / unescaped, \\u0001 kept escaped).',
    `{"data":{"type":"event","id":"project.updated","attributes":{"organization_id":"${ORG}","project_id":"${PROJECT}","note":"caf\\u00e9 / caf\u00e9 \\/ line\\nbreak \\u0001 \ud83d\udcf8 \\ud83d\\udcf8 \\"quoted\\""}}}`,
    dataSignature, result('data')],
  ['data_form_numbers_and_index_keys', 'Numbers are written as JavaScript prints doubles (1.0 -> 1, 1e21 -> 1e+21, 2^64 -> 18446744073709552000) and array-index keys ("10", "2") come first in ascending order, as JSON.stringify does.',
    `{"data":{"type":"event","id":"project.updated","attributes":{"organization_id":"${ORG}","project_id":"${PROJECT}","b":1.0,"10":1e21,"2":18446744073709551616,"a":-0.0,"c":[0.1,1E-7,100e-2]}}}`,
    dataSignature, result('data')],
  ['data_form_tampered_inside', 'A change inside data after signing is a mismatch.',
    `{"data":${event('project.deleted')}}`, () => dataSignature(`{"data":${event()}}`), mismatch],
  ['data_form_tampered_outside', 'A change outside data does not touch the signature, and nothing outside data reaches the result (the outer id and type are not the event).',
    `{"id":"project.deleted","type":"evil","data":${event()},"attributes":{"project_id":"other"}}`,
    () => dataSignature(`{"data":${event()}}`), result('data')],
  ['data_form_wrong_secret', 'The data form with another secret is a mismatch.',
    `{"data":${event()}}`, (body) => hmac(JSON.stringify(JSON.parse(body).data), 'another_secret'), mismatch],
  ['data_form_not_an_event', 'A correctly signed data member that is not an event object is a decode error, not a signature error.',
    '{"data":[1,2,3]}', dataSignature, { error: { kind: 'decode' } }],
  ['body_form_wrapped', 'A {"data": event} body signed byte for byte verifies as the body form; the event is its data member.',
    `{"data":${event()}}`, bodySignature, result('body')],
  ['body_form_whitespace', 'The body form signs the exact bytes, whitespace included.',
    `{ "type": "event", "id": "project.updated",\n  "attributes": { "organization_id": "${ORG}", "project_id": "${PROJECT}" } }`,
    bodySignature, result('body')],
  ['body_form_whitespace_changed', 'The body form: the same JSON with other whitespace than when signed is a mismatch.',
    `{"type":"event", "id":"project.updated","attributes":{"organization_id":"${ORG}","project_id":"${PROJECT}"}}`,
    () => bodySignature(event()), mismatch],
]

for (const [name, description, body, sign, expect] of cases) {
  const scenario = {
    name: `webhook_${name}`,
    description,
    keys: [],
    steps: [{ op: 'webhooks.verify', args: { body, signature: sign(body), secret: SECRET }, expect }],
  }
  fs.writeFileSync(path.join(__dirname, '..', `webhook_${name}.json`), JSON.stringify(scenario, null, 2) + '\n')
}
console.log(`wrote ${cases.length} webhook scenarios`)
