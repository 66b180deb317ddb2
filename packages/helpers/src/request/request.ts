import { type HeaderList, type HttpScope, jsonDepthExceeds, type Receive, type SseScope } from '@pagi/spec';
import { type Session, scopeKey } from '@pagi/spec/middleware';
import { parseCookie } from 'cookie';
import { bodyTooLarge, SpoolDir } from '@pagi/spec/middleware/node';
import { HttpError } from '../errors.js';
import { allHeaders, firstHeader } from '../internal/headers.js';
import { parseMediaType } from '../internal/media-type.js';
import { BodySource } from './body-source.js';
import { type AuthInfo, authOf, type BasicCredentials, basicAuthOf, bearerTokenOf } from './credentials.js';
import type { FormData } from './form-data.js';
import { type FormLimits, parseMultipart, parseUrlencoded } from './form-parser.js';
import { negotiateEncoding, negotiateLanguage, negotiateType } from './negotiate.js';
import { sessionOf } from './session.js';

/** The router's key (`@pagi/router` sets it; keys are shared by name, so no dependency on it). */
const ROUTER_KEY = scopeKey<{ params?: Record<string, string> }>('pagi.router');

/** Options of {@link Request}; every limit can also be overridden per call. */
export interface RequestOptions extends Partial<FormLimits>, Partial<JsonLimits> {
  /** Directory for upload spool files; default `os.tmpdir()`. */
  tempDir?: string;
}

/** Limits of {@link Request.json} beyond the body size. */
export interface JsonLimits {
  /**
   * Deepest nesting of arrays and objects accepted (`[]` is 1); deeper bodies answer 400 before
   * `JSON.parse` runs. Default 128, the recursion limit of Rust's serde_json (.NET's
   * System.Text.Json and Json.NET use 64): far above real payloads, far below the ~500 000
   * levels a 1 MiB body can hold.
   */
  maxJsonDepth: number;
}

/**
 * The defaults documented in the README's Options table.
 *
 * @example
 * new Request(scope, receive, { maxFileSize: REQUEST_DEFAULTS.maxFileSize * 5 });
 */
export const REQUEST_DEFAULTS: Readonly<FormLimits & JsonLimits> = Object.freeze({
  maxBodySize: 1024 * 1024,
  maxMultipartSize: 100 * 1024 * 1024,
  maxFileSize: 10 * 1024 * 1024,
  maxFiles: 20,
  maxFields: 1000,
  maxFieldSize: 1024 * 1024,
  maxParts: 1020,
  spoolThreshold: 1024 * 1024,
  maxJsonDepth: 128,
});

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * A read-only view of an HTTP (or SSE) request with a body reader on top. The body arrives once
 * through `receive()`; it is read on first use and cached, so `json()` after `text()` works.
 *
 * @example
 * const app = async (scope, receive, send) => {
 *   const req = new Request(scope, receive);
 *   const { name } = await req.json();
 *   await Response.json({ hello: name }).send(scope, receive, send);
 * };
 */
export class Request {
  readonly scope: HttpScope | SseScope;
  readonly #options: FormLimits & JsonLimits & { tempDir: string | undefined };
  readonly #body: BodySource;
  readonly #temp: SpoolDir;
  #url: URL | undefined;
  #query: URLSearchParams | undefined;
  #cookies: Record<string, string> | undefined;
  #form: Promise<FormData> | undefined;

