import type { Receive } from '@pagi/spec';

/** What a request body read rejects with when the client goes away (as `fetch` aborts do). */
export function goneError(): DOMException {
  return new DOMException('The client went away', 'AbortError');
}

/**
 * The request body as a pull stream over `receive()`: one `http.request` per pull, so nothing
 * is read ahead of the handler (highWaterMark 0). A disconnect errors the stream.
 */
export function requestBodyStream(receive: Receive<'http'>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const event = await receive();
          if (event.type !== 'http.request') {
            controller.error(goneError());
            return;
          }
          const chunk = event.body;
          const more = event.more === true;
          if (chunk !== undefined && chunk.byteLength > 0) controller.enqueue(chunk);
          if (!more) {
            controller.close();
            return;
          }
          if (chunk !== undefined && chunk.byteLength > 0) return;
        }
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The whole request body read straight from `receive()`, for `text()`/`json()`/`arrayBuffer()`/
 * `bytes()`, which hold the whole body anyway: no stream, no real `Request`. The chunks are
 * returned as they came (a fresh view per chunk); a disconnect rejects with an AbortError.
 */
export async function readWholeBody(receive: Receive<'http'>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const event = await receive();
    if (event.type !== 'http.request') throw goneError();
    const chunk = event.body;
    if (chunk !== undefined && chunk.byteLength > 0) chunks.push(chunk);
    if (event.more !== true) return chunks;
  }
}
