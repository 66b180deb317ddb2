/**
 * The outbound state machine of an `sse` scope (protocol.md §5.3, §4.4):
 *
 *   init --sse.start--> streaming --send* | comment* | keepalive*--> streaming --close--> closed
 *   closed --sse.close--> ignored (idempotent)
 *   init --sse.http.response.start--> declining --body(more: true)*--> declining --body--> done
 *
 * Whichever of `sse.start` and `sse.http.response.start` comes first wins; the other then
 * raises (§4.4.3, MUST).
 */
import { SseEvents } from '../event-types.js';
import type { SendValidator, SendVerdict } from '../send-validator.js';
import type { SseScope } from '../types.js';
import {
  checkBody,
  checkBoolean,
  checkHeaders,
  checkNonNegativeInt,
  checkNonNegativeNumber,
  checkSseLine,
  checkStatus,
  checkString,
  type EventRecord,
} from './fields.js';
import { asEvent, expectedBefore, notAllowed, unknownType } from './send-common.js';

export type SseSendState = 'init' | 'streaming' | 'closed' | 'declining' | 'done';

const KNOWN: readonly string[] = [
  SseEvents.start,
  SseEvents.send,
  SseEvents.comment,
  SseEvents.keepalive,
  SseEvents.close,
  SseEvents.httpResponseStart,
  SseEvents.httpResponseBody,
];

export class SseSendValidator implements SendValidator {
  #state: SseSendState = 'init';
  readonly #fields: boolean;
  readonly #strictCase: boolean;

  constructor(_scope: SseScope, fields: boolean, strictCase: boolean) {
    this.#fields = fields;
    this.#strictCase = strictCase;
  }

  get state(): SseSendState {
    return this.#state;
  }

  get finished(): boolean {
    return this.#state === 'closed' || this.#state === 'done';
  }

  check(event: unknown): SendVerdict {
    const e = asEvent(event, 'sse', KNOWN);
    switch (e.type) {
      case SseEvents.start:
        return this.#start(e);
      case SseEvents.send:
        this.#requireStreaming(SseEvents.send);
        // Newlines in event/id are checked even without field checks: they would forge SSE lines.
        checkSseLine(e.event, SseEvents.send, 'event', false);
        checkSseLine(e.id, SseEvents.send, 'id', true);
        if (this.#fields) {
          checkString(e.data, SseEvents.send, 'data', true);
          checkString(e.event, SseEvents.send, 'event', false);
          checkString(e.id, SseEvents.send, 'id', false);
          checkNonNegativeInt(e.retry, SseEvents.send, 'retry');
        }
        return 'send';
      case SseEvents.comment:
        this.#requireStreaming(SseEvents.comment);
        if (this.#fields) checkString(e.comment, SseEvents.comment, 'comment', true);
        return 'send';
      case SseEvents.keepalive:
        this.#requireStreaming(SseEvents.keepalive);
        if (this.#fields) {
          checkNonNegativeNumber(e.interval, SseEvents.keepalive, 'interval', true);
          checkString(e.comment, SseEvents.keepalive, 'comment', false);
        }
        return 'send';
      case SseEvents.close:
        return this.#close(e);
      case SseEvents.httpResponseStart:
        return this.#declineStart(e);
      case SseEvents.httpResponseBody:
        return this.#declineBody(e);
      default:
        throw unknownType(e.type as string, 'sse', KNOWN);
    }
  }

  #requireStreaming(type: string): void {
    switch (this.#state) {
      case 'streaming':
        return;
      case 'init':
        throw expectedBefore(`'${SseEvents.start}'`, type, this.#state);
      case 'closed':
        throw notAllowed(type, `after '${SseEvents.close}'`, this.#state);
      default:
        throw notAllowed(type, `after '${SseEvents.httpResponseStart}' declined the stream`, this.#state);
    }
  }

  #start(e: EventRecord): SendVerdict {
    const type = SseEvents.start;
    if (this.#state === 'streaming' || this.#state === 'closed') {
      throw notAllowed(type, 'twice', this.#state);
    }
    if (this.#state !== 'init') {
      throw notAllowed(type, `after '${SseEvents.httpResponseStart}' declined the stream`, this.#state);
    }
    if (this.#fields) checkStatus(e.status, type, false);
    checkHeaders(e.headers, type, this.#strictCase);
    this.#state = 'streaming';
    return 'send';
  }

  #close(e: EventRecord): SendVerdict {
    const type = SseEvents.close;
    if (this.#state === 'closed') return 'ignore';
    this.#requireStreaming(type);
    if (this.#fields) checkString(e.reason, type, 'reason', false);
    this.#state = 'closed';
    return 'send';
  }

  #declineStart(e: EventRecord): SendVerdict {
    const type = SseEvents.httpResponseStart;
    if (this.#state === 'streaming' || this.#state === 'closed') {
      throw notAllowed(type, `after '${SseEvents.start}'`, this.#state);
    }
    if (this.#state !== 'init') throw notAllowed(type, 'twice', this.#state);
    if (this.#fields) checkStatus(e.status, type, true);
    checkHeaders(e.headers, type, this.#strictCase);
    this.#state = 'declining';
    return 'send';
  }

  #declineBody(e: EventRecord): SendVerdict {
    const type = SseEvents.httpResponseBody;
    if (this.#state === 'init') throw expectedBefore(`'${SseEvents.httpResponseStart}'`, type, this.#state);
    if (this.#state === 'streaming' || this.#state === 'closed') {
      throw notAllowed(type, `after '${SseEvents.start}'`, this.#state);
    }
    if (this.#state === 'done') throw notAllowed(type, 'after the decline response ended', this.#state);
    if (this.#fields) {
      checkBody(e.body, type, 'body');
      checkBoolean(e.more, type, 'more');
    }
    if (e.more !== true) this.#state = 'done';
    return 'send';
  }
}
