/**
 * The send validator of an `http` scope: the field rules of §4.1, with the event order of §5.1
 * taken from http-send-order.ts (shared with @pagi/server's response writer).
 *   any --http.fullflush--> same state        (only with the `fullflush` extension, D-10)
 */
import { isAbsolute } from 'node:path';
import { PagiValidationError } from '../errors.js';
import { HttpEvents } from '../event-types.js';
import type { SendValidator, SendVerdict } from '../send-validator.js';
import { HttpSendOrder, httpSendNext, httpSendOrderError } from '../http-send-order.js';
import type { HttpScope } from '../types.js';
import { describe } from './describe.js';
import {
  checkBody,
  checkBoolean,
  checkHeaders,
  checkNonNegativeInt,
  checkStatus,
  type EventRecord,
} from './fields.js';
import { asEvent, missingExtension, unknownType } from './send-common.js';

export type HttpSendState = 'init' | 'started' | 'body-done' | 'complete';

/** HttpSendOrder's state numbers, by name (the order itself is http-send-order.ts). */
const STATES: readonly HttpSendState[] = ['init', 'started', 'body-done', 'complete'];

const KNOWN: readonly string[] = [
  HttpEvents.responseStart,
  HttpEvents.responseBody,
  HttpEvents.responseTrailers,
  HttpEvents.fullflush,
];

/** A numeric fd, or something shaped like `fs.promises.FileHandle` (D-9). */
function isFileHandleLike(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  if (typeof value !== 'object' || value === null) return false;
  const handle = value as { fd?: unknown; read?: unknown };
  return typeof handle.fd === 'number' && typeof handle.read === 'function';
}

export class HttpSendValidator implements SendValidator {
  #step: number = HttpSendOrder.INIT;
  #trailers = false;
  readonly #fullflush: boolean;
  readonly #fields: boolean;
  readonly #strictCase: boolean;

  constructor(scope: HttpScope, fields: boolean, strictCase: boolean) {
    this.#fullflush = scope.extensions?.fullflush !== undefined;
    this.#fields = fields;
    this.#strictCase = strictCase;
  }

  get state(): HttpSendState {
    return STATES[this.#step]!;
  }

  get finished(): boolean {
    return this.#step === HttpSendOrder.COMPLETE;
  }

  /** The state after an event of `kind`; throws the order's PagiStateError when §5.1 refuses it. */
  #next(kind: number): number {
    const next = httpSendNext(this.#step, kind, this.#trailers);
    if (next < 0) throw httpSendOrderError(this.#step, kind, this.#trailers);
    return next;
  }

  check(event: unknown): SendVerdict {
    const e = asEvent(event, 'http', KNOWN);
    switch (e.type) {
      case HttpEvents.responseStart:
        return this.#start(e);
      case HttpEvents.responseBody:
        return this.#body(e);
      case HttpEvents.responseTrailers:
        return this.#trailersEvent(e);
      case HttpEvents.fullflush:
        if (!this.#fullflush) throw missingExtension(HttpEvents.fullflush, 'fullflush', 'http');
        return 'send';
      default:
        throw unknownType(e.type as string, 'http', KNOWN);
    }
  }

  #start(e: EventRecord): SendVerdict {
    const type = HttpEvents.responseStart;
    const next = this.#next(HttpSendOrder.START);
    if (this.#fields) {
      checkStatus(e.status, type, true);
      checkBoolean(e.trailers, type, 'trailers');
    }
    checkHeaders(e.headers, type, this.#strictCase);
    this.#trailers = e.trailers === true;
    this.#step = next;
    return 'send';
  }

  #body(e: EventRecord): SendVerdict {
    const type = HttpEvents.responseBody;
    const hasFile = e.file != null;
    const hasFh = e.fh != null;
    // `more` is ignored for file/fh: those always finish the body (§4.1.4).
    const next = this.#next(
      hasFile || hasFh || e.more !== true ? HttpSendOrder.FINAL_BODY : HttpSendOrder.BODY,
    );
    if (this.#fields) {
      const given = (e.body != null ? 1 : 0) + (hasFile ? 1 : 0) + (hasFh ? 1 : 0);
      if (given > 1) {
        throw new PagiValidationError(`'${type}': expected at most one of body, file and fh, got ${given}`);
      }
      checkBody(e.body, type, 'body');
      if (hasFile && (typeof e.file !== 'string' || !isAbsolute(e.file))) {
        throw new PagiValidationError(
          `'${type}' file: expected an absolute path string, got ${describe(e.file)}`,
        );
      }
      if (hasFh && !isFileHandleLike(e.fh)) {
        throw new PagiValidationError(
          `'${type}' fh: expected a FileHandle or a file descriptor (integer ≥ 0), got ${describe(e.fh)}`,
        );
      }
      checkNonNegativeInt(e.offset, type, 'offset');
      checkNonNegativeInt(e.length, type, 'length');
      checkBoolean(e.more, type, 'more');
    }
    this.#step = next;
    return 'send';
  }

  #trailersEvent(e: EventRecord): SendVerdict {
    const type = HttpEvents.responseTrailers;
    const next = this.#next(HttpSendOrder.TRAILERS);
    checkHeaders(e.headers, type, this.#strictCase);
    this.#step = next;
    return 'send';
  }
}
