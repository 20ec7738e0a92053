// Types of the npm package `ocus` (checked against the runtime exports by test/types.test.js
// and compiled against examples/node/*.ts with `tsc --noEmit` in `make test`).

/// <reference types="node" />

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** Statuses OCUS documents; others arrive as plain strings. */
export type KnownProjectStatus =
  | 'not_assigned'
  | 'assigned'
  | 'waiting_for_visuals'
  | 'pending_validation'
  | 'completed'
  | 'canceled'
  | 'archived'

export * from './errors'

export interface ClientOptions {
  /** Default: OCUS_API_KEY (or the file named by OCUS_API_KEY_FILE). */
  apiKey?: string
  /** A file holding the key; re-read once on 401/403 so keys rotate without restart. */
  apiKeyFile?: string
  /** Default: OCUS_BASE_URL, else https://api.ocus.io/v3. */
  baseUrl?: string
  /** Per attempt, body included, in ms (positive). Default 60000. */
  timeoutMs?: number
  /** In ms (positive). Default 10000. */
  connectTimeoutMs?: number
  /** Retries after the first attempt, 0 to 100. Default 2. */
  maxRetries?: number
}

export interface CallOptions {
  timeoutMs?: number
  maxRetries?: number
  /** Aborting it cancels the request (the promise rejects with AbortError). */
  signal?: AbortSignal
}

/**
 * A query value: a string as is, a boolean as `true`/`false`, a number as JSON writes it, an
 * array as the name repeated once per item, `null`/`undefined` left out. Parameters are sent
 * sorted by name (the same URL in every language).
 */
export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>

export interface ListParams extends CallOptions {
  /** A whole number from 1 (0 and negatives are a ConfigurationError). */
  pageSize?: number
  pageNumber?: number
  status?: KnownProjectStatus | (string & {})
  /** Extra query parameters. */
  params?: Record<string, QueryValue>
}

export interface RequestOptions extends CallOptions {
  query?: Record<string, QueryValue>
  json?: JsonValue
  /** Allow retrying a non-idempotent method (POST, PATCH). Default false. */
  retryNonIdempotent?: boolean
}

export declare class Project {
  readonly id: string
  readonly type: string
  readonly status: KnownProjectStatus | (string & {}) | null
  readonly isKnownStatus: boolean
  readonly attributes: Record<string, JsonValue>
  /** The resource object as sent. */
  toJSON(): { id: string; type: string; attributes: Record<string, JsonValue>; [member: string]: JsonValue }
}

export declare class Page {
  readonly data: Project[]
  readonly links: Record<string, JsonValue>
  readonly meta: Record<string, JsonValue>
  readonly hasNext: boolean
  readonly nextUrl: string | null;
  [Symbol.iterator](): Iterator<Project>
}

export declare class ProjectList implements AsyncIterable<Project> {
  /** Every page, one request each. */
  pages(): AsyncGenerator<Page, void, undefined>
  [Symbol.asyncIterator](): AsyncGenerator<Project, void, undefined>
}

export declare class Projects {
  /** Every project across every page: `for await (const p of client.projects.list())`. */
  list(params?: ListParams): ProjectList
  /** One page with its links and meta. */
  listPage(params?: ListParams): Promise<Page>
  get(id: string, options?: CallOptions): Promise<Project>
}

export declare class Client {
  constructor(options?: ClientOptions)
  readonly projects: Projects
  readonly baseUrl: string
  readonly closed: boolean
  /** Any v3 path, with the same auth, retries and errors. */
  request<T = JsonValue>(method: string, path: string, options?: RequestOptions): Promise<T>
  /** Requests in flight finish with the old key. */
  rotateApiKey(apiKey: string): void
  close(): void
  toJSON(): { baseUrl: string }
}

export interface WebhookEvent {
  id: 'project.updated' | 'project.status.updated' | (string & {})
  type: string
  organizationId: string | null
  projectId: string | null
  status: string | null
  attributes: Record<string, JsonValue>
}

export declare const webhooks: {
  readonly SIGNATURE_HEADER: 'ocus-signature'
  /** Verifies `ocus-signature` over the raw body in constant time. */
  verify(rawBody: Buffer | string, signature: string | null | undefined, secret: string | Buffer): WebhookEvent
  sign(rawBody: Buffer | string, secret: string | Buffer): string
}

export declare const VERSION: string

