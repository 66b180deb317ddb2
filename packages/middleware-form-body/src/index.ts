import {
  getHeader,
  type HttpScope,
  type Middleware,
  PagiValidationError,
  type ProtocolApp,
  type Receive,
  type ReceiveEvent,
  type Send,
} from '@pagi/spec';
import { defineMiddleware, HttpError, readBody, respond, scopeKey, withKey } from '@pagi/spec/middleware';
import { SpoolDir } from '@pagi/spec/middleware/node';
import { BodyDisconnected, bodyChunks } from './body-chunks.js';
import { parseMultipart } from './multipart.js';
import type { FormBody, FormLimits } from './types.js';
import { parseUrlencoded } from './urlencoded.js';

export type { FormBody, FormFile } from './types.js';

/** The parsed form, set for inner apps when the request carried one (`undefined` otherwise). */
export const FORM_BODY = scopeKey<FormBody>('form_body');

export interface FormBodyOptions {
  /** Largest urlencoded body, in bytes (413 beyond). Default 1 MiB. */
  limit?: number;
  /** Largest multipart body, in bytes (413 beyond). Default 100 MiB. */
  multipartLimit?: number;
  /** Most text fields (413 beyond). Default 1000. */
  maxFields?: number;
  /** Largest multipart text field value, in bytes (413 beyond). Default 1 MiB. */
  maxFieldSize?: number;
  /** Most file parts (413 beyond). Default 20. */
  maxFiles?: number;
  /** Largest file, in bytes (413 beyond). Default 10 MiB. */
  maxFileSize?: number;
  /** Most parts, fields and files together (413 beyond). Default 1020. */
  maxParts?: number;
  /** Files up to this size stay in memory (`bytes`); larger ones go to a temp file (`path`). Default 1 MiB. */
  spoolThreshold?: number;
  /** Directory the per-request temp directories are made in. Default `os.tmpdir()`. */
  tempDir?: string;
  /** Methods whose bodies are parsed. Default `['POST', 'PUT', 'PATCH', 'DELETE']`. */
  methods?: readonly string[];
  /** Answer 415 to a body of another content type instead of passing it through. Default `false`. */
  strict?: boolean;
}

const DEFAULTS: Readonly<FormLimits> = Object.freeze({
  limit: 1024 * 1024,
  multipartLimit: 100 * 1024 * 1024,
  maxFields: 1000,
  maxFieldSize: 1024 * 1024,
  maxFiles: 20,
  maxFileSize: 10 * 1024 * 1024,
  maxParts: 1020,
  spoolThreshold: 1024 * 1024,
});
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  ...Object.keys(DEFAULTS),
  'tempDir',
  'methods',
  'strict',
]);
const DEFAULT_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const URLENCODED = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

/**
 * Parses `application/x-www-form-urlencoded` and `multipart/form-data` request bodies and hands
 * the form to inner apps as `FORM_BODY.get(scope)`. Uploads above `spoolThreshold` are spooled to
 * a per-request temp directory, removed when the inner app returns or throws, when parsing fails
 * and when the client disconnects mid-body.
 *
 * @throws PagiValidationError for an unknown or invalid option, when applied.
 * @example
 * const app = compose(formBody({ maxFileSize: 5 * 1024 * 1024 }))(async (scope, receive, send) => {
 *   const form = FORM_BODY.get(scope); // { fields, files } or undefined
 * });
 */
