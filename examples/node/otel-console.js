'use strict'
// The spans of a listing, printed to the console. Every ocus call is an INTERNAL span
// (`projects.list`, `projects.get`, `request`) under the active span, with one CLIENT span per
// HTTP attempt (a retry is a resend); each attempt's `traceparent` is sent to the API.
// An application would start @opentelemetry/sdk-node's NodeSDK instead of these four lines.
const api = require('@opentelemetry/api')
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks')
const { W3CTraceContextPropagator } = require('@opentelemetry/core')
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base')
const { Client } = require('ocus')

/** One line per span: name, kind, its id and its parent's, attributes. */
const oneLine = {
  export(spans, done) {
    for (const span of spans) {
      const parent = span.parentSpanContext?.spanId ?? '-'
      console.log(`${span.name} [${api.SpanKind[span.kind]}] span ${span.spanContext().spanId} parent ${parent}: ${JSON.stringify(span.attributes)}`)
    }
    done({ code: 0 })
  },
  shutdown: async () => {},
}

api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
api.propagation.setGlobalPropagator(new W3CTraceContextPropagator())
api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(oneLine)] }))

const client = new Client()
api.trace.getTracer('example').startActiveSpan('export-projects', async (span) => {
  let count = 0
  for await (const _ of client.projects.list({ pageSize: 100 })) count += 1
  span.end()
  console.log(`${count} projects`)
})
