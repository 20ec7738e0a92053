'use strict'
// Plays every shared scenario (tests/scenarios/*.json) through the installed npm package.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ocus, startEmulator, REPO } = require('./helpers.js')

const DIR = path.join(REPO, 'tests', 'scenarios')
const CASES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
let mock

before(async () => {
  mock = await startEmulator()
})
after(() => mock.stop())

test('the suite is complete', () => assert.ok(CASES.length >= 40))

function options(step) {
  const o = step.options || {}
  return { timeoutMs: o.timeout_ms, maxRetries: o.max_retries, headers: o.headers }
}

function listParams(step) {
  const a = step.args || {}
  return { pageSize: a.page_size, pageNumber: a.page_number, status: a.status, params: a.params, ...options(step) }
}

function normaliseResponse(response) {
  const url = new URL(response.url)
  return {
    status: response.status,
    request_id: response.requestId !== null,
    path: url.pathname + url.search,
    attempts: response.attempts,
    headers: Object.fromEntries(response.headers),
  }
}

// The normalised result; `seen.response` receives the call's response when it has one.
async function call(client, op, step, seen) {
  const args = step.args || {}
  if (op === 'webhooks.verify') {
    const event = ocus.webhooks.verify(Buffer.from(args.body), args.signature, args.secret)
    return {
      id: event.id,
      type: event.type,
      organization_id: event.organizationId,
      project_id: event.projectId,
      status: event.status,
      signed_part: event.signedPart,
    }
  }
  assert.ok(client, 'the case builds a client first')
  switch (op) {
    case 'projects.list': {
      const { data: page, response } = await client.projects.listPage(listParams(step)).withResponse()
      seen.response = response
      return {
        count: page.data.length,
        first_id: page.data[0]?.id ?? null,
        last_id: page.data.at(-1)?.id ?? null,
        has_next: page.hasNext,
        meta: page.meta,
      }
    }
    case 'projects.list_all': {
      const projects = []
      for await (const p of client.projects.list(listParams(step))) projects.push(p)
      const statuses = {}
      for (const p of projects) statuses[p.status ?? ''] = (statuses[p.status ?? ''] || 0) + 1
      return {
        count: projects.length,
        unique_ids: new Set(projects.map((p) => p.id)).size,
        first_id: projects[0]?.id ?? null,
        last_id: projects.at(-1)?.id ?? null,
        statuses,
      }
    }
    case 'projects.pages': {
      const pages = []
      for await (const page of client.projects.list(listParams(step)).pages()) pages.push(page)
      return {
        pages: pages.length,
        count: pages.reduce((sum, page) => sum + page.data.length, 0),
        responses: pages.map((page) => normaliseResponse(page.response)),
      }
    }
    case 'projects.get': {
      const { data: p, response } = await client.projects.get(args.id, options(step)).withResponse()
      seen.response = response
      return { id: p.id, type: p.type, status: p.status, known_status: p.isKnownStatus, attributes: p.attributes }
    }
    case 'request': {
      const { data, response } = await client.request(args.method, args.path, { query: args.query, json: args.json, ...options(step) }).withResponse()
      seen.response = response
      return data
    }
    case 'close':
      client.close()
      return null
    case 'rotate_api_key':
      client.rotateApiKey(args.key)
      return null
    default:
      throw new Error(`unknown op ${op}`)
  }
}

function matches(expected, actual, where) {
  if (expected !== null && typeof expected === 'object' && '$matches' in expected && typeof actual === 'string') {
    assert.match(actual, new RegExp(expected.$matches), `${where}: got ${JSON.stringify(actual)}, expected a match of ${expected.$matches}`)
  } else if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object', `${where}: got ${JSON.stringify(actual)}, expected an object`)
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in actual) || actual[key] === undefined) {
        assert.equal(value, null, `${where}.${key}: missing, expected ${JSON.stringify(value)}`)
        continue
      }
      matches(value, actual[key], `${where}.${key}`)
    }
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${where}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
    expected.forEach((value, i) => matches(value, actual[i], `${where}[${i}]`))
  } else {
    assert.deepEqual(actual, expected, `${where}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`)
  }
}

