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
  constructor(view) {
    this.#resource = view.resource
    this.id = view.resource.id
    this.type = view.resource.type
    this.status = view.status ?? null
    this.isKnownStatus = view.known_status
    this.attributes = view.resource.attributes || {}
  }
  /** The resource object as sent. */
  toJSON() {
    return this.#resource
  }
}

class Page {
  constructor(view) {
    this.data = view.data.map((p) => new Project(p))
    this.links = view.links
    this.meta = view.meta
    this.hasNext = view.has_next
    this.nextUrl = view.next_url ?? null
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
  const handle = new native.CancelHandle()
  const onAbort = () => handle.cancel()
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await call(handle)
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/** The options object without `signal`: the core parses, validates and rejects unknown names. */
function coreOptions(options) {
  const { signal, ...rest } = options ?? {}
  return rest
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
    const cursor = unwrap(this.#client.cursor(coreOptions(this.#params)))
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
    return new Page(unwrap(await withSignal(params.signal, (h) => this.#client.listPage(coreOptions(params), h))))
  }
  /** One project by id. */
  async get(id, options = {}) {
    if (typeof id !== 'string') throw new TypeError('id must be a string')
    return new Project(unwrap(await withSignal(options.signal, (h) => this.#client.getProject(id, coreOptions(options), h))))
  }
}

/** The OCUS API v3 client. Missing options come from OCUS_API_KEY / OCUS_API_KEY_FILE / OCUS_BASE_URL. */
class Client {
  #native
  constructor(options = {}) {
    this.#native = unwrap(native.createClient(options ?? {}))
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
    return unwrap(await withSignal(options.signal, (h) => this.#native.request(method, path, coreOptions(options), h))).value
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
      organizationId: event.organization_id,
      projectId: event.project_id,
      status: event.status,
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
