/// <reference types="node" preserve="true" />
// @ts-check
'use strict'
// The JavaScript face of the native core: error classes, iteration and AbortSignal wiring.
// Every decision (auth, retries, timeouts, redirects, errors, pagination) is made in Rust.
// The JSDoc types are the package's types: tsc checks this file against them and emits
// index.d.ts from them (`node scripts/types.js --write`; without --write it fails when stale).

const util = require('node:util')
const native = require('./native.js')

// ---- public types (each @typedef is an exported type of index.d.ts) -------------------------

/**
 * Any JSON value.
 * @typedef {null | boolean | number | string | JsonArray | { [key: string]: JsonValue }} JsonValue
 */
/**
 * A JSON array (an alias of its own: a JSDoc typedef cannot refer to itself inside `[]`).
 * @typedef {JsonValue[]} JsonArray
 */
/**
 * Statuses OCUS documents; others arrive as plain strings.
 * @typedef {'not_assigned' | 'assigned' | 'waiting_for_visuals' | 'pending_validation' | 'completed' | 'canceled' | 'archived'} KnownProjectStatus
 */
/**
 * Options of `new Client(...)`: what is not given comes from the environment (OCUS_API_KEY,
 * OCUS_API_KEY_FILE, OCUS_BASE_URL, OCUS_CA_BUNDLE, OCUS_LOG). Unknown names are a
 * ConfigurationError that suggests the closest one.
 * @typedef {object} ClientOptions
 * @property {string} [apiKey] Default: OCUS_API_KEY (or the file named by OCUS_API_KEY_FILE).
 * @property {string} [apiKeyFile] A file holding the key; re-read once on 401/403 so keys rotate without restart.
 * @property {string} [baseUrl] Default: OCUS_BASE_URL, else https://api.ocus.io/v3.
 * @property {string} [userAgent] Your application's product token, sent after the SDK's: `'billing/2.1'` sends `User-Agent: ocus-node/0.1.0 billing/2.1`.
 * @property {number} [timeoutMs] Per attempt, body included, in ms (positive). Default 60000.
 * @property {number} [connectTimeoutMs] In ms (positive). Default 10000.
 * @property {number} [maxRetries] Retries after the first attempt, 0 to 100. Default 2.
 * @property {number} [retryBudget] The client's retry budget in tokens (default 500): a retry takes 5 (10 after a timeout), a call that succeeds at once gives 1 back; when it is empty a failing call fails at once instead of retrying. 0 turns retries off.
 * @property {Record<string, string>} [defaultHeaders] Headers sent with every request (e.g. a tenant id). A `User-Agent` extends the SDK's; `X-API-KEY`, `Host` and `Content-Length` cannot be set this way; CR/LF in a value is refused.
 * @property {string} [proxy] An http(s) proxy URL (credentials in it if needed), used instead of HTTPS_PROXY / ALL_PROXY; NO_PROXY still applies. HTTPS goes through it in a CONNECT tunnel; the password is never printed.
 * @property {string | string[]} [caBundle] PEM file(s) of CA certificates trusted besides the system's (a private CA). Default: OCUS_CA_BUNDLE; NODE_EXTRA_CA_CERTS is added too, as Node's own TLS does.
 * @property {LogLevel} [logLevel] The events the client logs. Default: OCUS_LOG, else `'warn'`.
 * @property {Logger} [logger] Where they go: console or winston as they are; pino and bunyan take the fields first (`{ debug: (message, fields) => log.debug(fields, message), ... }`). Default: one line per event on stderr.
 */
/**
 * The least severe event a client logs (`'off'`: none).
 * @typedef {'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'} LogLevel
 */
/**
 * A logger: each method receives a message (`[ocus] request succeeded`) and an object of
 * fields (`method`, `path`, `status`, `kind`, `attempt`, `elapsed_ms`, `request_id`,
 * `wait_ms`, `error`): never the key, bodies or proxy credentials. `trace` events go to
 * `debug`.
 * @typedef {object} Logger
 * @property {(message: string, fields: Record<string, string | number>) => void} error Events at level error (none today: a failed call rejects its promise instead).
 * @property {(message: string, fields: Record<string, string | number>) => void} warn What the client could not do by itself (re-reading a changed API key file failed).
 * @property {(message: string, fields: Record<string, string | number>) => void} info What the client changed by itself (it read a changed API key file).
 * @property {(message: string, fields: Record<string, string | number>) => void} debug Each request and its outcome, each retry, a retry refused by an empty budget (and `trace` events).
 */