function check(expect = {}, outcome, error, elapsedMs) {
  if ('min_elapsed_ms' in expect) assert.ok(elapsedMs >= expect.min_elapsed_ms, `took ${elapsedMs} ms`)
  if ('max_elapsed_ms' in expect) assert.ok(elapsedMs <= expect.max_elapsed_ms, `took ${elapsedMs} ms`)
  const wanted = expect.error
  if (!wanted) {
    if (error) throw error
    if ('result' in expect) matches(expect.result, outcome, 'result')
    return
  }
  assert.ok(error, `expected an error, got ${JSON.stringify(outcome)}`)
  assert.ok(error instanceof ocus.OcusError, `not an OcusError: ${error}`)
  const actual = {
    kind: error.kind,
    status: error.status ?? null,
    message: error.message,
    code: error.code ?? null,
    request_id: error.requestId != null,
    has_cause: error.cause instanceof Error,
    retry_after: error.retryAfter ?? null,
    body: error.body ?? null,
  }
  if ('message_contains' in wanted) {
    assert.ok(error.message.includes(wanted.message_contains), `message ${JSON.stringify(error.message)}`)
    actual.message_contains = wanted.message_contains
  }
  if ('body_max_len' in wanted) {
    assert.ok(Buffer.byteLength(error.body || '') <= wanted.body_max_len)
    actual.body_max_len = wanted.body_max_len
  }
  matches(wanted, actual, 'error')
}

function normaliseRequests(log) {
  const main = log.filter((r) => r.origin === 'main')
  const foreign = log.filter((r) => r.origin !== 'main')
  return {
    count: main.length,
    requests: main.map((r) => ({
      method: r.method,
      path: r.path,
      query: r.query,
      key: r.key,
      auth: r.auth,
      has_x_api_key: 'x-api-key' in r.headers,
      has_authorization: 'authorization' in r.headers,
      http_version: r.http_version,
      headers: r.headers,
    })),
    foreign_count: foreign.length,
    foreign_with_key: foreign.filter((r) => 'x-api-key' in r.headers).length,
  }
}

for (const file of CASES) {
  test(`scenario ${path.basename(file, '.json')}`, async () => {
    const scenario = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'))
    await mock.reset(scenario.keys)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocus-node-'))
    const keyFile = path.join(dir, 'api_key')
    let client = null
    try {
      for (const [index, step] of scenario.steps.entries()) {
        const op = step.op
        try {
          if (op === 'faults') await mock.faults(...step.faults)
          else if (op === 'set_keys') await mock.admin('POST', '/__admin/keys', { keys: step.keys })
          else if (op === 'write_key_file') fs.writeFileSync(keyFile, step.args.content)
          else if (op === 'check_requests') matches(step.expect, normaliseRequests(await mock.requests()), 'requests')
          else if (op === 'new_client') {
            const places = { ...mock.placeholders, key_file: keyFile }
            const substitute = (value) =>
              typeof value === 'string' ? value.replace(/\$\{(\w+)\}/g, (whole, name) => places[name] ?? whole) : value
            const o = Object.fromEntries(Object.entries(step.options).map(([name, value]) => [name, substitute(value)]))
            const unresolved = Object.values(o).filter((v) => typeof v === 'string' && v.includes('${'))
            assert.deepEqual(unresolved, [], 'unknown placeholder: the proxy ones need scripts/with-proxy')
            const clientOptions = { baseUrl: o.base_url ?? mock.baseUrl, apiKey: o.api_key, timeoutMs: o.timeout_ms, maxRetries: o.max_retries, retryBudget: o.retry_budget, caBundle: o.ca_bundle, proxy: o.proxy, defaultHeaders: o.default_headers, userAgent: o.user_agent }
            if (o.api_key_file) clientOptions.apiKeyFile = keyFile
            // `env`: set while the client is built (the TLS verifier reads SSL_CERT_FILE then).
            const env = step.env ?? {}
            const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]))
            const setEnv = (name, value) => (value == null ? delete process.env[name] : (process.env[name] = value))
            for (const [name, value] of Object.entries(env)) {
              assert.ok(value == null || !substitute(value).includes('${'), `unknown placeholder in env ${name}`)
              setEnv(name, substitute(value))
            }
            try {
              client = new ocus.Client(clientOptions)
              check(step.expect, null, null, 0)
            } catch (error) {
              if (!(error instanceof ocus.OcusError)) throw error
              check(step.expect, null, error, 0)
            } finally {
              for (const [name, value] of Object.entries(saved)) setEnv(name, value)
            }
          } else {
            const started = performance.now()
            let outcome = null
            let failure = null
            const seen = {}
            try {
              outcome = await call(client, op, step, seen)
            } catch (error) {
              if (!(error instanceof ocus.OcusError)) throw error
              failure = error
            }
            check(step.expect, outcome, failure, performance.now() - started)
            if (step.expect && 'response' in step.expect) {
              assert.ok(seen.response, 'no response to check')
              matches(step.expect.response, normaliseResponse(seen.response), 'response')
            }
          }
        } catch (error) {
          error.message = `step ${index} (${op}): ${error.message}`
          throw error
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
}
