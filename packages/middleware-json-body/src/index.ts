import {
  type HttpScope,
  jsonDepthExceeds,
  type Middleware,
  PagiValidationError,
  type ProtocolApp,
  type Receive,
  type Send,
} from '@pagi/spec';
import {
  defineMiddleware,
  getHeader,
  HttpError,
  type ReadBody,
  readBody,
  respond,
  scopeKey,
  withKey,
} from '@pagi/spec/middleware';
import { charsetOf, isJsonType, isUtf8Label } from './content-type.js';

/**
 * The parsed JSON body, set for inner apps when the request carried one. `JSON_BODY.get(scope)`
 * is `undefined` when the middleware passed the request through (wrong method or content type).
 */
export const JSON_BODY = scopeKey<unknown>('json_body');

export interface JsonBodyOptions {
  /** Largest body read, in bytes; a larger one gets 413 without being read. Default 1 MiB. */
  limit?: number;
  /** Deepest nesting of arrays and objects accepted; deeper gets 400 before `JSON.parse`. Default 128. */
  maxDepth?: number;
  /** Methods whose bodies are parsed; others pass through. Default `['POST', 'PUT', 'PATCH', 'DELETE']`. */
  methods?: readonly string[];
  /** Answer 415 to a body with a non-JSON content type instead of passing it through. Default `false`. */
  strict?: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['limit', 'maxDepth', 'methods', 'strict']);
const DEFAULT_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
// `fatal`: invalid UTF-8 is a 400, not U+FFFD silently written into the value.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses `application/json` and `application/*+json` request bodies and hands the value to inner
 * apps as `JSON_BODY.get(scope)`; the inner app's `receive` still yields the body (and then
 * whatever the connection reports, `http.disconnect` included).
 *
 * Answers 413 (body over `limit`), 415 (a charset other than UTF-8, RFC 8259 §8.1; or, with
 * `strict`, a non-JSON content type), 400 (empty, invalid UTF-8, nested over `maxDepth`, or
 * malformed: the message never quotes the body). Other scope types pass through untouched.
 *
 * @throws PagiValidationError for an unknown or invalid option, when applied.
 * @example
 * const app = compose(jsonBody({ limit: 64 * 1024 }))(async (scope, receive, send) => {
 *   const payload = JSON_BODY.get(scope); // the parsed value, or undefined
 * });
 */
export function jsonBody(options: JsonBodyOptions = {}): Middleware {
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`jsonBody(): unknown option '${key}'`);
  }
  const limit = wholeNumber('limit', options.limit ?? 1024 * 1024);
  const maxDepth = wholeNumber('maxDepth', options.maxDepth ?? 128);
  const methodList = options.methods ?? DEFAULT_METHODS;
  if (!Array.isArray(methodList) || !methodList.every((m) => typeof m === 'string' && m !== '')) {
    throw new PagiValidationError('jsonBody(): expected methods to be an array of method names');
  }
  const methods = new Set(methodList.map((m) => m.toUpperCase()));
  const strict = options.strict ?? false;
  const readOptions = { limit };

  const parse = async (
    scope: HttpScope,
    receive: Receive<'http'>,
    send: Send<'http'>,
    app: ProtocolApp<'http'>,
  ) => {
    const type = getHeader(scope.headers, 'content-type');
    if (type === undefined || !isJsonType(type)) {
      if (strict && hasBody(scope)) {
        return respond(
          scope,
          send,
          new HttpError(415, { detail: `expected content type application/json, got '${type ?? 'none'}'` }),
        );
      }
      return app(scope, receive, send);
    }
    const charset = charsetOf(type);
    if (charset !== undefined && !isUtf8Label(charset)) {
      return respond(scope, send, new HttpError(415, { detail: 'expected charset utf-8 for a JSON body' }));
    }
    let read: ReadBody;
    try {
      read = await readBody(scope, receive, readOptions);
    } catch (error) {
      if (error instanceof HttpError) return respond(scope, send, error);
      throw error;
    }
    // The client left before sending it all: nobody can read an answer, so the inner app gets
    // the disconnect as its first event and no value.
    if (read.disconnected) return app(scope, read.receive, send);
    const value = decode(read.body, maxDepth);
    if (value instanceof HttpError) return respond(scope, send, value);
    return app(withKey(scope, JSON_BODY, value), read.receive, send);
  };

  return defineMiddleware('jsonBody', {
    http: (scope, receive, send, app) =>
      methods.has(scope.method) ? parse(scope, receive, send, app) : app(scope, receive, send),
  });
}

/** The parsed value, or the 400 to answer. Parser messages are not passed on: V8's quote the body. */
function decode(body: Uint8Array, maxDepth: number): unknown {
  if (body.byteLength === 0) return new HttpError(400, { detail: 'expected a JSON body, got an empty one' });
  if (jsonDepthExceeds(body, maxDepth)) {
    return new HttpError(400, { detail: `expected a JSON body nested at most ${maxDepth} deep, got deeper` });
  }
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return new HttpError(400, { detail: 'expected a UTF-8 JSON body, got invalid UTF-8' });
  }
  try {
    return JSON.parse(text);
  } catch {
    return new HttpError(400, { detail: 'expected a valid JSON body, got malformed JSON' });
  }
}

/** true when the request declares a body: a non-zero Content-Length, or any Transfer-Encoding. */
function hasBody(scope: HttpScope): boolean {
  const length = getHeader(scope.headers, 'content-length');
  if (length !== undefined) return length.trim() !== '0';
  return getHeader(scope.headers, 'transfer-encoding') !== undefined;
}

function wholeNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new PagiValidationError(`jsonBody(): expected ${name} to be a whole number ≥ 0, got ${value}`);
  }
  return value;
}
