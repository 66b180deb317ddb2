/**
 * The response-body pump every body-rewriting middleware (compression, ETag, a debug panel)
 * would otherwise write by hand: hold the start event until the first body event, decide, edit the
 * headers, feed each chunk through the transform with one awaited inner `send` per output chunk
 * (backpressure), map `http.fullflush` to a flush of the transform, read `file`/`fh` bodies in
 * bounded chunks when a reader is given, skip HEAD/1xx/204/304/ranged responses, and release the
 * transform when the response ends early (throw, disconnect).
 */
import { toBytes } from '../bytes.js';
import { deleteHeader } from '../header-list.js';
import type {
  HeaderList,
  HttpResponseBodyEvent,
  HttpResponseStartEvent,
  HttpScope,
  ProtocolApp,
  Receive,
  Send,
} from '../types.js';
import { isUntransformable } from './response-skip.js';

/** What a transform step gives back: one chunk, several, or none yet. */
export type Chunks = Uint8Array | readonly Uint8Array[] | undefined;

/** A streaming byte transform, one per response. */
export interface BodyTransform {
  /** Bytes in; the bytes ready to go out (possibly none yet). */
  write(chunk: Uint8Array): Chunks | Promise<Chunks>;
  /** Everything held back so far; called for `http.fullflush`. */
  flush(): Chunks | Promise<Chunks>;
  /** The last bytes, when the body is complete. */
  end(): Chunks | Promise<Chunks>;
  /** Releases resources when the response ends before `end()` (the app threw, the client left). */
  destroy?(): void;
}

/** A body event that carries a file (`file` path or `fh` handle) instead of bytes. */
export type FileBodyEvent =
  | Extract<HttpResponseBodyEvent, { file: string }>
  | Extract<HttpResponseBodyEvent, { fh: unknown }>;

/** Reads a file body in bounded chunks (see `readFileBody` in `@pagi/spec/middleware/node`). */
export type FileBodyReader = (event: FileBodyEvent) => AsyncIterable<Uint8Array>;

/** What `begin` decides for one response: its new headers and the transform for its body. */
export interface TransformPlan {
  headers: HeaderList;
  transform: BodyTransform;
}

export interface TransformBodyOptions {
  /**
   * Reads `file`/`fh` bodies so they can be transformed. Without it (the default, so the core
   * stays usable where there is no file system), a response whose first body event is a file is
   * passed through untransformed.
   */
  readFile?: FileBodyReader;
}

function isFile(event: HttpResponseBodyEvent): event is FileBodyEvent {
  return event.file !== undefined || event.fh !== undefined;
}

/**
 * Runs `app` with a `send` that pipes the response body through a transform. For each response
 * that can carry a rewritable body, `begin(headers, start, first)` is called once, when the first
 * body event arrives (`first`; `undefined` when a flush or trailers come first: a size threshold
 * knows the whole body when `first.more` is not true), and returns the new headers and the
 * transform, or `undefined` to leave the response as it is. `content-length` is removed from the
 * new headers (the length changes). Errors pass through unchanged; the transform is destroyed if the body did not complete.
 *
 * @example
 * http: (scope, receive, send, app) =>
 *   transformBody(app, scope, receive, send, (headers) => ({ headers: setHeader(headers, 'content-encoding', 'gzip'), transform: gzip() }))
 */
export async function transformBody(
  app: ProtocolApp<'http'>,
  scope: HttpScope,
  receive: Receive<'http'>,
  send: Send<'http'>,
  begin: (
    headers: HeaderList,
    start: HttpResponseStartEvent,
    first: HttpResponseBodyEvent | undefined,
  ) => TransformPlan | undefined,
  options: TransformBodyOptions = {},
): Promise<unknown> {
  const readFile = options.readFile;
  let held: HttpResponseStartEvent | undefined;
  let transform: BodyTransform | undefined;
  let passthrough = false;
  let finished = false;

  const emit = async (chunks: Chunks): Promise<void> => {
    if (chunks === undefined) return;
    if (chunks instanceof Uint8Array) {
      if (chunks.byteLength > 0) await send({ type: 'http.response.body', body: chunks, more: true });
      return;
    }
    for (const chunk of chunks) {
      if (chunk.byteLength > 0) await send({ type: 'http.response.body', body: chunk, more: true });
    }
  };

  /** Sends the held start, transformed or not, before the first body/flush/trailers event. */
  const decide = async (first: HttpResponseBodyEvent | undefined): Promise<void> => {
    const start = held!;
    held = undefined;
    const plan =
      first !== undefined && isFile(first) && readFile === undefined
        ? undefined
        : begin(start.headers ?? [], start, first);
    if (plan === undefined) {
      passthrough = true;
      await send(start);
      return;
    }
    transform = plan.transform;
    scope['pagi.connection']?.on_disconnect?.(() => {
      if (finished) return;
      finished = true; // later body events go to the server, which drops them (D-6)
      transform?.destroy?.();
    });
    await send({ ...start, headers: deleteHeader(plan.headers, 'content-length') });
  };

  const body = async (event: HttpResponseBodyEvent, active: BodyTransform): Promise<void> => {
    if (isFile(event)) {
      for await (const chunk of readFile!(event)) await emit(await active.write(chunk));
    } else {
      const bytes = toBytes(event.body);
      if (bytes.byteLength > 0) await emit(await active.write(bytes));
    }
    if (event.more === true) return;
    const last = await active.end();
    finished = true;
    await emit(last);
    await send({ type: 'http.response.body', more: false });
  };

  const transformedSend: Send<'http'> = async (event) => {
    if (passthrough) return send(event);
    switch (event.type) {
      case 'http.response.start':
        if (held !== undefined || transform !== undefined || isUntransformable(scope, event)) {
          passthrough = held === undefined && transform === undefined;
          return send(event); // a second start reaches the server, which rejects it (D-6)
        }
        held = event; // nothing went out yet; resolved at once
        return;
      case 'http.response.body':
        if (held !== undefined) await decide(event);
        if (passthrough || transform === undefined || finished) return send(event);
        return body(event, transform);
      case 'http.fullflush':
        if (held !== undefined) await decide(undefined);
        if (!passthrough && transform !== undefined && !finished) await emit(await transform.flush());
        return send(event);
      default:
        if (held !== undefined) await decide(undefined);
        return send(event);
    }
  };

  let returned = false;
  try {
    const result = await app(scope, receive, transformedSend);
    returned = true;
    return result;
  } finally {
    if (transform !== undefined && !finished) {
      finished = true;
      transform.destroy?.();
    }
    // A start with no body after it: let the server see what the app did.
    if (returned && held !== undefined) await send(held);
  }
}
