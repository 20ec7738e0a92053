// Emitted by tsc from the JSDoc types of index.js: do not edit by hand. Edit index.js and run
// `node scripts/types.js --write` (`node scripts/types.js`, run by the tests, fails when this
// file is stale). The script adds this comment and the `export *` of the generated error
// classes, which index.js copies onto module.exports where tsc does not see them.
/// <reference types="node" preserve="true" />
export * from "./errors";
/**
 * Any JSON value.
 */
export type JsonValue = null | boolean | number | string | JsonArray | {
    [key: string]: JsonValue;
};
/**
 * A JSON array (an alias of its own: a JSDoc typedef cannot refer to itself inside `[]`).
 */
export type JsonArray = JsonValue[];
/**
 * Statuses OCUS documents; others arrive as plain strings.
 */
export type KnownProjectStatus = "not_assigned" | "assigned" | "waiting_for_visuals" | "pending_validation" | "completed" | "canceled" | "archived";
/**
 * Options of `new Client(...)`: what is not given comes from the environment, then the
 * default. Unknown names are a ConfigurationError that suggests the closest one.
 */
export type ClientOptions = {
    /**
     * The API key. It is checked before anything is sent, sent only to the base URL's origin, and never printed. Default: OCUS_API_KEY.
     */
    apiKey?: string | undefined;
    /**
     * A file holding the API key, read again once on 401 or 403 so a key rotates without a restart. Default: OCUS_API_KEY_FILE.
     */
    apiKeyFile?: string | undefined;
    /**
     * The API base URL: https://, or http:// to a loopback host only. Default: OCUS_BASE_URL, else https://api.ocus.io/v3.
     */
    baseUrl?: string | undefined;
    /**
     * In milliseconds. The time allowed for each attempt, the response body included (each retry gets it again). Positive. Default: 60000.
     */
    timeoutMs?: number | undefined;
    /**
     * In milliseconds. The time allowed to open a connection. Positive. Default: 10000.
     */
    connectTimeoutMs?: number | undefined;
    /**
     * Retries after the first attempt (0 to 100) of a connection error, a timeout, 408, 429 or a 5xx, for idempotent methods. Default: 2.
     */
    maxRetries?: number | undefined;
    /**
     * The client's retry budget in tokens (0 to 1000000): a retry takes 5 (10 after a timeout), a call that succeeds at once gives 1 back, and while it is empty a failing call fails at once instead of retrying. 0 turns retries off. Default: 500.
     */
    retryBudget?: number | undefined;
    /**
     * PEM file(s) of CA certificates trusted besides the system's (a private CA). NODE_EXTRA_CA_CERTS is added too, as Node's own TLS does. Default: OCUS_CA_BUNDLE.
     */
    caBundle?: string | string[] | undefined;
    /**
     * An http(s) proxy URL, credentials in it if needed, used instead of HTTPS_PROXY / ALL_PROXY (NO_PROXY still applies). HTTPS goes through it in a CONNECT tunnel; the password is never printed.
     */
    proxy?: string | undefined;
    /**
     * Headers sent with every request (a tenant id). A User-Agent extends the SDK's; X-API-KEY, Host, Content-Length and the other headers the client sets cannot be set this way; CR or LF in a value is refused.
     */
    defaultHeaders?: Record<string, string> | undefined;
    /**
     * Your application's product token ("billing/2.1"), sent in User-Agent after the SDK's own.
     */
    userAgent?: string | undefined;
    /**
     * The least severe event the client logs: off, error, warn, info, debug, trace (off: none). Never the key, bodies or proxy credentials. Default: OCUS_LOG, else warn.
     */
    logLevel?: LogLevel | undefined;
    /**
     * In milliseconds. How long an unused pooled connection stays open: it closes between this long and three times this after its last use. Positive. Default: 60000.
     */
    idleTimeoutMs?: number | undefined;
    /**
     * Request headers recorded on each traced attempt's span (OpenTelemetry's http.request.header.<name>), by name (any case, no patterns). None is recorded unless listed; x-api-key cannot be (from the environment, a name that cannot be recorded is skipped with a warning); an empty list records none. Default: OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST.
     */
    captureRequestHeaders?: string[] | undefined;
    /**
     * Response headers recorded on each traced attempt's span (http.response.header.<name>), by name, any case. Default: OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE.
     */
    captureResponseHeaders?: string[] | undefined;
    /**
     * Where events go: console or winston as they are; pino and bunyan take the fields first (`{ debug: (message, fields) => log.debug(fields, message), ... }`). Default: one line per event on stderr.
     */
    logger?: Logger | undefined;
};
/**
 * The least severe event a client logs (`'off'`: none).
 */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug" | "trace";
