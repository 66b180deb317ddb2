/**
 * The outbound state machine of an `http` scope (protocol.md §5.1, D-6):
 *
 *   init --start--> started --body(more: true)*--> started
 *   started --body(more false/absent) | body(file) | body(fh)--> body-done | complete
 *   body-done --trailers--> complete          (only when start said trailers: true)
 *   any --http.fullflush--> same state        (only with the `fullflush` extension, D-10)
 */
import { isAbsolute } from 'node:path';
import { PagiValidationError } from '../errors.js';
import { HttpEvents } from '../event-types.js';
import type { SendValidator, SendVerdict } from '../send-validator.js';
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
import { asEvent, expectedBefore, missingExtension, notAllowed, unknownType } from './send-common.js';

export type HttpSendState = 'init' | 'started' | 'body-done' | 'complete';

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
  #state: HttpSendState = 'init';
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
    return this.#state;
  }

  get finished(): boolean {
    return this.#state === 'complete';
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
    if (this.#state !== 'init')
      throw notAllowed(type, 'twice: the response has already started', this.#state);
    if (this.#fields) {
      checkStatus(e.status, type, true);
      checkBoolean(e.trailers, type, 'trailers');
    }
    checkHeaders(e.headers, type, this.#strictCase);
    this.#trailers = e.trailers === true;
    this.#state = 'started';
    return 'send';
  }

  #body(e: EventRecord): SendVerdict {
    const type = HttpEvents.responseBody;
    if (this.#state === 'init') throw expectedBefore(`'${HttpEvents.responseStart}'`, type, this.#state);
    if (this.#state !== 'started') throw notAllowed(type, 'after the final body', this.#state);
    const hasFile = e.file != null;
    const hasFh = e.fh != null;
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
    // `more` is ignored for file/fh: those always finish the body (§4.1.4).
    if (hasFile || hasFh || e.more !== true) this.#state = this.#trailers ? 'body-done' : 'complete';
    return 'send';
  }

  #trailersEvent(e: EventRecord): SendVerdict {
    const type = HttpEvents.responseTrailers;
    if (this.#state === 'init') throw expectedBefore(`'${HttpEvents.responseStart}'`, type, this.#state);
    if (!this.#trailers) {
      throw notAllowed(type, "unless 'http.response.start' declared trailers: true", this.#state);
    }
    if (this.#state === 'started') {
      throw expectedBefore(`the final '${HttpEvents.responseBody}' (more: false)`, type, this.#state);
    }
    if (this.#state === 'complete') throw notAllowed(type, 'after the response is complete', this.#state);
    checkHeaders(e.headers, type, this.#strictCase);
    this.#state = 'complete';
    return 'send';
  }
}
