/**
 * A `Request` that is only built when the handler needs what only a real one has (the body as a
 * stream, `clone()`, `formData()`, the other fields), the approach of @hono/node-server's
 * lightweight request.
 *
 * Why: constructing a WHATWG `Request` (with its `Headers`, `AbortSignal` and body stream) costs
 * more than a whole hello-world route in Hono, which reads only `url` and `method` to route, and
 * reading a body through it costs a stream, its reader and a promise per chunk.
 * A `LazyRequest` inherits from `Request.prototype` (`instanceof Request` holds) and answers
 * itself:
 * - `url`, `method`, `signal` (the AbortController is the bridge's, made when first read);
 * - `headers`: a real `Headers` built from the scope on first read, the same object every time
 *   (the real Request, if built later, starts from a copy of it, as with @hono/node-server);
 * - `text()`, `json()`, `arrayBuffer()`, `bytes()`: the body read straight from `receive()` (they
 *   hold the whole body anyway), then `bodyUsed` is true and a second read rejects as the real
 *   one does (`TypeError`); `bodyUsed` itself.
 * Anything else builds the real `Request` once and forwards to it (a body read directly first
 * leaves that Request's body used too).
 *
 * A class with private fields rather than `Object.create(proto)` plus symbol-keyed properties:
 * one fixed shape per instance, so the getters' loads stay monomorphic (measured in
 * apps/bench/fetch-bridge.mjs).
 */

/** What the lazy `Request` gets from the bridge: method and signal at once, the rest on demand. */
export interface LazyInit {
  readonly method: string;
  readonly signal: AbortSignal;
  /** The request headers as a new `Headers` (called at most once). */
  headers(): Headers;
  /** The body as a stream, for the real Request (at most once, only for methods with a body). */
  bodyStream(): ReadableStream<Uint8Array>;
  /** The whole body, read directly (at most once, only for methods with a body). */
  readBody(): Promise<Uint8Array[]>;
}

const decoder = new TextDecoder();

export class LazyRequest {
  readonly #url: string;
  readonly #init: LazyInit;
  #real: Request | undefined = undefined;
  #headers: Headers | undefined = undefined;
  /** The body was read directly (text() and co.). */
  #used = false;

  constructor(url: string, init: LazyInit) {
    this.#url = url;
    this.#init = init;
  }

  get url(): string {
    return this.#url;
  }

  get method(): string {
    return this.#init.method;
  }

  get signal(): AbortSignal {
    return this.#init.signal;
  }

  get headers(): Headers {
    this.#headers ??= this.#init.headers();
    return this.#headers;
  }

  get bodyUsed(): boolean {
    return this.#used || this.#real?.bodyUsed === true;
  }

  /**
   * The whole body for one of the direct readers, or undefined when the real Request must answer
   * (it exists already, or the body was used: it rejects with the real TypeError then).
   */
  static wholeBody(request: LazyRequest): Promise<Uint8Array[]> | undefined {
    if (request.#real !== undefined || request.#used) return undefined;
    const method = request.#init.method;
    // GET and HEAD requests have no body (the real Request's body is null): empty, never used.
    if (method === 'GET' || method === 'HEAD') return Promise.resolve([]);
    request.#used = true;
    return request.#init.readBody();
  }

  /** The real Request behind `request` (built now if it was not yet). */
  static realOf(request: LazyRequest): Request {
    let real = request.#real;
    if (real === undefined) {
      const init = request.#init;
      const method = init.method;
      const options: RequestInit & { duplex?: 'half' } = {
        method,
        headers: request.headers,
        signal: init.signal,
      };
      const withBody = method !== 'GET' && method !== 'HEAD';
      if (withBody) {
        options.body = request.#used ? emptyStream() : init.bodyStream();
        options.duplex = 'half';
      }
      real = new Request(request.#url, options);
      // Read directly already: the real body is used as well (a read rejects, clone() throws).
      if (request.#used && withBody) real.arrayBuffer().catch(ignore);
      request.#real = real;
    }
    return real;
  }
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.close();
    },
  });
}

function ignore(): void {}

function concat(chunks: Uint8Array[]): Uint8Array {
  // Always a copy: a chunk may be a view on a larger buffer the server owns.
  let size = 0;
  for (const chunk of chunks) size += chunk.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function toText(chunks: Uint8Array[]): string {
  // TextDecoder's defaults are the body mixin's "UTF-8 decode": replacement characters, BOM dropped.
  return chunks.length === 1 ? decoder.decode(chunks[0]) : decoder.decode(concat(chunks));
}

/** The body readers answered from the direct read; each falls back to the real Request. */
const direct: Record<string, (chunks: Uint8Array[]) => unknown> = {
  text: toText,
  json: (chunks) => JSON.parse(toText(chunks)),
  arrayBuffer: (chunks) => concat(chunks).buffer,
  bytes: concat,
};

const proto = LazyRequest.prototype as unknown as Record<string, unknown>;
for (const name of Object.getOwnPropertyNames(Request.prototype)) {
  if (name === 'constructor' || Object.hasOwn(proto, name)) continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, name);
  if (descriptor === undefined) continue;
  const convert = direct[name];
  if (convert !== undefined) {
    Object.defineProperty(proto, name, {
      value(this: LazyRequest) {
        const whole = LazyRequest.wholeBody(this);
        if (whole !== undefined) return whole.then(convert);
        const request = LazyRequest.realOf(this) as unknown as Record<string, () => unknown>;
        return request[name]!();
      },
      writable: true,
      configurable: true,
    });
  } else if (typeof descriptor.value === 'function') {
    // Everything else on Request.prototype forwards to the real Request, built on first use.
    Object.defineProperty(proto, name, {
      value(this: LazyRequest, ...args: unknown[]) {
        const request = LazyRequest.realOf(this) as unknown as Record<string, (...a: unknown[]) => unknown>;
        return request[name]?.(...args);
      },
      writable: true,
      configurable: true,
    });
  } else if (descriptor.get !== undefined) {
    Object.defineProperty(proto, name, {
      get(this: LazyRequest) {
        return (LazyRequest.realOf(this) as unknown as Record<string, unknown>)[name];
      },
      configurable: true,
    });
  }
}
Object.setPrototypeOf(LazyRequest.prototype, Request.prototype);

/** A `Request` for `url` whose real object is built on first need. */
export function lazyRequest(url: string, init: LazyInit): Request {
  return new LazyRequest(url, init) as unknown as Request;
}