/**
 * A logger: each method receives a message (`[ocus] request succeeded`) and an object of
 * fields (`method`, `path`, `status`, `kind`, `attempt`, `elapsed_ms`, `request_id`,
 * `wait_ms`, `error`): never the key, bodies or proxy credentials. `trace` events go to
 * `debug`.
 */
export type Logger = {
    /**
     * Events at level error (none today: a failed call rejects its promise instead).
     */
    error: (message: string, fields: Record<string, string | number>) => void;
    /**
     * What the client could not do by itself (re-reading a changed API key file failed).
     */
    warn: (message: string, fields: Record<string, string | number>) => void;
    /**
     * What the client changed by itself (it read a changed API key file).
     */
    info: (message: string, fields: Record<string, string | number>) => void;
    /**
     * Each request and its outcome, each retry, a retry refused by an empty budget (and `trace` events).
     */
    debug: (message: string, fields: Record<string, string | number>) => void;
};
/**
 * Options of one call (`get`, `listPage`...): they override the client's for that call only.
 */
export type CallOptions = {
    /**
     * Headers for this call (traceparent), after the client's default headers, under the same rules.
     */
    headers?: Record<string, string> | undefined;
    /**
     * In milliseconds. The time allowed for each attempt, the response body included (each retry gets it again). Positive. Default: the client's.
     */
    timeoutMs?: number | undefined;
    /**
     * Retries after the first attempt (0 to 100) of a connection error, a timeout, 408, 429 or a 5xx, for idempotent methods. Default: the client's.
     */
    maxRetries?: number | undefined;
    /**
     * Aborting it cancels the request (the promise rejects with AbortError).
     */
    signal?: AbortSignal | undefined;
};
/**
 * A query value: a string as is, a boolean as `true`/`false`, a number as JSON writes it, an
 * array as the name repeated once per item, `null`/`undefined` left out. Parameters are sent
 * sorted by name (the same URL in every language).
 */
export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;
/**
 * The CallOptions and the listing's parameters.
 */
export type ListParams = {
    /**
     * Projects per page (from 1); the server's default when not given.
     */
    pageSize?: number | undefined;
    /**
     * The page to fetch (from 1); where listing every page starts.
     */
    pageNumber?: number | undefined;
    /**
     * Only projects with this status (filter[status]); a status this version does not know is sent as given.
     */
    status?: (string & {}) | KnownProjectStatus | undefined;
    /**
     * Query parameters: a string as is, a boolean as true/false, a number as JSON writes it, a list as the name repeated, null left out; sent sorted by name.
     */
    params?: Record<string, QueryValue> | undefined;
    /**
     * Headers for this call (traceparent), after the client's default headers, under the same rules.
     */
    headers?: Record<string, string> | undefined;
    /**
     * In milliseconds. The time allowed for each attempt, the response body included (each retry gets it again). Positive. Default: the client's.
     */
    timeoutMs?: number | undefined;
    /**
     * Retries after the first attempt (0 to 100) of a connection error, a timeout, 408, 429 or a 5xx, for idempotent methods. Default: the client's.
     */
    maxRetries?: number | undefined;
    /**
     * Aborting it cancels the request (the promise rejects with AbortError).
     */
    signal?: AbortSignal | undefined;
};
/**
 * The CallOptions and the request's query and body.
 */
