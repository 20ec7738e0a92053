'use strict'
// OpenTelemetry for ocus calls. The core describes each call (the operation, each HTTP
// attempt, their outcomes) with the span names, attributes and error types of the
// OpenTelemetry semantic conventions for HTTP clients; this file only hands that to
// `@opentelemetry/api` (an optional peer dependency): spans under the context active where the
// call is made, the propagation headers of each attempt's span, the
// `http.client.request.duration` histogram. With no tracer or meter provider registered,
// calls are not traced at all.

const native = require('./native.js')

/** @type {any} */
let api = null
try {
  api = require('@opentelemetry/api')
} catch {
  // not installed: nothing is traced
}

const names = native.telemetryNames()
/** The tracer provider the API returns while none is registered. */
const noopTracerProvider = api && new api.ProxyTracerProvider().getDelegate()
/** @type {any} */
let instruments = null

function tracerAndHistogram() {
  if (instruments === null) {
    const version = require('./package.json').version
    const meter = api.metrics.getMeter(names.instrumentationName, version)
    instruments = {
      tracer: api.trace.getTracer(names.instrumentationName, version),
      histogram: meter.createHistogram(names.durationMetric, {
        unit: names.durationUnit,
        description: names.durationDescription,
        advice: { explicitBucketBoundaries: names.durationBuckets },
      }),
    }
  }
  return instruments
}

/** Whether the application registered a tracer or meter provider. */
function configured() {
  const provider = api.trace.getTracerProvider()
  const tracing = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider
  if (tracing !== noopTracerProvider) return true
  return api.metrics.getMeterProvider()?.constructor?.name !== 'NoopMeterProvider'
}

/**
 * An event's time (Unix nanoseconds) as the API takes it: milliseconds since the epoch.
 * @param {number} nanos
 */
function millis(nanos) {
  return nanos / 1e6
}

/** @param {Array<[string, string | number]>} pairs */
function attributes(pairs) {
  return Object.fromEntries(pairs)
}

/** One call's spans (or a cursor's pages, one after the other). */
class CallTrace {
  constructor() {
    /** The context active where the call was made: the parent of its spans. */
    this.parent = api.context.active()
    /** @type {any} */
    this.operation = null
    this.operationContext = this.parent
    /** @type {any} */
    this.attempt = null
    this.native = new native.NativeTrace((/** @type {string} */ events) => this.replay(events))
  }

  /**
   * Replays the core's events in order; returns the headers of the attempt that started.
   * @param {string} events
   * @returns {string[][]}
   */
  replay(events) {
    /** @type {string[][]} */
    let headers = []
    try {
      for (const event of JSON.parse(events)) headers = this.apply(event) ?? headers
    } catch (error) {
      api.diag.error('ocus: OpenTelemetry', error)
    }
    return headers
  }

  /** The events left once the call's outcome arrived (its spans end here). */
  finish() {
    this.replay(this.native.take())
  }

  /**
   * @param {any} event
   * @returns {string[][] | undefined}
   */
  apply(event) {
    const { tracer, histogram } = tracerAndHistogram()
    switch (event.event) {
      case 'operation_started':
        this.operation = tracer.startSpan(event.name, { kind: api.SpanKind.INTERNAL, attributes: attributes(event.attributes), startTime: millis(event.time) }, this.parent)
        this.operationContext = api.trace.setSpan(this.parent, this.operation)
        return undefined
      case 'attempt_started': {
        this.attempt = tracer.startSpan(event.name, { kind: api.SpanKind.CLIENT, attributes: attributes(event.attributes), startTime: millis(event.time) }, this.operationContext)
        /** @type {Record<string, string>} */
        const carrier = {}
        api.propagation.inject(api.trace.setSpan(this.parent, this.attempt), carrier)
        return Object.entries(carrier)
      }
      case 'attempt_ended': {
        const span = this.attempt
        this.attempt = null
        if (span !== null) {
          span.setAttributes(attributes(event.attributes))
          if (event.error !== null) span.setStatus({ code: api.SpanStatusCode.ERROR })
          span.end(millis(event.time))
        }
        histogram.record(event.duration, attributes(event.metric_attributes))
        return undefined
      }
      case 'operation_ended': {
        const span = this.operation
        this.operation = null
        this.operationContext = this.parent
        if (span !== null) {
          span.setAttributes(attributes(event.attributes))
          if (event.error !== null) span.setStatus({ code: api.SpanStatusCode.ERROR, message: event.error })
          span.end(millis(event.time))
        }
        return undefined
      }
      default:
        return undefined
    }
  }
}

/**
 * A trace for a call made now, or null when nothing would record it.
 * @returns {CallTrace | null}
 */
function begin() {
  if (api === null || !configured()) return null
  return new CallTrace()
}

module.exports = { begin }
