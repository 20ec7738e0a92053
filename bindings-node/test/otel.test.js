'use strict'
// OpenTelemetry: spans under the context active where the call is made, one per attempt, the
// trace context the server receives, the duration histogram, and never the key. The SDK's
// in-memory exporter and metric reader record what an application's exporter would get.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const api = require('@opentelemetry/api')
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks')
const { W3CTraceContextPropagator } = require('@opentelemetry/core')
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base')
const { MeterProvider, InMemoryMetricExporter, PeriodicExportingMetricReader, AggregationTemporality } = require('@opentelemetry/sdk-metrics')
const { ocus, startEmulator, ALPHA, ID0 } = require('./helpers.js')

let mock
const exporter = new InMemorySpanExporter()
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })

before(async () => {
  mock = await startEmulator()
  // What an application's setup registers (NodeSDK does all three).
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
  api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))
})
after(() => mock.stop())
beforeEach(async () => {
  exporter.reset()
  await mock.reset()
})

const client = (options = {}) => new ocus.Client({ apiKey: ALPHA, baseUrl: mock.baseUrl, ...options })
const tracer = api.trace.getTracer('app')
const named = (name) => exporter.getFinishedSpans().filter((s) => s.name === name)
const parentId = (span) => span.parentSpanContext?.spanId ?? span.parentSpanId
const traceparent = (span) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-${span.spanContext().traceFlags.toString(16).padStart(2, '0')}`

test('a retried get is one operation with an attempt span per try, each sent to the server', async () => {
  await mock.faults({ path: `/v3/projects/${ID0}`, status: 503, headers: { 'retry-after': '0' }, times: 1 })
  const handler = await tracer.startActiveSpan('handler', async (span) => {
    await client().projects.get(ID0)
    span.end()
    return span
  })
  const [operation] = named('projects.get')
  const attempts = named('GET /v3/projects/{id}').sort((a, b) => (a.startTime[0] - b.startTime[0]) || (a.startTime[1] - b.startTime[1]))
  assert.equal(attempts.length, 2)
  assert.equal(operation.kind, api.SpanKind.INTERNAL)
  assert.equal(parentId(operation), handler.spanContext().spanId)
  const port = Number(new URL(mock.baseUrl).port)
  for (const attempt of attempts) {
    assert.equal(attempt.kind, api.SpanKind.CLIENT)
    assert.equal(parentId(attempt), operation.spanContext().spanId)
    assert.equal(attempt.spanContext().traceId, handler.spanContext().traceId)
    assert.equal(attempt.attributes['http.request.method'], 'GET')
    assert.equal(attempt.attributes['server.address'], '127.0.0.1')
    assert.equal(attempt.attributes['server.port'], port)
    assert.equal(attempt.attributes['url.full'], `${mock.baseUrl}/projects/${ID0}`)
    assert.equal(attempt.attributes['url.template'], '/v3/projects/{id}')
  }
  const [first, second] = attempts
  assert.equal(first.attributes['http.response.status_code'], 503)
  assert.equal(first.attributes['error.type'], '503')
  assert.equal(first.status.code, api.SpanStatusCode.ERROR)
  assert.equal(first.attributes['http.request.resend_count'], undefined)
  assert.equal(second.attributes['http.request.resend_count'], 1)
  assert.equal(second.attributes['http.response.status_code'], 200)
  assert.equal(operation.status.code, api.SpanStatusCode.UNSET)
  const seen = (await mock.requests()).map((r) => r.headers.traceparent)
  assert.deepEqual(seen, [traceparent(first), traceparent(second)])
})

test('a failed call has its error type and status, and is a root with no active span', async () => {
  await assert.rejects(client().projects.get('no-such-project'), ocus.NotFoundError)
  const [operation] = named('projects.get')
  assert.equal(operation.status.code, api.SpanStatusCode.ERROR)
  assert.equal(operation.attributes['error.type'], '404')
  assert.equal(parentId(operation), undefined)
})

test('a listing shows each page as an operation, a retried page with its resend', async () => {
  await mock.faults({ path: '/v3/projects', status: 503, headers: { 'retry-after': '0' }, times: 1 })
  let count = 0
  await tracer.startActiveSpan('export', async (span) => {
    for await (const _ of client().projects.list({ pageSize: 100 })) count += 1
    span.end()
  })
  assert.equal(count, 135)
  const operations = named('projects.list')
  const attempts = named('GET /v3/projects')
  assert.equal(operations.length, 2)
  assert.equal(attempts.length, 3)
  assert.equal(attempts.filter((a) => a.attributes['http.request.resend_count'] === 1).length, 1)
  const [exported] = named('export')
  for (const operation of operations) assert.equal(parentId(operation), exported.spanContext().spanId)
})

test('overlapping calls are children of their own active spans', async () => {
  const c = client()
  const parents = await Promise.all(['a', 'b', 'c'].map((name) => tracer.startActiveSpan(name, async (span) => {
    await c.projects.get(ID0)
    span.end()
    return span.spanContext().spanId
  })))
  assert.deepEqual(named('projects.get').map(parentId).sort(), [...parents].sort())
})

test('the duration histogram follows the conventions', async () => {
  await client().projects.get(ID0)
  await reader.forceFlush()
  const metrics = metricExporter.getMetrics().flatMap((r) => r.scopeMetrics).filter((s) => s.scope.name === 'ocus').flatMap((s) => s.metrics)
  const duration = metrics.find((m) => m.descriptor.name === 'http.client.request.duration')
  assert.ok(duration, 'the histogram was exported')
  assert.equal(duration.descriptor.unit, 's')
  const ok = duration.dataPoints.find((p) => p.attributes['http.response.status_code'] === 200)
  assert.ok(ok && ok.value.count >= 1 && ok.value.sum > 0)
  assert.equal(ok.attributes['url.template'], '/v3/projects/{id}')
  assert.deepEqual(ok.value.buckets.boundaries.slice(0, 3), [0.005, 0.01, 0.025])
})

test('no exported span or metric carries the key', async () => {
  await mock.faults({ status: 503, headers: { 'retry-after': '0' }, times: 1 })
  const c = client({ defaultHeaders: { 'x-tenant': 't1' } })
  await c.projects.get(ID0)
  await c.request('GET', '/projects', { query: { 'page[size]': 1 } })
  await assert.rejects(new ocus.Client({ apiKey: 'sk_test_unknown_key', baseUrl: mock.baseUrl }).projects.get(ID0), ocus.AuthenticationError)
  await reader.forceFlush()
  const exported = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })))
    + JSON.stringify(metricExporter.getMetrics())
  assert.ok(exported.length > 1000)
  for (const secret of [ALPHA, 'sk_test_unknown_key', 'x-api-key', 'x-tenant']) assert.ok(!exported.includes(secret), secret)
})

test('listed headers are recorded by name on each attempt, and the key cannot be listed', async () => {
  await mock.faults({ path: `/v3/projects/${ID0}`, status: 503, headers: { 'retry-after': '0' }, times: 1 })
  const c = client({
    defaultHeaders: { 'X-Tenant': 't1' },
    captureRequestHeaders: ['x-tenant', 'Accept'],
    captureResponseHeaders: ['X-Request-Id', 'retry-after'],
  })
  await c.projects.get(ID0)
  const [first, second] = named('GET /v3/projects/{id}').sort((a, b) => (a.startTime[0] - b.startTime[0]) || (a.startTime[1] - b.startTime[1]))
  for (const attempt of [first, second]) {
    assert.deepEqual(attempt.attributes['http.request.header.x-tenant'], ['t1'])
    assert.deepEqual(attempt.attributes['http.request.header.accept'], ['application/json'])
    const [requestId] = attempt.attributes['http.response.header.x-request-id']
    assert.match(requestId, /^req_/)
  }
  assert.deepEqual(first.attributes['http.response.header.retry-after'], ['0'])
  assert.equal(second.attributes['http.response.header.retry-after'], undefined)
  const exported = JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))
  assert.ok(!exported.includes(ALPHA) && !exported.includes('x-api-key'))
  for (const listed of [{ captureRequestHeaders: ['X-API-Key'] }, { captureResponseHeaders: ['x-request-id', 'x-api-key'] }]) {
    assert.throws(() => client(listed), (error) => error instanceof ocus.ConfigurationError && /x-api-key is never recorded/.test(error.message))
  }
})

test('without a provider, or without the API, nothing is traced', async () => {
  const probe = `
    const ocus = require(${JSON.stringify(require.resolve('../index.js'))})
    new ocus.Client({ apiKey: ${JSON.stringify(ALPHA)}, baseUrl: ${JSON.stringify(mock.baseUrl)} }).projects.get(${JSON.stringify(ID0)}).then(() => console.log('ok'))`
  const blockApi = `const Module = require('node:module'); const load = Module._load; Module._load = function (request, ...rest) { if (request === '@opentelemetry/api') throw new Error('not installed'); return load.call(this, request, ...rest) }`
  for (const block of ['', blockApi]) {
    await mock.reset()
    const result = spawnSync(process.execPath, ['-e', block + probe], { encoding: 'utf8' })
    assert.equal(result.stdout.trim(), 'ok', result.stderr)
    assert.deepEqual((await mock.requests()).map((r) => r.headers.traceparent), [undefined])
  }
})