export type RequestOptions = {
    /**
     * The request body, sent as JSON.
     */
    json?: JsonValue | undefined;
    /**
     * Retry a non-idempotent method (POST, PATCH) too. Off because the server might act twice. Default: false.
     */
    retryNonIdempotent?: boolean | undefined;
    /**
     * Query parameters: a string as is, a boolean as true/false, a number as JSON writes it, a list as the name repeated, null left out; sent sorted by name.
     */
    query?: Record<string, QueryValue> | undefined;
    /**
     * Headers for this call (traceparent), after the client's default headers, under the same rules.
     */
    headers?: Record<string, string> | undefined;
    /**
     * In milliseconds. The time allowed for each attempt, the response body included (each retry gets it again). Positive. Default: the client's.
     */
    timeoutMs?: number | undefined;
    /**
     * Retries after the first attempt (0 to 100) of a connection error, a timeout, 408, 429 or a 5xx, for idempotent methods. Default: the client's.
     */
    maxRetries?: number | undefined;
    /**
     * Aborting it cancels the request (the promise rejects with AbortError).
     */
    signal?: AbortSignal | undefined;
};
/**
 * What `.withResponse()` resolves to: the result and the HTTP response it came in.
 */
export type WithResponse<T> = {
    /**
     * The result, as the call resolves to it.
     */
    data: T;
    /**
     * The HTTP response it came in.
     */
    response: ResponseInfo;
};
/**
 * A project as the API sends it (a JSON:API resource object); members beyond these are kept.
 */
export type ProjectResource = {
    /**
     * The project's id (a UUID).
     */
    id: string;
    /**
     * The resource type, `'project'`.
     */
    type: string;
    /**
     * Every attribute as sent.
     */
    attributes: Record<string, JsonValue>;
};
/**
 * What `JSON.stringify(client)` writes.
 */
export type ClientSummary = {
    /**
     * The API base URL (never the key).
     */
    baseUrl: string;
};
/**
 * A verified webhook event.
 */
export type WebhookEvent = {
    /**
     * What happened (the event's name).
     */
    id: "project.updated" | "project.status.updated" | (string & {});
    /**
     * The resource type, `'event'`.
     */
    type: string;
    /**
     * `attributes.organization_id`, if sent.
     */
    organizationId: string | null;
    /**
     * `attributes.project_id`, if sent.
     */
    projectId: string | null;
    /**
     * `attributes.status` (the project's new status), if sent.
     */
    status: string | null;
    /**
     * Every attribute as sent.
     */
    attributes: Record<string, JsonValue>;
    /**
     * What the signature covered: `'body'` (the raw body) or `'data'` (its `data` member); the event holds only what it covers.
     */
    signedPart: SignedPart;
};
/**
 * The part of a webhook body a signature covers: the raw body, or its `data` member as
 * `JSON.stringify` writes it (OCUS documents both).
 */