  constructor(scope: HttpScope | SseScope, receive: Receive, options: RequestOptions = {}) {
    this.scope = scope;
    const { tempDir, ...limits } = options;
    this.#options = { ...REQUEST_DEFAULTS, ...stripUndefined(limits), tempDir };
    this.#body = new BodySource(receive, scope.type);
    // Temp files go away when the request ends: on_complete and on_disconnect are exclusive
    // (protocol.md §3.8), so exactly one of them fires for every request the server tracks.
    this.#temp = new SpoolDir(tempDir, 'pagi-upload-', () => {
      const conn = (scope as HttpScope)['pagi.connection'];
      if (conn === undefined) return;
      const clean = (): void => void this.cleanup().catch(() => {});
      conn.on_disconnect(clean);
      conn.on_complete?.(clean);
    });
  }

  /** Uppercase method. */
  get method(): string {
    return this.scope.method;
  }

  /** The full URL rebuilt from scheme, Host (or `scope.server`), raw path and query. */
  get url(): URL {
    if (this.#url === undefined) {
      const path = this.scope.raw_path ?? encodeURI(this.scope.path);
      const query = this.scope.query_string ? `?${this.scope.query_string}` : '';
      const scheme = this.scope.scheme || 'http';
      try {
        this.#url = new URL(`${scheme}://${this.host}${path}${query}`);
      } catch {
        // A Host header that is not a valid authority must not make the URL unusable.
        this.#url = new URL(`${scheme}://localhost${path}${query}`);
      }
    }
    return this.#url;
  }

  /** The Host header, or `scope.server` as `host:port`, or `localhost`. */
  get host(): string {
    const header = this.header('host');
    if (header) return header;
    const server = this.scope.server;
    if (server && server[1] !== null) return `${server[0]}:${server[1]}`;
    return 'localhost';
  }

  /** The decoded path, `root_path` included. */
  get path(): string {
    return this.scope.path;
  }

  /** The mount point (`''` at the root). */
  get rootPath(): string {
    return this.scope.root_path ?? '';
  }

  /** Query parameters; `+` is a space and `%xx` is decoded as UTF-8. */
  get query(): URLSearchParams {
    if (this.#query === undefined) this.#query = new URLSearchParams(latin1ToUrl(this.scope.query_string));
    return this.#query;
  }

  /** The first value of query parameter `name`. */
  queryParam(name: string): string | undefined {
    return this.query.get(name) ?? undefined;
  }

  /** Route parameters set by a router under the `pagi.router` scope key; `{}` otherwise. */
  get params(): Record<string, string> {
    const router = ROUTER_KEY.get(this.scope);
    return router?.params ?? {};
  }

  /** The lifespan state the server copied into this scope (`{}` when none). */
  get state(): Record<string, unknown> {
    return this.scope.state ?? {};
  }

  /** The raw request headers. */
  get headers(): HeaderList {
    return this.scope.headers;
  }

  /** The first value of header `name` (case-insensitive). */
  header(name: string): string | undefined {
    return firstHeader(this.scope.headers, name);
  }

  /** Every value of header `name`, in wire order. */
  headerValues(name: string): string[] {
    return allHeaders(this.scope.headers, name);
  }

  /** Cookies from the Cookie header, parsed once with `cookie` (values URL-decoded). */
  get cookies(): Record<string, string> {
    if (this.#cookies === undefined) {
      const parsed = parseCookie(this.header('cookie') ?? '');
      const out: Record<string, string> = Object.create(null);
      for (const [k, v] of Object.entries(parsed)) if (v !== undefined) out[k] = v;
      this.#cookies = out;
    }
    return this.#cookies;
  }

  /**
   * The session an outer session middleware set (the `SESSION` key of `@pagi/spec/middleware`),
   * typed; `undefined` without one. Read-only in SSE scopes.
   */
  get session(): Session | undefined {
    return sessionOf(this.scope);
  }

  /** `Authorization: Bearer <token>` (RFC 6750 §2.1; scheme in any case): the token, else `null`. */
  bearerToken(): string | null {
    return bearerTokenOf(this.scope);
  }

  /** `Authorization: Basic …` (RFC 7617, UTF-8): `{ username, password }`, else `null`. */
  basicAuth(): BasicCredentials | null {
    return basicAuthOf(this.scope);
  }

  /** What an auth middleware established (`AUTH` of `@pagi/spec/middleware`): scheme, user, claims, scopes. */
  get auth(): AuthInfo | undefined {
    return authOf(this.scope);
  }

  /** The authenticated user (`auth.user`: the Basic username, the token's `sub`), or `undefined`. */
  get user(): string | undefined {
    return authOf(this.scope)?.user;
  }

  /** The media type without parameters, lowercase (`application/json`); `''` when absent. */
  get contentType(): string {
    return parseMediaType(this.header('content-type')).essence;
  }

  /** Content-Length as a number, or `undefined` when absent or not a plain integer. */
  get contentLength(): number | undefined {
    const raw = this.header('content-length');
    if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
    return Number(raw.trim());
  }

  /** true once the client has gone (from `pagi.connection`; SSE scopes report false). */
  isDisconnected(): boolean {
    const conn = (this.scope as HttpScope)['pagi.connection'];
    return conn !== undefined && !conn.is_connected();
  }

  /** The whole body, at most `maxBodySize` bytes (413 beyond, before reading when Content-Length says so). */
  async bytes(options: { maxBodySize?: number } = {}): Promise<Buffer> {
    const limit = options.maxBodySize ?? this.#options.maxBodySize;
    this.#checkDeclaredLength(limit);
    return this.#body.read(limit);
  }

  /** The body decoded with the Content-Type charset (default UTF-8); 415 for an unknown charset. */
  async text(options: { maxBodySize?: number } = {}): Promise<string> {
    const charset = parseMediaType(this.header('content-type')).params.charset ?? 'utf-8';
    let decoder: InstanceType<typeof TextDecoder>;
    try {
      decoder = new TextDecoder(charset);
    } catch {
      throw new HttpError(415, { detail: `expected a supported charset, got '${charset}'` });
    }
    return decoder.decode(await this.bytes(options));
  }

  /**
   * The body parsed as JSON. 415 unless the Content-Type is `application/json` or `*+json`
   * (pass `anyContentType: true` to skip that check) or when it names a charset other than
   * UTF-8; 400 for an empty, malformed or invalid-UTF-8 body, or one nested deeper than
   * `maxJsonDepth`.
   */
  async json<T = unknown>(
    options: { maxBodySize?: number; maxJsonDepth?: number; anyContentType?: boolean } = {},
  ): Promise<T> {
    const mediaType = parseMediaType(this.header('content-type'));
    const type = mediaType.essence;
    if (!options.anyContentType && !JSON_TYPE.test(type)) {
      throw new HttpError(415, { detail: `expected content type application/json, got '${type || 'none'}'` });
    }
    // RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8. A charset parameter naming
    // anything else is refused like text() refuses an unknown one, before the body is read.
    const charset = mediaType.params.charset;
    if (charset !== undefined && !isUtf8Label(charset)) {
      throw new HttpError(415, { detail: `expected charset utf-8 for a JSON body, got '${charset}'` });
    }
    const body = await this.bytes(options);
    const maxDepth = options.maxJsonDepth ?? this.#options.maxJsonDepth;
    if (jsonDepthExceeds(body, maxDepth)) {
      throw new HttpError(400, {
        detail: `expected a JSON body nested at most ${maxDepth} deep, got deeper`,
      });
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new HttpError(400, { detail: 'expected a UTF-8 JSON body, got invalid UTF-8' });
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new HttpError(400, {
        // Not the parser's message: V8's quote the body, which may hold a secret. It stays on `cause`.
        detail: 'expected a valid JSON body, got malformed JSON',
        cause: error,
      });
    }
  }

  /**
   * The body parsed as a form: urlencoded, or multipart via busboy with uploads spooled to temp
   * files above `spoolThreshold`. 415 for any other content type, 413 when a limit is passed,
   * 400 for a malformed multipart body. Cached: a second call returns the same form.
   */
  form(options: Partial<FormLimits> = {}): Promise<FormData> {
    this.#form ??= this.#parseForm({ ...this.#options, ...stripUndefined(options) });
    return this.#form;
  }

  async #parseForm(limits: FormLimits): Promise<FormData> {
    const type = this.contentType;
    if (type === 'application/x-www-form-urlencoded') {
      return parseUrlencoded(await this.bytes({ maxBodySize: limits.maxBodySize }), limits);
    }
    if (type !== 'multipart/form-data') {
      throw new HttpError(415, {
        detail: `expected content type application/x-www-form-urlencoded or multipart/form-data, got '${type || 'none'}'`,
      });
    }
    this.#checkDeclaredLength(limits.maxMultipartSize);
    try {
      return await parseMultipart(
        this.header('content-type')!,
        this.#body.chunks(limits.maxMultipartSize),
        limits,
        this.#temp,
      );
    } catch (error) {
      // Nothing the caller can reach refers to the spool files any more: remove them now.
      await this.cleanup();
      throw error;
    }
  }

  /**
   * The body chunk by chunk as it arrives, without buffering. Throws `PAGI_ERR_DISCONNECTED`
   * when the client leaves mid-body. After the body was read whole, yields the cached copy.
   */
  stream(options: { maxBodySize?: number } = {}): AsyncIterable<Uint8Array> {
    return this.#body.chunks(options.maxBodySize);
  }

  /** The best of `types` for the Accept header (shortcuts like `json`, `html` allowed), or false. */
  accepts(...types: string[]): string | false {
    return negotiateType(this.#joined('accept'), types);
  }

  /** The best of `encodings` for Accept-Encoding, or false. */
  acceptsEncodings(...encodings: string[]): string | false {
    return negotiateEncoding(this.#joined('accept-encoding'), encodings);
  }

  /** The best of `languages` for Accept-Language, or false. */
  acceptsLanguages(...languages: string[]): string | false {
    return negotiateLanguage(this.#joined('accept-language'), languages);
  }

  /**
   * Deletes this request's upload temp files. Runs by itself when the server reports the
   * request complete or disconnected, and when parsing fails; the endpoint classes also call it
   * when the handler returns. Call it yourself when you drive a Request by hand on a server
   * without `on_complete`.
   */
  cleanup(): Promise<void> {
    return this.#temp.remove();
  }

  #joined(name: string): string | undefined {
    const values = this.headerValues(name);
    return values.length === 0 ? undefined : values.join(', ');
  }

  #checkDeclaredLength(limit: number): void {
    const declared = this.contentLength;
    if (declared !== undefined && declared > limit && this.#body.cached === undefined)
      throw bodyTooLarge(limit);
  }
}

/**
 * Builds a {@link Request}; the same as `new Request(scope, receive, options)`.
 *
 * @example
 * const req = request(scope, receive);
 */
export function request(scope: HttpScope | SseScope, receive: Receive, options?: RequestOptions): Request {
  return new Request(scope, receive, options);
}

/** true for every WHATWG label of UTF-8 (`utf-8`, `UTF8`, `unicode-1-1-utf-8`, …). */
function isUtf8Label(label: string): boolean {
  try {
    return new TextDecoder(label).encoding === 'utf-8';
  } catch {
    return false;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// query_string is a byte string (D-2): bytes above 0x7F must be percent-encoded before
// URLSearchParams, which would otherwise read them as UTF-16 code units.
function latin1ToUrl(query: string): string {
  return query.replace(/[\u0080-\u00ff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
