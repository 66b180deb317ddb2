import type { HeaderList } from '@pagi/spec';
import type { BodyInit } from '../options.js';

/** One inbound body event's worth of data. */
export interface BodyChunk {
  body: Buffer;
  more: boolean;
}

/** Hands out the request body as `http.request`/`sse.request` chunks, in order. */
export interface BodySource {
  /** The next chunk; the last one has `more: false`. Never called again after that. */
  next(): Promise<BodyChunk>;
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function single(body: Buffer): BodySource {
  return { next: async () => ({ body, more: false }) };
}

/** Resolves after every already-queued promise callback has run (one macrotask turn). */
function settleTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * An iterable body, read one step ahead where that costs no waiting: `more` must be false on the
 * last chunk (protocol.md §4.1.1), and only the next step tells whether the current chunk is the
 * last. If the next step is not ready yet, the current chunk goes out now with `more: true` (and
 * an empty final chunk follows if the iterable then ends), as a server delivers a chunk as soon as
 * it arrives: an app that answers each chunk before the client sends the next must not deadlock.
 */
function chunked(iterable: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): BodySource {
  const it: AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string> =
    Symbol.asyncIterator in iterable
      ? (iterable as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]()
      : (iterable as Iterable<Uint8Array | string>)[Symbol.iterator]();
  let ahead: Promise<IteratorResult<Uint8Array | string>> | undefined;
  const step = () => Promise.resolve(it.next());
  return {
    async next() {
      const current = await (ahead ?? step());
      if (current.done) return { body: Buffer.alloc(0), more: false };
      const following = step();
      ahead = following;
      let ready: IteratorResult<Uint8Array | string> | undefined;
      following.then(
        (result) => {
          ready = result;
        },
        () => {},
      );
      // A step that is already available (arrays, generators that do not wait) settles within
      // this turn; only a step that really waits on the producer leaves `ready` unset.
      await settleTurn();
      return { body: toBuffer(current.value), more: ready === undefined || !ready.done };
    },
  };
}

/** What a request puts on the wire: the body source plus the headers that describe it. */
export interface PreparedBody {
  source: BodySource;
  headers: HeaderList;
}

/**
 * Resolves the `body`/`json`/`form` options into a body source and the content headers a real
 * client would send: `content-length` for a known body, `transfer-encoding: chunked` for an
 * iterable on HTTP/1.1, `content-type` for json and form. No body means no content headers.
 */
export function prepareBody(
  opts: { body?: BodyInit | undefined; json?: unknown; form?: Record<string, string | string[]> | undefined },
  httpVersion: string,
): PreparedBody {
  if (opts.json !== undefined) {
    const bytes = Buffer.from(JSON.stringify(opts.json), 'utf8');
    return {
      source: single(bytes),
      headers: [
        ['content-type', 'application/json'],
        ['content-length', String(bytes.length)],
      ],
    };
  }
  if (opts.form !== undefined) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.form)) {
      if (Array.isArray(v)) for (const x of v) params.append(k, x);
      else params.append(k, v);
    }
    const bytes = Buffer.from(params.toString(), 'utf8');
    return {
      source: single(bytes),
      headers: [
        ['content-type', 'application/x-www-form-urlencoded'],
        ['content-length', String(bytes.length)],
      ],
    };
  }
  const body = opts.body;
  if (body === undefined) return { source: single(Buffer.alloc(0)), headers: [] };
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = toBuffer(body);
    return { source: single(bytes), headers: [['content-length', String(bytes.length)]] };
  }
  // HTTP/2 has no chunked framing: DATA frames carry the body without a length header.
  const headers: HeaderList = httpVersion === '1.1' ? [['transfer-encoding', 'chunked']] : [];
  return { source: chunked(body), headers };
}