export type SignedPart = "body" | "data";
/** The OCUS API v3 client. Missing options come from OCUS_API_KEY / OCUS_API_KEY_FILE / OCUS_BASE_URL / OCUS_CA_BUNDLE / OCUS_LOG. */
export class Client {
    /** @param {ClientOptions} [options] */
    constructor(options?: ClientOptions);
    /**
     * The projects resource.
     * @readonly
     * @type {Projects}
     */
    readonly projects: Projects;
    /**
     * The base URL the paths are relative to.
     * @returns {string}
     */
    get baseUrl(): string;
    /**
     * Whether close() was called.
     * @returns {boolean}
     */
    get closed(): boolean;
    /**
     * Any v3 path, with the same auth, retries and errors; resolves to the decoded JSON.
     * @template [T=JsonValue]
     * @param {string} method
     * @param {string} path
     * @param {RequestOptions} [options]
     * @returns {APIPromise<T>}
     */
    request<T = JsonValue>(method: string, path: string, options?: RequestOptions): APIPromise<T>;
    /**
     * Replaces the key; requests in flight finish with the old one.
     * @param {string} apiKey
     */
    rotateApiKey(apiKey: string): void;
    /**
     * Later calls fail with ConfigurationError. Idempotent.
     */
    close(): void;
    /**
     * What `JSON.stringify(client)` writes: the base URL, never the key.
     * @returns {ClientSummary}
     */
    toJSON(): ClientSummary;
    /**
     * For `util.inspect` and `console.log`.
     * @private
     * @returns {string}
     */
    private [util.inspect.custom];
    #private;
}
/** `client.projects`. */
export class Projects {
    /**
     * Made by the Client (not by user code).
     * @param {any} client
     */
    constructor(client: any);
    /**
     * Every project across every page: `for await (const p of client.projects.list())`;
     * `.pages()` iterates the pages.
     * @param {ListParams} [params]
     * @returns {ProjectList}
     */
    list(params?: ListParams): ProjectList;
    /**
     * One page (the first, or `pageNumber`) with its links and meta.
     * @param {ListParams} [params]
     * @returns {APIPromise<Page>}
     */
    listPage(params?: ListParams): APIPromise<Page>;
    /**
     * One project by id.
     * @param {string} id
     * @param {CallOptions} [options]
     * @returns {APIPromise<Project>}
     */
    get(id: string, options?: CallOptions): APIPromise<Project>;
    #private;
}
/**
 * Every project across every page: `for await (const p of client.projects.list())`.
 * @implements {AsyncIterable<Project>}
 */
export class ProjectList implements AsyncIterable<Project> {
    /**
     * Made by `client.projects.list()` (not by user code).
     * @param {any} client
     * @param {ListParams} params
     */
    constructor(client: any, params: ListParams);
    /**
     * Every page, one request each.
     * @returns {AsyncGenerator<Page, void, undefined>}
     */
    pages(): AsyncGenerator<Page, void, undefined>;
    /** @returns {AsyncGenerator<Project, void, undefined>} */
    [Symbol.asyncIterator](): AsyncGenerator<Project, void, undefined>;
    #private;
}
/** A project (JSON:API resource object). Nothing the server sent is dropped. */
export class Project {
    /**
     * Made by the client from the core's view of a project (not by user code).
     * @param {{ resource: { id: string, type: string, attributes: Record<string, JsonValue>, [member: string]: JsonValue }, status?: string | null, known_status: boolean }} view
     */
    constructor(view: {
        resource: {
            id: string;
            type: string;
            attributes: Record<string, JsonValue>;
            [member: string]: JsonValue;
        };
        status?: string | null;
        known_status: boolean;
    });
    /**
     * The project's id (a UUID).
     * @readonly
     */
    readonly id: string;
    /**
     * The resource type, `'project'`.
     * @readonly
     */
    readonly type: string;
    /**
     * `attributes.status`, or null.
     * @readonly
     * @type {KnownProjectStatus | (string & {}) | null}
     */
    readonly status: KnownProjectStatus | (string & {}) | null;
    /**
     * Whether `status` is one of the KnownProjectStatus.
     * @readonly
     */
    readonly isKnownStatus: boolean;
    /**
     * Every attribute as sent.
     * @readonly
     * @type {Record<string, JsonValue>}
     */
    readonly attributes: Record<string, JsonValue>;
    /**
     * The resource object as sent.
     * @returns {ProjectResource & { [member: string]: JsonValue }}
     */
    toJSON(): ProjectResource & {
        [member: string]: JsonValue;
    };
    #private;
}
/** One page of projects with its links and meta; iterating it yields its projects. */
export class Page {
    /**
     * Made by the client from the core's view of a page (not by user code).
     * @param {{ data: ConstructorParameters<typeof Project>[0][], links: Record<string, JsonValue>, meta: Record<string, JsonValue>, has_next: boolean, next_url?: string | null }} view
     * @param {string} response The view of the response it came in, as JSON text.
     */
    constructor(view: {
        data: ConstructorParameters<typeof Project>[0][];
        links: Record<string, JsonValue>;
        meta: Record<string, JsonValue>;
        has_next: boolean;
        next_url?: string | null;
    }, response: string);
    /**
     * The projects of this page.
     * @readonly
     */
    readonly data: Project[];
    /**
     * `self` and `next` links as sent.
     * @readonly
     */
    readonly links: Record<string, JsonValue>;
    /**
     * `total`, `page`, `page_size`, `pages` as sent.
     * @readonly
     */
    readonly meta: Record<string, JsonValue>;
    /**
     * Whether a next page exists.
     * @readonly
     */
    readonly hasNext: boolean;
    /**
     * The next page's URL, or null.
     * @readonly
     */
    readonly nextUrl: string | null;
    /**
     * The HTTP response this page came in, whether it was fetched alone (`listPage`) or while
     * iterating (`list().pages()`): its request id is what OCUS support asks for.
     * @type {ResponseInfo}
     */
    get response(): ResponseInfo;
    /** @returns {Iterator<Project>} */
    [Symbol.iterator](): Iterator<Project>;
    #private;
}
/** The HTTP response a successful call's result arrived in (see `.withResponse()`). */
export class ResponseInfo {
    /**
     * Made by the client from the core's view of a response (not by user code).
     * @param {{ status: number, request_id?: string | null, url: string, attempts: number, headers: Record<string, string> }} view
     */
    constructor(view: {
        status: number;
        request_id?: string | null;
        url: string;
        attempts: number;
        headers: Record<string, string>;
    });
    /**
     * The HTTP status.
     * @readonly
     */
    readonly status: number;
    /**
     * `X-Request-Id`, the id OCUS support asks for.
     * @readonly
     * @type {string | null}
     */
    readonly requestId: string | null;
    /**
     * The URL that answered (after same-origin redirects).
     * @readonly
     */
    readonly url: string;
    /**
     * Attempts made, the successful one included.
     * @readonly
     */
    readonly attempts: number;
    /**
     * The response headers (a repeated header's values joined with `, `).
     * @readonly
     * @type {Headers}
     */
    readonly headers: Headers;
}
/**
 * The promise every call returns: await it for the result, or call `.withResponse()` for
 * `{ data, response }` with the status, headers and request id.
 * @template T
 * @extends {Promise<T>}
 */
