import { FLAG, FRAME, frame, type RawH2, rawH2 } from '../http2/raw-frames.js';
import { deferred } from './start-server.js';

/** A WINDOW_UPDATE frame (RFC 9113 §6.9). */
function windowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment);
  return frame(FRAME.WINDOW_UPDATE, 0, streamId, payload);
}

/**
 * Reads stream `streamId` of `client` as a slow but steady client does: every `everyMs` it takes
 * the frames received so far and opens `step` more bytes of window on the connection and the
 * stream, until the stream's END_STREAM. Resolves with the DATA bytes received; rejects if the
 * server resets the stream (what a sendTimeout must not do to such a reader).
 */
export async function readSteadily(
  client: RawH2,
  streamId = 1,
  step = 16384,
  everyMs = 100,
): Promise<number> {
  let received = 0;
  let ended = false;
  const done = deferred<void>();
  const timer = setInterval(() => {
    for (const f of client.frames.splice(0)) {
      if (f.streamId !== streamId) continue;
      if (f.type === FRAME.RST_STREAM)
        done.reject(new Error(`the stream was reset (${f.payload.readUInt32BE(0)}) after ${received} bytes`));
      if (f.type !== FRAME.DATA) continue;
      received += f.payload.length;
      if ((f.flags & FLAG.END_STREAM) !== 0) ended = true;
    }
    if (ended) done.resolve();
    else client.send(windowUpdate(0, step), windowUpdate(streamId, step));
  }, everyMs);
  try {
    await done.promise;
  } finally {
    clearInterval(timer);
  }
  return received;
}

/**
 * Opens a raw HTTP/2 connection to `port`, sends `headers` (a request's HEADERS frame, stream 1)
 * and reads the answer with {@link readSteadily}; the connection is destroyed afterwards.
 */
export async function requestSteadily(port: number, headers: Buffer): Promise<number> {
  const client = await rawH2(port);
  client.send(headers);
  try {
    return await readSteadily(client);
  } finally {
    client.socket.destroy();
  }
}
