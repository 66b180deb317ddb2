import type { ServerResponse } from 'node:http';
import { constants, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { DisconnectReason } from '@pagi/spec';
import { refuse } from '../http/simple-response.js';
import type { Logger } from '../internal/context.js';
import { readDeadlinePassed } from '../net/read-clock.js';
import type { SlotList } from './slot-list.js';
import type { StreamSlot } from './stream-slot.js';

/** What the sweep reads of an HTTP/2 connection (http2-handler.ts `SessionRecord`). */
export interface DeadlineSession {
  readonly session: ServerHttp2Session;
  readonly socket: Socket;
  /** Streams running an exchange. */
  readonly streams: SlotList<StreamSlot>;
  /** SSE and WebSocket streams still open, with their send clocks ({@link watchLongLived}). */
  readonly longLived: ReadonlyMap<ServerHttp2Stream, LongLivedClock>;
  /**
   * The highest stream id whose header block is known complete: node's 'stream' event, or a PING
   * answered after the block began (a stream nghttp2 or node reset, which node never emits).
   */
  lastStreamId: number;
  /** The header block the sweep is timing (its stream id, 0 = none) and since when. */
  headersPendingId: number;
  headersPendingSince: number;
  /** The socket's bytesRead at the last look at the session's state (no new bytes, no new block). */
  headersReadBytes: number;
}

/** What the sweep reads of the exchange running on a stream (implemented by HttpExchange). */
interface DeadlineExchange {
  readonly req: { readonly complete: boolean; readonly readableLength: number };
  readonly res: ServerResponse;
  readonly untouched: boolean;
  /** Response body bytes handed to the stream so far. */
  readonly bytesSent: number;
  fail(reason: DisconnectReason): void;
  abort(reason: DisconnectReason): void;
}

/**
 * The send clock of an SSE or WebSocket stream. Their writers have no byte count the sweep can
 * read, so progress is what the stream's queue shows: it emptied, it shrank since the last sweep,
 * or node emitted 'drain' since then. A queue that only grows (SSE keepalive comments, events
 * written into a stalled stream) is no progress.
 */
export interface LongLivedClock {
  queued: number;
  drains: number;
  seenDrains: number;
  since: number | undefined;
}

/** Tracks an SSE or WebSocket stream on its connection until it closes (one closure each: long-lived). */
export function watchLongLived(
  streams: Map<ServerHttp2Stream, LongLivedClock>,
  stream: ServerHttp2Stream,
): void {
  const clock: LongLivedClock = { queued: 0, drains: 0, seenDrains: 0, since: undefined };
  streams.set(stream, clock);
  stream.on('drain', () => {
    clock.drains++;
  });
  stream.once('close', () => {
    streams.delete(stream);
  });
}

/**
 * Asks the client for a PING acknowledgement to tell a header block that completed but whose
 * stream node never emitted (nghttp2 reset it as malformed, node refused it) from one still
 * unfinished. A header block is a contiguous run of frames (RFC 9113 §4.3): a PING ACK arriving
 * while one is open is a connection error, so an answered PING sent after `begun` began proves
 * that block ended. Until then, or if the client never answers, the block is timed as before; a
 * slow loris cannot answer without ending its block or its connection. One PING per new block
 * seen on a connection with no open stream; node caps the PINGs in flight (maxOutstandingPings).
 */
function proveBlockEnded(record: DeadlineSession, begun: number): void {
  try {
    record.session.ping((error) => {
      if (error === null && begun > record.lastStreamId) record.lastStreamId = begun;
    });
  } catch {
    // The session is closing: nothing left to time.
  }
}

export interface H2DeadlineSettings {
  headersTimeout: number;
  requestReadTimeout: number;
  sendTimeout: number;
}

/**
 * The HTTP/1.1 slow-client deadlines on HTTP/2, where one connection carries many requests, so
 * they apply per stream (src/net/connection-guard.ts has the HTTP/1.1 ones):
 *
 * - **`requestReadTimeout`**: a stream's request (its body, the header block having arrived whole)
 *   must arrive within it, on the same clock as HTTP/1.1 (src/net/read-clock.ts: paused while
 *   received bytes wait for the app). Past it: **408** on the stream if nothing was sent (then
 *   RST_STREAM NO_ERROR so the client stops sending), else RST_STREAM and `client_timeout`.
 * - **`sendTimeout`**: a stream whose queued response bytes make no progress for that long — the
 *   peer keeps its flow-control window at 0, or the socket does not drain — is reset with
 *   RST_STREAM CANCEL; the app gets `write_timeout` and its `await send()` is released. Progress
 *   is the body bytes handed to the stream minus those still queued on it, so a slow but
 *   steady reader, or an app writing into a stalled stream, is judged by what actually left.
 * - **`headersTimeout`** (slow loris): a header block that the client began (nghttp2 counts its
 *   stream as processed at the first HEADERS frame) but has not finished for that long, on a
 *   connection with no open stream, closes the connection (GOAWAY). nghttp2 holds a partial
 *   block without telling node, so this is read from the session's state by the sweep. A
 *   connection with open streams is left to their own deadlines: a block nghttp2 refused (over
 *   the stream limit) also never completes, and must not cut the streams that run.
 *
 * One sweep timer per server over every connection and its running streams, as for HTTP/1.1:
 * no timer per stream or per write, and the per-stream cost is four fields on its slot.
 */
export class H2Deadlines {
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly every: number;

  constructor(
    private readonly settings: H2DeadlineSettings,
    private readonly sessions: ReadonlySet<DeadlineSession>,
    private readonly logger: Logger,
  ) {
    const { headersTimeout: h, requestReadTimeout: r, sendTimeout: s } = settings;
    const smallest = Math.min(h > 0 ? h : Infinity, r > 0 ? r : Infinity, s > 0 ? s : Infinity);
    // A quarter of the shortest timeout, between 25 ms and 1 s, as the HTTP/1.1 sweep.
    this.every = smallest === Infinity ? 0 : Math.max(25, Math.min(1000, Math.floor(smallest / 4)));
  }

  /** A connection opened: sweeps from now on (no-op when running, or when every timeout is off). */
  start(): void {
    if (this.every === 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => this.sweep(), this.every);
    this.timer.unref();
  }

  /** The last connection closed. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  sweep(): void {
    const now = performance.now();
    const { headersTimeout, requestReadTimeout: read, sendTimeout: send } = this.settings;
    for (const record of this.sessions) {
      if (headersTimeout > 0 && this.headersExpired(record, now, headersTimeout)) continue;
      if (read <= 0 && send <= 0) continue;
      for (const slot of record.streams) {
        const ex = slot.current as unknown as DeadlineExchange | undefined;
        if (ex === undefined) continue;
        const req = ex.req;
        if (read > 0 && !req.complete && readDeadlinePassed(slot, req, now, read)) {
          this.readExpired(slot, ex, read);
          continue;
        }
        if (send > 0) this.checkSend(slot, ex, now, send);
      }
      if (send > 0)
        for (const [stream, clock] of record.longLived) this.checkLongLived(stream, clock, now, send);
    }
  }

  private headersExpired(record: DeadlineSession, now: number, limit: number): boolean {
    const session = record.session;
    if (session.destroyed || record.streams.size > 0 || record.longLived.size > 0) {
      record.headersPendingId = 0;
      return false;
    }
    // Nothing arrived since the last look: no header block can have begun (saves a native call
    // per idle connection per sweep).
    const read = record.socket.bytesRead;
    if (record.headersPendingId === 0 && read === record.headersReadBytes) return false;
    record.headersReadBytes = read;
    // `{}` once the session is closing; the id of the newest stream whose HEADERS arrived.
    const begun = (session.state as { lastProcStreamID?: number }).lastProcStreamID ?? 0;
    if (begun <= record.lastStreamId) {
      record.headersPendingId = 0;
      return false;
    }
    if (record.headersPendingId !== begun) {
      record.headersPendingId = begun;
      record.headersPendingSince = now;
      proveBlockEnded(record, begun);
      return false;
    }
    if (now - record.headersPendingSince < limit) return false;
    record.headersPendingId = 0;
    this.logger.debug(`HTTP/2 header block not completed within headersTimeout (${limit} ms); closing`);
    // GOAWAY (node sends it as it tears the session down), then the socket is closed.
    session.destroy(undefined, constants.NGHTTP2_NO_ERROR);
    return true;
  }

  private readExpired(slot: StreamSlot, ex: DeadlineExchange, limit: number): void {
    this.logger.debug(
      `HTTP/2 request not received within requestReadTimeout (${limit} ms); resetting the stream`,
    );
    const stream = slot.stream;
    if (ex.untouched && !stream.closed && !stream.destroyed) {
      // As HTTP/1.1's 408, on the stream; the reset that follows tells the client to stop sending.
      refuse(ex.res, 408, `request not received within ${limit} ms`);
      ex.fail('client_timeout');
      if (!stream.closed) stream.close(constants.NGHTTP2_NO_ERROR);
    } else ex.abort('client_timeout');
  }

  private checkSend(slot: StreamSlot, ex: DeadlineExchange, now: number, limit: number): void {
    const stream = slot.stream;
    const queued = stream.writableLength;
    if (queued === 0) {
      slot.sendStallSince = undefined;
      return;
    }
    const progress = ex.bytesSent - queued;
    if (slot.sendStallSince === undefined || slot.sendProgress !== progress) {
      slot.sendProgress = progress;
      slot.sendStallSince = now;
      return;
    }
    if (now - slot.sendStallSince < limit) return;
    slot.sendStallSince = undefined;
    this.logger.debug(
      `HTTP/2 client took no response bytes for sendTimeout (${limit} ms); resetting the stream`,
    );
    // CANCEL (RFC 9113 §7: the stream is no longer needed); the exchange's own cut is then a no-op.
    if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
    ex.abort('write_timeout');
  }

  private checkLongLived(stream: ServerHttp2Stream, clock: LongLivedClock, now: number, limit: number): void {
    const queued = stream.writableLength;
    const moved = queued === 0 || queued < clock.queued || clock.drains !== clock.seenDrains;
    clock.queued = queued;
    clock.seenDrains = clock.drains;
    if (moved || clock.since === undefined) {
      clock.since = queued === 0 ? undefined : now;
      return;
    }
    if (now - clock.since < limit) return;
    clock.since = undefined;
    this.logger.debug(
      `HTTP/2 client took no bytes of a long-lived stream for sendTimeout (${limit} ms); resetting it`,
    );
    // The SSE or WebSocket session sees its stream close (sse.disconnect, close 1006).
    if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
  }
}
