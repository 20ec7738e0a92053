'use strict'
// The JavaScript face of the native core: error classes, iteration and AbortSignal wiring.
// Every decision (auth, retries, timeouts, redirects, errors, pagination) is made in Rust.

const util = require('node:util')
const native = require('./native.js')

// ---- errors ------------------------------------------------------------------------------

// The classes and the kind table are generated from the core's ErrorKind (errors.js).
const errors = require('./errors.js')
const { OcusError, APIError, AbortError } = errors
const CLASS_BY_KIND = Object.fromEntries(Object.values(errors).filter((c) => c.kind).map((c) => [c.kind, c]))

function isErrorData(value) {
  return value !== null && typeof value === 'object' && value.isOcusError === true
}

function toError(data) {
  const Class = CLASS_BY_KIND[data.kind] || (data.status != null ? APIError : OcusError)
  // The core's cause chain (outermost first) as nested `cause`s.
  const cause = (data.causes || []).reduceRight((inner, line) => new Error(line, inner === undefined ? undefined : { cause: inner }), undefined)
  return new Class(data.message, { ...data, cause })
}

/** Returns the value of a native outcome, or throws its error as the matching class. */
function unwrap(outcome) {
  if (isErrorData(outcome)) throw toError(outcome)
  return outcome
}

// ---- values ------------------------------------------------------------------------------

/** A project (JSON:API resource object). Nothing the server sent is dropped. */
class Project {
  #resource
  constructor(data) {
    this.#resource = data.resource
    this.id = data.resource.id
    this.type = data.resource.type
    this.status = data.status ?? null
    this.isKnownStatus = data.knownStatus
    this.attributes = data.resource.attributes || {}
  }
  /** The resource object as sent. */
  toJSON() {
    return this.#resource
  }
}

class Page {
  constructor(data) {
    this.data = data.data.map((p) => new Project(p))
    this.links = data.links
    this.meta = data.meta
    this.hasNext = data.hasNext
    this.nextUrl = data.nextUrl ?? null
  }
  [Symbol.iterator]() {
    return this.data[Symbol.iterator]()
  }
}

// ---- cancellation ------------------------------------------------------------------------

/** Runs `call(handle)` with a native cancellation handle tied to `signal` (if any). */
async function withSignal(signal, call) {
  if (signal == null) return call(null)
  if (signal.aborted) throw new AbortError('the request was aborted', { kind: 'cancelled', message: 'the request was aborted' })
  const handle = native.cancelHandleNew()
  const onAbort = () => native.cancelHandleCancel(handle)
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await call(handle)
  } finally {
    signal.removeEventListener('abort', onAbort)
    native.cancelHandleRelease(handle)
  }
}

function callOptions(options = {}) {
  return { timeoutMs: options.timeoutMs, maxRetries: options.maxRetries }
}

function listOptions(params = {}) {
  const extra = {}
  for (const [name, value] of Object.entries(params.params || {})) extra[name] = String(value)
  return {
    pageSize: params.pageSize,
    pageNumber: params.pageNumber,
    status: params.status,
    params: extra,
    timeoutMs: params.timeoutMs,
    maxRetries: params.maxRetries,
  }
}

// ---- resources ---------------------------------------------------------------------------

/** Every project across every page: `for await (const p of client.projects.list())`. */
class ProjectList {
  #client
  #params
  constructor(client, params) {
    this.#client = client
    this.#params = params
  }
  /** Every page, one request each. */
  async *pages() {
    const cursor = unwrap(this.#client.cursor(listOptions(this.#params)))
    for (;;) {
      const step = unwrap(await withSignal(this.#params.signal, (h) => cursor.nextPage(h)))
      if (step.done) return
      yield new Page(step.page)
    }
  }
  async *[Symbol.asyncIterator]() {
    for await (const page of this.pages()) yield* page.data
  }
}

class Projects {
  #client
  constructor(client) {
    this.#client = client
  }
  /** Iterates every project across pages (`for await`); `.pages()` iterates pages. */
  list(params = {}) {
    return new ProjectList(this.#client, params)
  }
  /** One page (the first, or `pageNumber`) with its links and meta. */
  async listPage(params = {}) {
    return new Page(unwrap(await withSignal(params.signal, (h) => this.#client.listPage(listOptions(params), h))))
  }
  /** One project by id. */
  async get(id, options = {}) {
    if (typeof id !== 'string') throw new TypeError('id must be a string')
    return new Project(unwrap(await withSignal(options.signal, (h) => this.#client.getProject(id, callOptions(options), h))))
  }
}

/** The OCUS API v3 client. Missing options come from OCUS_API_KEY / OCUS_API_KEY_FILE / OCUS_BASE_URL. */
class Client {
  #native
  constructor(options = {}) {
    this.#native = unwrap(
      native.createClient({
        apiKey: options.apiKey,
        apiKeyFile: options.apiKeyFile,
        baseUrl: options.baseUrl,
        timeoutMs: options.timeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
        maxRetries: options.maxRetries,
      }),
    )
    Object.defineProperty(this, 'projects', { value: new Projects(this.#native), enumerable: true })
  }
  get baseUrl() {
    return this.#native.baseUrl
  }
  get closed() {
    return this.#native.isClosed
  }
  /** Any v3 path, with the same auth, retries and errors; resolves to the decoded JSON. */
  async request(method, path, options = {}) {
    const query = {}
    for (const [name, value] of Object.entries(options.query || {})) query[name] = String(value)
    const args = {
      method,
      path,
      query,
      json: options.json,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      retryNonIdempotent: options.retryNonIdempotent,
    }
    return unwrap(await withSignal(options.signal, (h) => this.#native.request(args, h))).value
  }
  /** Replaces the key; requests in flight finish with the old one. */
  rotateApiKey(apiKey) {
    const error = this.#native.rotateApiKey(String(apiKey))
    if (error) throw toError(error)
  }
  /** Later calls fail with ConfigurationError. Idempotent. */
  close() {
    this.#native.close()
  }
  toJSON() {
    return { baseUrl: this.baseUrl }
  }
  [util.inspect.custom]() {
    return `Client { baseUrl: '${this.baseUrl}' }`
  }
}

// ---- webhooks ----------------------------------------------------------------------------

const webhooks = Object.freeze({
  SIGNATURE_HEADER: native.SIGNATURE_HEADER,
  /** Verifies `ocus-signature` over the raw body (Buffer or string) and returns the event. */
  verify(rawBody, signature, secret) {
    const event = unwrap(native.verifyWebhook(rawBody, signature ?? null, secret))
    return {
      id: event.id,
      type: event.type,
      organizationId: event.organizationId ?? null,
      projectId: event.projectId ?? null,
      status: event.status ?? null,
      attributes: event.attributes,
    }
  },
  /** The signature OCUS sends for `rawBody` (to test your own receiver). */
  sign(rawBody, secret) {
    return native.signWebhook(rawBody, secret)
  },
})

module.exports = {
  Client,
  Projects,
  ProjectList,
  Project,
  Page,
  webhooks,
  VERSION: native.VERSION,
}
Object.assign(module.exports, errors)
