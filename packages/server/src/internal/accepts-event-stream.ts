import { acceptsEventStream as specAcceptsEventStream } from '@pagi/spec';

/** Case-insensitive "does `accept` contain `event-stream`", found from its hyphens (no regex, no copy). */
function mentionsEventStream(accept: string): boolean {
  const word = 'event-stream';
  for (let dash = accept.indexOf('-', 5); dash !== -1; dash = accept.indexOf('-', dash + 1)) {
    const start = dash - 5;
    if (start + word.length > accept.length) return false;
    let i = 0;
    while (i < word.length && (accept.charCodeAt(start + i) | 0x20) === word.charCodeAt(i)) i++;
    if (i === word.length) return true;
  }
  return false;
}

/**
 * D-14, as `@pagi/spec` defines it, behind an allocation-free pre-check: the spec's version
 * lowercases the whole header first, and this runs for every GET with an `Accept` header.
 *
 * @example
 * acceptsEventStream('text/event-stream') // true
 * acceptsEventStream('text/event-stream;q=0') // false
 */
export function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined || !mentionsEventStream(accept)) return false;
  return specAcceptsEventStream(accept);
}
