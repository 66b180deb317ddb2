// Imported, not the global: a global `Buffer` is looked up per call (LoadGlobalIC), a module binding is not.
import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import {
  type App,
  type BodyInput,
  type HeaderList,
  type HttpResponseBodyEvent,
  type HttpScope,
  PagiStateError,
  PagiValidationError,
  type Receive,
  type Send,
  SETTLED,
  UnsupportedScopeError,
} from '@pagi/spec';
import { type SerializeOptions, stringifySetCookie } from 'cookie';
import { checkHeader, type HeaderInit, toHeaderList } from '../internal/headers.js';
import { type FileOptions, sendFile } from './send-file.js';

/** Status and headers for a body factory. */
export interface ResponseInit {
  status?: number;
  headers?: HeaderInit;
}

/** Cookie attributes; `path` defaults to `/` and `sameSite` to `lax`. */
export type CookieOptions = SerializeOptions;

type Body =
  // A string body stays a string: it is immutable, the server writes it with the head in one
  // `write` (node:http joins a string to the head), and no Buffer is made for it.
  | { kind: 'bytes'; data: Buffer | string }
  | { kind: 'empty' }
  | { kind: 'stream'; source: AsyncIterable<unknown>; used: boolean }
  | { kind: 'file'; path: string; options: FileOptions };

// Statuses that never carry a body (RFC 9110 §6.4.1).
const NO_BODY = (status: number) => status === 204 || status === 304 || (status >= 100 && status < 200);

/**
 * A response built as a detached value, then sent with {@link Response.send} (or mounted with
 * {@link Response.asApp}). Building never touches the connection; sending does not change the
 * value, so a byte, empty or file response can be sent any number of times.
 *
 * @example
 * await Response.json({ ok: true }, { status: 201 })
 *   .header('cache-control', 'no-store')
 *   .setCookie('seen', '1', { maxAge: 3600 })
 *   .send(scope, receive, send);
 */
export class Response {
  #status: number;
  /** The header pairs set so far; read through {@link Response.#own} unless `#type` is known to be unset. */
  #headers: HeaderList;
  /**
   * A default content type (`Response.json`/`text`/`html`) not yet added to `#headers`: kept
   * apart so the usual `Response.json(value).send()` builds its one header list at send time
   * instead of a list here and a framed copy there. Added at the end of the list (where it
   * always went) by the first call that reads or edits the headers.
   */
  #type: string | undefined;
  #body: Body;

  /** A response with `body` (bytes or a UTF-8 string) and no default content type. */
  constructor(body?: BodyInput | null, init?: ResponseInit) {
    // `init?.`, not a default `= {}`: no throwaway object per response.
    this.#status = checkStatus(init?.status ?? 200);
    const headers = init?.headers;
    this.#headers = headers === undefined ? [] : toHeaderList(headers);
    this.#type = undefined;
    this.#body =
      body === undefined || body === null
        ? { kind: 'empty' }
        : { kind: 'bytes', data: typeof body === 'string' ? body : Buffer.from(body) };
  }

  /** `text/plain; charset=utf-8`. */
  static text(text: string, init?: ResponseInit): Response {
    return new Response(text, init).#defaultType('text/plain; charset=utf-8');
  }

  /** `text/html; charset=utf-8`. */
  static html(html: string, init?: ResponseInit): Response {
    return new Response(html, init).#defaultType('text/html; charset=utf-8');
  }

  /** `application/json` (RFC 8259 §11 defines no charset parameter). */
  static json(value: unknown, init?: ResponseInit): Response {
    const text = JSON.stringify(value);
    if (text === undefined)
      throw new PagiValidationError(`expected a JSON-serialisable value, got ${typeof value}`);
    return new Response(text, init).#defaultType('application/json');
  }

  /**
   * A redirect (default 302) with an empty body. A URL with control characters is refused, so a
   * user-supplied target cannot inject headers; non-ASCII characters are percent-encoded.
   */
  static redirect(url: string, status = 302, init: Omit<ResponseInit, 'status'> = {}): Response {
    if (typeof url !== 'string' || /[\u0000-\u001f\u007f]/.test(url)) {
      throw new PagiValidationError(
        `expected a redirect URL without control characters, got ${JSON.stringify(url)}`,
      );
    }
    if (!(status >= 300 && status <= 399)) {
      throw new PagiValidationError(`expected a 3xx redirect status, got ${status}`);
    }
    let location: string;
    try {
      location = url.replace(/[^\u0021-\u007e]+/g, (s) => encodeURI(s));
    } catch (error) {
      // encodeURI throws on a lone surrogate.
      throw new PagiValidationError(`expected a well-formed redirect URL, got ${JSON.stringify(url)}`, {
        cause: error,
      });
    }
    return new Response(null, { ...init, status }).header('location', location);
  }

