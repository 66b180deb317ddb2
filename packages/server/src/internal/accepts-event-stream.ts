/**
 * D-14: true when an `Accept` header lists `text/event-stream` with q > 0. Wildcards alone do not
 * count. (Kept here until `@pagi/spec` ships its own; same semantics.)
 *
 * @example
 * acceptsEventStream('text/event-stream') // true
 * acceptsEventStream('text/event-stream;q=0') // false
 */
export function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined || accept.length < 17) return false;
  const lower = accept.toLowerCase();
  if (!lower.includes('text/event-stream')) return false;
  for (const range of lower.split(',')) {
    const parts = range.split(';');
    if (parts[0]!.trim() !== 'text/event-stream') continue;
    let q = 1;
    for (let i = 1; i < parts.length; i++) {
      const [k, v] = parts[i]!.split('=');
      if (k?.trim() === 'q' && v !== undefined) q = Number(v.trim());
    }
    if (q > 0) return true;
  }
  return false;
}