export class APIPromise<T> extends Promise<T> {
    /**
     * Made by the client (not by user code).
     * @param {Promise<{ data: T, response: string }>} settled The result and its response's view as JSON text.
     */
    constructor(settled: Promise<{
        data: T;
        response: string;
    }>);
    /**
     * The result and the HTTP response it came in (the same call: no second request).
     * @returns {Promise<WithResponse<T>>}
     */
    withResponse(): Promise<WithResponse<T>>;
    #private;
}
/** Webhook signatures: verify a delivery, or sign a test one. */
export const webhooks: Readonly<{
    /** The name of the header OCUS sends the signature in. */
    SIGNATURE_HEADER: "ocus-signature";
    /**
     * Verifies `ocus-signature` in constant time against the raw body (Buffer or string, as
     * received) and against its `data` member, and returns the event (the body, or its `data`
     * object). OCUS sends no timestamp: de-duplicate events yourself.
     * @param {Buffer | string} rawBody
     * @param {string | string[] | null | undefined} signature The header as Node gives it (`req.headers['ocus-signature']`).
     * @param {string | Buffer} secret
     * @returns {WebhookEvent}
     */
    verify(rawBody: Buffer | string, signature: string | string[] | null | undefined, secret: string | Buffer): WebhookEvent;
    /**
     * The signature OCUS sends for `rawBody` (to test your own receiver): over the raw body, or
     * with `{ part: 'data' }` over its `data` member as `JSON.stringify` writes it (a
     * DecodeError if the body has none).
     * @param {Buffer | string} rawBody
     * @param {string | Buffer} secret
     * @param {{ part?: SignedPart }} [options]
     * @returns {string}
     */
    sign(rawBody: Buffer | string, secret: string | Buffer, options?: {
        part?: SignedPart;
    }): string;
}>;
/** The version of the package (and of its native core). */
export const VERSION: string;
import util = require("node:util");