  /**
   * A file, sent by path with the protocol's `file` body: ranges (206/416), weak ETag,
   * Last-Modified and 304 are handled at send time; a missing file is answered 404.
   */
  static file(path: string, options: FileOptions & ResponseInit = {}): Response {
    // Checked here, at build time: a non-string would otherwise fail inside fs at send time and
    // reach the client as a 500 with no hint at the call that built it.
    if (typeof path !== 'string') {
      throw new PagiValidationError(
        `expected a file path string for Response.file(), got ${describeValue(path)}`,
      );
    }
    if (options.root !== undefined && typeof options.root !== 'string') {
      throw new PagiValidationError(
        `expected Response.file() option root to be a directory path string, got ${describeValue(options.root)}`,
      );
    }
    const { status, headers, ...fileOptions } = options;
    const res = new Response(null, { status, headers });
    res.#body = { kind: 'file', path, options: fileOptions };
    return res;
  }

  /**
   * A streamed body from an async iterable (or a Node Readable) of byte or string chunks. Each
   * chunk is pulled only after the previous `send()` resolved, so the server's backpressure
   * reaches the producer. A stream can be sent once.
   */
  static stream(source: AsyncIterable<BodyInput> | Readable, init?: ResponseInit): Response {
    const res = new Response(null, init);
    res.#body = { kind: 'stream', source: source as AsyncIterable<unknown>, used: false };
    return res;
  }

  /** No body; default status 204. */
  static empty(status = 204, init: Omit<ResponseInit, 'status'> = {}): Response {
    return new Response(null, { ...init, status });
  }

  /** The status code. */
  get statusCode(): number {
    return this.#status;
  }

  /** A copy of the headers set so far (without the computed content-length). */
  get headers(): HeaderList {
    return this.#own().map(([n, v]) => [n, v]);
  }

  /** Sets the status (an integer in 100–599). */
  status(code: number): this {
    this.#status = checkStatus(code);
    return this;
  }

  /** Sets header `name`, replacing earlier values. Rejects CR/LF/NUL (header injection). */
  header(name: string, value: string): this {
    const lower = checkHeader(name, value);
    this.#headers = this.#own().filter(([n]) => n !== lower);
    this.#headers.push([lower, value]);
    return this;
  }

  /** Adds a value for header `name`, keeping earlier ones. */
  appendHeader(name: string, value: string): this {
    this.#own().push([checkHeader(name, value), value]);
    return this;
  }

  /** The first value of header `name`. */
  getHeader(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.#own().find(([n]) => n === lower)?.[1];
  }

  /** Removes every value of header `name`. */
  removeHeader(name: string): this {
    const lower = name.toLowerCase();
    this.#headers = this.#own().filter(([n]) => n !== lower);
    return this;
  }

  /** Adds a Set-Cookie serialised by `cookie` (value URL-encoded; Path=/ and SameSite=Lax by default). */
  setCookie(name: string, value: string, options: CookieOptions = {}): this {
    let line: string;
    try {
      line = stringifySetCookie(name, value, { path: '/', sameSite: 'lax', ...options });
    } catch (error) {
      throw new PagiValidationError(`expected a valid cookie for '${name}': ${(error as Error).message}`, {
        cause: error,
      });
    }
    return this.appendHeader('set-cookie', line);
  }

