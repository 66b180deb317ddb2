import type { Receive, ReceiveEvent } from '@pagi/spec';
import { HttpError } from '@pagi/spec/middleware';

/** Thrown by {@link bodyChunks} when the client leaves before the body ends; carries the event. */
export class BodyDisconnected extends Error {
  readonly event: ReceiveEvent<'http'>;
  constructor(event: ReceiveEvent<'http'>) {
    super('the client disconnected before the request body ended');
    this.event = event;
  }
}

/**
 * The request body chunk by chunk, pulled from `receive` only when the consumer asks for the
 * next one (so a slow parser or disk applies backpressure). 413 as soon as more than `limit`
 * bytes came: the rest is never read.
 */
export async function* bodyChunks(receive: Receive<'http'>, limit: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for (;;) {
    const event = await receive();
    if (event.type === 'http.disconnect') throw new BodyDisconnected(event);
    size += event.body.byteLength;
    if (size > limit) throw new HttpError(413, { detail: `request body larger than ${limit} bytes` });
    if (event.body.byteLength > 0) yield event.body;
    if (!event.more) return;
  }
}