/**
 * Options of one call (`get`, `listPage`...): they override the client's for that call only.
 * @typedef {object} CallOptions
 * @property {number} [timeoutMs] This call's timeout per attempt, in ms (default: the client's).
 * @property {number} [maxRetries] This call's retries (default: the client's).
 * @property {Record<string, string>} [headers] Headers for this call (e.g. `traceparent`), on top of the client's `defaultHeaders`.
 * @property {AbortSignal} [signal] Aborting it cancels the request (the promise rejects with AbortError).
 */
/**
 * A query value: a string as is, a boolean as `true`/`false`, a number as JSON writes it, an
 * array as the name repeated once per item, `null`/`undefined` left out. Parameters are sent
 * sorted by name (the same URL in every language).
 * @typedef {string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>} QueryValue
 */
/**
 * The CallOptions and the listing's parameters.
 * @typedef {object} ListParams
 * @property {number} [timeoutMs] This call's timeout per attempt, in ms (default: the client's).
 * @property {number} [maxRetries] This call's retries (default: the client's).
 * @property {Record<string, string>} [headers] Headers for this call (e.g. `traceparent`), on top of the client's `defaultHeaders`.
 * @property {AbortSignal} [signal] Aborting it cancels the request (the promise rejects with AbortError).
 * @property {number} [pageSize] A whole number from 1 (0 and negatives are a ConfigurationError).
 * @property {number} [pageNumber] The page to fetch, from 1 (with `list`, where to start).
 * @property {KnownProjectStatus | (string & {})} [status] Only projects with this status (`filter[status]`).
 * @property {Record<string, QueryValue>} [params] Extra query parameters.
 */
/**
 * The CallOptions and the request's query and body.
 * @typedef {object} RequestOptions
 * @property {number} [timeoutMs] This call's timeout per attempt, in ms (default: the client's).
 * @property {number} [maxRetries] This call's retries (default: the client's).
 * @property {Record<string, string>} [headers] Headers for this call (e.g. `traceparent`), on top of the client's `defaultHeaders`.
 * @property {AbortSignal} [signal] Aborting it cancels the request (the promise rejects with AbortError).
 * @property {Record<string, QueryValue>} [query] Query parameters (sorted; lists repeat the name; null left out).
 * @property {JsonValue} [json] A JSON body.
 * @property {boolean} [retryNonIdempotent] Allow retrying a non-idempotent method (POST, PATCH). Default false.
 */
/**
 * What `.withResponse()` resolves to: the result and the HTTP response it came in.
 * @template T
 * @typedef {object} WithResponse
 * @property {T} data The result, as the call resolves to it.
 * @property {ResponseInfo} response The HTTP response it came in.
 */
/**
 * A project as the API sends it (a JSON:API resource object); members beyond these are kept.
 * @typedef {object} ProjectResource
 * @property {string} id The project's id (a UUID).
 * @property {string} type The resource type, `'project'`.
 * @property {Record<string, JsonValue>} attributes Every attribute as sent.
 */
/**
 * What `JSON.stringify(client)` writes.
 * @typedef {object} ClientSummary
 * @property {string} baseUrl The API base URL (never the key).
 */
/**
 * A verified webhook event.
 * @typedef {object} WebhookEvent
 * @property {'project.updated' | 'project.status.updated' | (string & {})} id What happened (the event's name).
 * @property {string} type The resource type, `'event'`.
 * @property {string | null} organizationId `attributes.organization_id`, if sent.
 * @property {string | null} projectId `attributes.project_id`, if sent.
 * @property {string | null} status `attributes.status` (the project's new status), if sent.
 * @property {Record<string, JsonValue>} attributes Every attribute as sent.
 * @property {SignedPart} signedPart What the signature covered: `'body'` (the raw body) or `'data'` (its `data` member); the event holds only what it covers.
 */
/**
 * The part of a webhook body a signature covers: the raw body, or its `data` member as
 * `JSON.stringify` writes it (OCUS documents both).
 * @typedef {'body' | 'data'} SignedPart
 */

// ---- errors ------------------------------------------------------------------------------

// The classes and the kind table are generated from the core's ErrorKind (errors.js).
const errors = require('./errors.js')
const { OcusError, AbortError } = errors
/** @type {Record<string, typeof OcusError>} */
const CLASS_BY_KIND = Object.fromEntries(/** @type {Array<typeof OcusError & { kind?: string }>} */ (Object.values(errors)).filter((c) => c.kind).map((c) => [c.kind, c]))