  /** Adds a Set-Cookie that expires `name` now; pass the same path/domain it was set with. */
  deleteCookie(
    name: string,
    options: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'sameSite'> = {},
  ): this {
    return this.setCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  /**
   * Sends the response on an `http` scope. HEAD requests get the headers (content-length
   * included) and an empty body; a stream's iterator is then not pulled at all.
   *
   * Always returns a promise (a refused event or a throwing `send` rejects it, never throws).
   * A byte or empty body is handed to `send` as soon as the start's promise is known to be
   * fulfilled: at once when `send` returned @pagi/spec's `SETTLED` (the server and the test
   * client do when they took the start synchronously), otherwise after awaiting it, so a
   * rejected start never sends the body.
   */
  send(scope: HttpScope, _receive: Receive<'http'> | Receive, send: Send<'http'> | Send): Promise<void> {
    const out = send as Send<'http'>;
    const body = this.#body;
    if (body.kind === 'file' || body.kind === 'stream') return this.#sendSource(scope, out, body);
    try {
      const status = this.#status;
      const bodyless = NO_BODY(status);
      const data = body.kind === 'bytes' && !bodyless ? body.data : undefined;
      const length = bodyless ? undefined : `${byteLength(data)}`;
      const type = this.#type;
      const headers =
        type !== undefined && this.#headers.length === 0
          ? onlyType(type, length)
          : framedHeaders(this.#own(), length);
      const started = out({ type: 'http.response.start', status, headers });
      const last: HttpResponseBodyEvent =
        scope.method === 'HEAD' || data === undefined
          ? { type: 'http.response.body' }
          : { type: 'http.response.body', body: data };
      if (started !== SETTLED) return sendAfter(started, out, last);
      const sent = out(last);
      return sent === SETTLED ? sent : Promise.resolve(sent);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** {@link Response.send} of a file or stream body: always asynchronous (disk, the iterator). */
  async #sendSource(
    scope: HttpScope,
    out: Send<'http'>,
    body: Extract<Body, { kind: 'file' | 'stream' }>,
  ): Promise<void> {
    const status = this.#status;
    if (body.kind === 'file') {
      await sendFile(scope, out, status, this.headers, body.path, body.options);
      return;
    }
    if (body.used) throw new PagiStateError('expected an unsent stream response, got one already sent');
    body.used = true;
    await out({ type: 'http.response.start', status, headers: framedHeaders(this.#own(), undefined) });
    if (scope.method !== 'HEAD' && !NO_BODY(status)) await pump(scope, body.source, out);
    await out({ type: 'http.response.body', more: false });
  }

  /**
   * This response as a PAGI app, to mount as a route; other scope types are refused with
   * `UnsupportedScopeError` (a rejection, as from an `async` app).
   *
   * @example
   * router.get('/health', Response.text('ok').asApp());
   */
  asApp(): App {
    return (scope, receive, send) => {
      if (scope.type !== 'http') return Promise.reject(new UnsupportedScopeError(scope.type));
      return this.send(scope, receive, send);
    };
  }

  #defaultType(type: string): this {
    const headers = this.#headers;
    for (let i = 0; i < headers.length; i++) if (headers[i]![0] === 'content-type') return this;
    this.#type = type;
    return this;
  }

  /** The header list with a pending default content type added: what every reader and editor sees. */
  #own(): HeaderList {
    const type = this.#type;
    if (type !== undefined) {
      this.#headers.push(['content-type', type]);
      this.#type = undefined;
    }
    return this.#headers;
  }
}

/** The body event once the start's `send()` (not known to be settled) has fulfilled. */
async function sendAfter(
  started: Promise<void>,
  out: Send<'http'>,
  last: HttpResponseBodyEvent,
): Promise<void> {
  await started;
  await out(last);
}

// The next chunk is requested only after `send()` resolved: the iterator is never pulled ahead
// of the transport. A client that left stops the pull and closes the source.
async function pump(scope: HttpScope, source: AsyncIterable<unknown>, send: Send<'http'>): Promise<void> {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const conn = scope['pagi.connection'];
      if (conn !== undefined && !conn.is_connected()) break;
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = next.value;
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
        throw new PagiValidationError(`expected stream chunks of bytes or strings, got ${typeof chunk}`);
      }
      await send({ type: 'http.response.body', body: chunk, more: true });
    }
  } finally {
    if (!done) await iterator.return?.();
  }
}

/**
 * The header pairs a send hands on: copies (the receiver may change what it gets, protocol.md
 * §1.7; the response value stays as it is), without a user `content-length` or
 * `transfer-encoding` (framing belongs to the server: a user length next to the real one could
 * desynchronise a proxy, request smuggling), then `length` as the `content-length` when given.
 * Sized up front: push() onto `[]` would reserve room for 17 pairs per response.
 */
function framedHeaders(own: HeaderList, length: string | undefined): HeaderList {
  let count = length === undefined ? 0 : 1;
  for (let i = 0; i < own.length; i++) if (!isFraming(own[i]![0])) count++;
  const framed: HeaderList = new Array(count);
  let k = 0;
  for (let i = 0; i < own.length; i++) {
    const pair = own[i]!;
    if (!isFraming(pair[0])) framed[k++] = [pair[0], pair[1]];
  }
  if (length !== undefined) framed[k] = ['content-length', length];
  return framed;
}

/** {@link framedHeaders} of a list that holds only a default content type, as one literal. */
function onlyType(type: string, length: string | undefined): HeaderList {
  return length === undefined
    ? [['content-type', type]]
    : [
        ['content-type', type],
        ['content-length', length],
      ];
}

function isFraming(name: string): boolean {
  return name === 'content-length' || name === 'transfer-encoding';
}

/** The byte count of a body (a string counts as its UTF-8 encoding, as the server writes it). */
function byteLength(data: Buffer | string | undefined): number {
  if (data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
}

function checkStatus(code: number): number {
  if (!Number.isInteger(code) || code < 100 || code > 599) {
    throw new PagiValidationError(`expected an integer status in 100–599, got ${String(code)}`);
  }
  return code;
}

/** The kind of a value that is not a string, for an error message: `undefined`, `null`, `a Buffer`, `number`. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'object'}`;
  return typeof value;
}