export function formBody(options: FormBodyOptions = {}): Middleware {
  // Options are resolved once, here: a typo fails at startup, not silently (toolkit-parity §8).
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PagiValidationError(`formBody(): unknown option '${key}'`);
  }
  const limits = { ...DEFAULTS } as FormLimits;
  for (const key of Object.keys(DEFAULTS) as Array<keyof FormLimits>) {
    const value = options[key] ?? DEFAULTS[key];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new PagiValidationError(`formBody(): expected ${key} to be a whole number ≥ 0, got ${value}`);
    }
    limits[key] = value;
  }
  const tempDir = options.tempDir;
  if (tempDir !== undefined && (typeof tempDir !== 'string' || tempDir === '')) {
    throw new PagiValidationError('formBody(): expected tempDir to be a directory path');
  }
  const methodList = options.methods ?? DEFAULT_METHODS;
  if (!Array.isArray(methodList) || !methodList.every((m) => typeof m === 'string' && m !== '')) {
    throw new PagiValidationError('formBody(): expected methods to be an array of method names');
  }
  const methods = new Set(methodList.map((m) => m.toUpperCase()));
  const strict = options.strict ?? false;
  const readOptions = { limit: limits.limit };

  const urlencoded = async (
    scope: HttpScope,
    receive: Receive<'http'>,
    send: Send<'http'>,
    app: ProtocolApp<'http'>,
  ) => {
    let read: Awaited<ReturnType<typeof readBody>>;
    try {
      read = await readBody(scope, receive, readOptions);
    } catch (error) {
      if (error instanceof HttpError) return respond(scope, send, error);
      throw error;
    }
    if (read.disconnected) return app(scope, read.receive, send);
    let form: FormBody;
    try {
      form = parseUrlencoded(read.body, limits.maxFields);
    } catch (error) {
      if (error instanceof HttpError) return respond(scope, send, error);
      throw error;
    }
    return app(withKey(scope, FORM_BODY, form), read.receive, send);
  };

  const multipart = async (
    scope: HttpScope,
    type: string,
    receive: Receive<'http'>,
    send: Send<'http'>,
    app: ProtocolApp<'http'>,
  ) => {
    const declared = getHeader(scope.headers, 'content-length');
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limits.multipartLimit) {
      return respond(
        scope,
        send,
        new HttpError(413, { detail: `request body larger than ${limits.multipartLimit} bytes` }),
      );
    }
    const temp = new SpoolDir(tempDir, 'pagi-form-');
    try {
      let form: FormBody;
      try {
        form = await parseMultipart(type, bodyChunks(receive, limits.multipartLimit), limits, temp);
      } catch (error) {
        await temp.remove();
        if (error instanceof HttpError) return await respond(scope, send, error);
        // The client left mid-body: the inner app sees the disconnect first, and no form.
        if (error instanceof BodyDisconnected) return await app(scope, replay(error.event, receive), send);
        throw error;
      }
      // The body was consumed by the parser (files may be on disk, not in memory): the inner
      // app's first receive is an empty final body event, then the connection's own events.
      return await app(withKey(scope, FORM_BODY, form), replay(CONSUMED, receive), send);
    } finally {
      await temp.remove();
    }
  };

  return defineMiddleware('formBody', {
    http: (scope, receive, send, app) => {
      if (!methods.has(scope.method)) return app(scope, receive, send);
      const type = getHeader(scope.headers, 'content-type');
      const essence = type === undefined ? '' : essenceOf(type);
      if (essence === URLENCODED) return urlencoded(scope, receive, send, app);
      if (essence === MULTIPART) return multipart(scope, type as string, receive, send, app);
      if (strict && hasBody(scope)) {
        return respond(
          scope,
          send,
          new HttpError(415, {
            detail: `expected content type ${URLENCODED} or ${MULTIPART}, got '${type ?? 'none'}'`,
          }),
        );
      }
      return app(scope, receive, send);
    },
  });
}

const CONSUMED: ReceiveEvent<'http'> = Object.freeze({
  type: 'http.request',
  body: new Uint8Array(0),
  more: false,
});

/** A receive whose first call yields `first`, every later call the connection's `receive`. */
function replay(first: ReceiveEvent<'http'>, receive: Receive<'http'>): Receive<'http'> {
  let replayed = false;
  return function replayReceive() {
    if (replayed) return receive();
    replayed = true;
    return Promise.resolve(first);
  };
}

function essenceOf(type: string): string {
  const semi = type.indexOf(';');
  return (semi === -1 ? type : type.slice(0, semi)).trim().toLowerCase();
}

/** true when the request declares a body: a non-zero Content-Length, or any Transfer-Encoding. */
function hasBody(scope: HttpScope): boolean {
  const length = getHeader(scope.headers, 'content-length');
  if (length !== undefined) return length.trim() !== '0';
  return getHeader(scope.headers, 'transfer-encoding') !== undefined;
}