/**
 * @param {unknown} value
 * @returns {value is { kind: string, kinds: string[], message: string, status?: number | null, causes?: string[] }}
 */
function isErrorData(value) {
  return value !== null && typeof value === 'object' && /** @type {{ isOcusError?: unknown }} */ (value).isOcusError === true
}

/** @param {{ kind: string, kinds: string[], message: string, status?: number | null, causes?: string[] }} data */
function toError(data) {
  // The class of the first of the core's kinds (the kind, then those it refines) known here.
  const Class = data.kinds.map((kind) => CLASS_BY_KIND[kind]).find(Boolean) || OcusError
  // The core's cause chain (outermost first) as nested `cause`s.
  const cause = (data.causes || []).reduceRight((inner, line) => new Error(line, inner === undefined ? undefined : { cause: inner }), /** @type {Error | undefined} */ (undefined))
  return new Class(data.message, { ...data, cause })
}

// ---- the crossing: started calls settle here, a batch per wake-up ---------------------------

/** What each started call's promise resolves with, by ticket. */
const waiting = /** @type {Map<number, (outcome: any) => void>} */ (new Map())

// One per JS environment (a worker thread loads its own): the core wakes it once for every
// batch of finished calls, which arrive as one JSON text.
const crossing = new native.Crossing(() => {
  for (const [ticket, outcome] of JSON.parse(crossing.drain())) {
    const settle = waiting.get(ticket)
    waiting.delete(ticket)
    if (settle !== undefined) settle(outcome)
  }
})

/**
 * The outcome of a started call (its ticket, or the error that kept it from starting).
 * @param {any} ticket
 * @returns {Promise<any>}
 */
function started(ticket) {
  return new Promise((resolve) => waiting.set(unwrap(ticket), resolve))
}

/**
 * Returns the value of a native outcome, or throws its error as the matching class.
 * @param {any} outcome
 * @returns {any}
 */
function unwrap(outcome) {
  if (isErrorData(outcome)) throw toError(outcome)
  return outcome
}

// ---- values ------------------------------------------------------------------------------

/** The HTTP response a successful call's result arrived in (see `.withResponse()`). */
class ResponseInfo {
  /**
   * Made by the client from the core's view of a response (not by user code).
   * @param {{ status: number, request_id?: string | null, url: string, attempts: number, headers: Record<string, string> }} view
   */
  constructor(view) {
    /**
     * The HTTP status.
     * @readonly
     */
    this.status = view.status
    /**
     * `X-Request-Id`, the id OCUS support asks for.
     * @readonly
     * @type {string | null}
     */
    this.requestId = view.request_id ?? null
    /**
     * The URL that answered (after same-origin redirects).
     * @readonly
     */
    this.url = view.url
    /**
     * Attempts made, the successful one included.
     * @readonly
     */
    this.attempts = view.attempts
    /**
     * The response headers (a repeated header's values joined with `, `).
     * @readonly
     * @type {Headers}
     */
    this.headers = new Headers(view.headers)
  }
}

/**
 * The promise every call returns: await it for the result, or call `.withResponse()` for
 * `{ data, response }` with the status, headers and request id.
 * @template T
 * @extends {Promise<T>}
 */
