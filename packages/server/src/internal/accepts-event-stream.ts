import { acceptsEventStream as specAcceptsEventStream } from '@pagi/spec';

const EVENT_STREAM = /event-stream/i;

/**
 * D-14, as `@pagi/spec` defines it, behind an allocation-free pre-check: the spec's version
 * lowercases the whole header first, and this runs for every GET with an `Accept` header.
 *
 * @example
 * acceptsEventStream('text/event-stream') // true
 * acceptsEventStream('text/event-stream;q=0') // false
 */
export function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined || !EVENT_STREAM.test(accept)) return false;
  return specAcceptsEventStream(accept);
}