class APIPromise extends Promise {
  /** @type {Promise<{ data: T, response: string }>} */
  #settled
  /** @type {Promise<T> | undefined} */
  #data
  /** @type {Promise<WithResponse<T>> | undefined} */
  #withResponse
  /**
   * Made by the client (not by user code).
   * @param {Promise<{ data: T, response: string }>} settled The result and its response's view as JSON text.
   */
  constructor(settled) {
    // The executor is unused: `then` reads `settled`, so the base promise only gives
    // `instanceof Promise` and the await protocol.
    super((resolve) => resolve(/** @type {T} */ (/** @type {unknown} */ (undefined))))
    this.#settled = settled
  }
  /**
   * The result and the HTTP response it came in (the same call: no second request).
   * @returns {Promise<WithResponse<T>>}
   */
  withResponse() {
    if (this.#withResponse === undefined) this.#withResponse = this.#settled.then((r) => ({ data: r.data, response: new ResponseInfo(JSON.parse(r.response)) }))
    return this.#withResponse
  }
  /** @returns {Promise<T>} */
  #value() {
    if (this.#data === undefined) this.#data = this.#settled.then((r) => r.data)
    return this.#data
  }
  /**
   * @template [R1=T]
   * @template [R2=never]
   * @param {((value: T) => R1 | PromiseLike<R1>) | null} [onfulfilled]
   * @param {((reason: any) => R2 | PromiseLike<R2>) | null} [onrejected]
   * @returns {Promise<R1 | R2>}
   */
  then(onfulfilled, onrejected) {
    return this.#value().then(onfulfilled, onrejected)
  }
  /**
   * @template [R=never]
   * @param {((reason: any) => R | PromiseLike<R>) | null} [onrejected]
   * @returns {Promise<T | R>}
   */
  catch(onrejected) {
    return this.#value().catch(onrejected)
  }
  /**
   * @param {(() => void) | null} [onfinally]
   * @returns {Promise<T>}
   */
  finally(onfinally) {
    return this.#value().finally(onfinally)
  }
  // Derived promises (`.then` results) are plain Promises, and so are those the statics
  // make (`APIPromise.all(...)` is `Promise.all(...)`): only the client makes an APIPromise.
  static get [Symbol.species]() {
    return Promise
  }
}

// The statics a subclass inherits would call the constructor with an executor; they are
// Promise's own (their types already say they return a Promise).
for (const name of /** @type {const} */ (['resolve', 'reject', 'all', 'allSettled', 'any', 'race'])) {
  Object.defineProperty(APIPromise, name, { value: Promise[name].bind(Promise), writable: true, configurable: true })
}

/**
 * Starts a native call answering `{ value, response }` (the response as JSON text).
 * @template T
 * @param {Promise<any>} call
 * @param {(value: any) => T} data
 * @returns {APIPromise<T>}
 */
function withResponse(call, data) {
  return new APIPromise(
    call.then((outcome) => {
      const result = unwrap(outcome)
      return { data: data(result.value), response: result.response }
    }),
  )
}

/** A project (JSON:API resource object). Nothing the server sent is dropped. */
class Project {
  /** @type {{ id: string, type: string, attributes: Record<string, JsonValue>, [member: string]: JsonValue }} */
  #resource
  /**
   * Made by the client from the core's view of a project (not by user code).
   * @param {{ resource: { id: string, type: string, attributes: Record<string, JsonValue>, [member: string]: JsonValue }, status?: string | null, known_status: boolean }} view
   */
  constructor(view) {
    this.#resource = view.resource
    /**
     * The project's id (a UUID).
     * @readonly
     */
    this.id = view.resource.id
    /**
     * The resource type, `'project'`.
     * @readonly
     */
    this.type = view.resource.type
    /**
     * `attributes.status`, or null.
     * @readonly
     * @type {KnownProjectStatus | (string & {}) | null}
     */
    this.status = view.status ?? null
    /**
     * Whether `status` is one of the KnownProjectStatus.
     * @readonly
     */
    this.isKnownStatus = view.known_status
    /**
     * Every attribute as sent.
     * @readonly
     * @type {Record<string, JsonValue>}
     */
    this.attributes = view.resource.attributes || {}
  }
  /**
   * The resource object as sent.
   * @returns {ProjectResource & { [member: string]: JsonValue }}
   */
  toJSON() {
    return this.#resource
  }
}

/** One page of projects with its links and meta; iterating it yields its projects. */
class Page {
  /**
   * Made by the client from the core's view of a page (not by user code).
   * @param {{ data: ConstructorParameters<typeof Project>[0][], links: Record<string, JsonValue>, meta: Record<string, JsonValue>, has_next: boolean, next_url?: string | null }} view
   */
  constructor(view) {
    /**
     * The projects of this page.
     * @readonly
     */
    this.data = view.data.map((p) => new Project(p))
    /**
     * `self` and `next` links as sent.
     * @readonly
     */
    this.links = view.links
    /**
     * `total`, `page`, `page_size`, `pages` as sent.
     * @readonly
     */
    this.meta = view.meta
    /**
     * Whether a next page exists.
     * @readonly
     */
    this.hasNext = view.has_next
    /**
     * The next page's URL, or null.
     * @readonly
     */
    this.nextUrl = view.next_url ?? null
  }
  /** @returns {Iterator<Project>} */
  [Symbol.iterator]() {
    return this.data[Symbol.iterator]()
  }
}

// ---- cancellation ------------------------------------------------------------------------

/**
 * Runs `call(handle)` with a native cancellation handle tied to `signal` (if any).
 * @template T
 * @param {AbortSignal | null | undefined} signal
 * @param {(handle: any) => Promise<T>} call
 * @returns {Promise<T>}
 */
function withSignal(signal, call) {
  if (signal != null) return withAbortSignal(signal, call)
  try {
    return call(null) // no extra promise on the common path
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * @template T
 * @param {AbortSignal} signal
 * @param {(handle: any) => Promise<T>} call
 * @returns {Promise<T>}
 */
async function withAbortSignal(signal, call) {
  // (The cast: errors.d.ts declares the constructor Error has, not OcusError's `fields`.)
  if (signal.aborted) throw new AbortError('the request was aborted', /** @type {ErrorOptions} */ ({ kind: 'cancelled', message: 'the request was aborted' }))
  const handle = new native.CancelHandle()
  const onAbort = () => handle.cancel()
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    return await call(handle)
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

/**
 * The options object without `signal`: the core parses, validates and rejects unknown names.
 * @param {CallOptions | undefined} options
 */
function coreOptions(options) {
  const { signal, ...rest } = options ?? {}
  return rest
}

// ---- resources ---------------------------------------------------------------------------

/**
 * Every project across every page: `for await (const p of client.projects.list())`.
 * @implements {AsyncIterable<Project>}
 */
class ProjectList {
  /** @type {any} */
  #client
  /** @type {ListParams} */
  #params
  /**
   * Made by `client.projects.list()` (not by user code).
   * @param {any} client
   * @param {ListParams} params
   */
  constructor(client, params) {
    this.#client = client
    this.#params = params
  }
  /**
   * Every page, one request each.
   * @returns {AsyncGenerator<Page, void, undefined>}
   */
  async *pages() {
    const cursor = unwrap(this.#client.cursor(coreOptions(this.#params)))
    for (;;) {
      const step = unwrap(await withSignal(this.#params.signal, (h) => started(cursor.startNextPage(h))))
      if (step.done) return
      yield new Page(step.page)
    }
  }
  /** @returns {AsyncGenerator<Project, void, undefined>} */
  async *[Symbol.asyncIterator]() {
    for await (const page of this.pages()) yield* page.data
  }
}

/** `client.projects`. */
class Projects {
  /** @type {any} */
  #client
  /**
   * Made by the Client (not by user code).
   * @param {any} client
   */
  constructor(client) {
    this.#client = client
  }
  /**
   * Every project across every page: `for await (const p of client.projects.list())`;
   * `.pages()` iterates the pages.
   * @param {ListParams} [params]
   * @returns {ProjectList}
   */
  list(params = {}) {
    return new ProjectList(this.#client, params)
  }
  /**
   * One page (the first, or `pageNumber`) with its links and meta.
   * @param {ListParams} [params]
   * @returns {APIPromise<Page>}
   */
  listPage(params = {}) {
    const given = params ?? {}
    return withResponse(withSignal(given.signal, (h) => started(this.#client.startListPage(coreOptions(given), h))), (view) => new Page(view))
  }
  /**
   * One project by id.
   * @param {string} id
   * @param {CallOptions} [options]
   * @returns {APIPromise<Project>}
   */
  get(id, options = {}) {
    if (typeof id !== 'string') return new APIPromise(Promise.reject(new TypeError('id must be a string')))
    const given = options ?? {}
    return withResponse(withSignal(given.signal, (h) => started(this.#client.startGetProject(id, coreOptions(given), h))), (view) => new Project(view))
  }
}

/**
 * The default logger: one line per event on stderr (console.debug and console.info would
 * write to stdout, which may be a program's output).
 * @type {Logger}
 */
const stderrLogger = Object.freeze({
  error: (message, fields) => console.error(message, util.inspect(fields, { breakLength: Infinity })),
  warn: (message, fields) => console.error(message, util.inspect(fields, { breakLength: Infinity })),
  info: (message, fields) => console.error(message, util.inspect(fields, { breakLength: Infinity })),
  debug: (message, fields) => console.error(message, util.inspect(fields, { breakLength: Infinity })),
})

/**
 * The function the native client calls with each log event it lets through.
 * @param {Logger} logger
 * @returns {(event: { level: string, message: string, [field: string]: string | number }) => void}
 */
function logTo(logger) {
  return ({ level, message, ...fields }) => {
    const method = level === 'trace' ? 'debug' : /** @type {keyof Logger} */ (level)
    try {
      logger[method](`[ocus] ${message}`, fields)
    } catch {
      // A failing logger must not turn into an uncaught exception far from any call.
    }
  }
}

/** The OCUS API v3 client. Missing options come from OCUS_API_KEY / OCUS_API_KEY_FILE / OCUS_BASE_URL / OCUS_CA_BUNDLE / OCUS_LOG. */
class Client {
  /** @type {any} */
  #native
  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    const { logger = stderrLogger, ...rest } = options ?? {}
    if (typeof logger !== 'object' || logger === null || !['error', 'warn', 'info', 'debug'].every((m) => typeof (/** @type {any} */ (logger))[m] === 'function')) {
      throw new TypeError('logger must have error, warn, info and debug methods (console, pino and winston do)')
    }
    this.#native = unwrap(native.createClient(rest, logTo(logger), crossing))
    /**
     * The projects resource.
     * @readonly
     * @type {Projects}
     */
    this.projects // (declares the property for tsc; defined read-only below)
    Object.defineProperty(this, 'projects', { value: new Projects(this.#native), enumerable: true })
  }
  /**
   * The base URL the paths are relative to.
   * @returns {string}
   */
  get baseUrl() {
    return this.#native.baseUrl
  }
  /**
   * Whether close() was called.
   * @returns {boolean}
   */
  get closed() {
    return this.#native.isClosed
  }
  /**
   * Any v3 path, with the same auth, retries and errors; resolves to the decoded JSON.
   * @template [T=JsonValue]
   * @param {string} method
   * @param {string} path
   * @param {RequestOptions} [options]
   * @returns {APIPromise<T>}
   */
  request(method, path, options = {}) {
    const given = options ?? {}
    return withResponse(withSignal(given.signal, (h) => started(this.#native.startRequest(method, path, coreOptions(given), h))), (value) => value)
  }
  /**
   * Replaces the key; requests in flight finish with the old one.
   * @param {string} apiKey
   */
  rotateApiKey(apiKey) {
    const error = this.#native.rotateApiKey(String(apiKey))
    if (error) throw toError(error)
  }
  /**
   * Later calls fail with ConfigurationError. Idempotent.
   */
  close() {
    this.#native.close()
  }
  /**
   * What `JSON.stringify(client)` writes: the base URL, never the key.
   * @returns {ClientSummary}
   */
  toJSON() {
    return { baseUrl: this.baseUrl }
  }
  /**
   * For `util.inspect` and `console.log`.
   * @private
   * @returns {string}
   */
  [util.inspect.custom]() {
    return `Client { baseUrl: '${this.baseUrl}' }`
  }
}

// ---- webhooks ----------------------------------------------------------------------------

/** Webhook signatures: verify a delivery, or sign a test one. */
const webhooks = Object.freeze({
  /** The name of the header OCUS sends the signature in. */
  SIGNATURE_HEADER: /** @type {'ocus-signature'} */ (native.SIGNATURE_HEADER),
  /**
   * Verifies `ocus-signature` in constant time against the raw body (Buffer or string, as
   * received) and against its `data` member, and returns the event (the body, or its `data`
   * object). OCUS sends no timestamp: de-duplicate events yourself.
   * @param {Buffer | string} rawBody
   * @param {string | string[] | null | undefined} signature The header as Node gives it (`req.headers['ocus-signature']`).
   * @param {string | Buffer} secret
   * @returns {WebhookEvent}
   */
  verify(rawBody, signature, secret) {
    const header = Array.isArray(signature) ? signature.join(', ') : signature
    const event = unwrap(native.verifyWebhook(rawBody, header ?? null, secret))
    return {
      id: event.id,
      type: event.type,
      organizationId: event.organization_id,
      projectId: event.project_id,
      status: event.status,
      attributes: event.attributes,
      signedPart: event.signed_part,
    }
  },
  /**
   * The signature OCUS sends for `rawBody` (to test your own receiver): over the raw body, or
   * with `{ part: 'data' }` over its `data` member as `JSON.stringify` writes it (a
   * DecodeError if the body has none).
   * @param {Buffer | string} rawBody
   * @param {string | Buffer} secret
   * @param {{ part?: SignedPart }} [options]
   * @returns {string}
   */
  sign(rawBody, secret, options) {
    return unwrap(native.signWebhook(rawBody, secret, options?.part ?? 'body'))
  },
})

/** The version of the package (and of its native core). */
const VERSION = /** @type {string} */ (native.VERSION)

module.exports = {
  Client,
  Projects,
  ProjectList,
  Project,
  Page,
  ResponseInfo,
  APIPromise,
  webhooks,
  VERSION,
}
Object.assign(module.exports, errors)
