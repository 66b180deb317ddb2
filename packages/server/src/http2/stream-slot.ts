import { constants, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { ConnectionSlot, SlotExchange } from '../http/connection-slot.js';
import type { H2StreamResponse } from './h2-stream-io.js';
import type { ListedSlot, SlotList } from './slot-list.js';

/** What a stream slot knows of its connection (http2-handler.ts `SessionRecord`). */
export interface StreamConnection {
  readonly socket: Socket;
  readonly session: ServerHttp2Session;
  readonly client: [string, number] | undefined;
  readonly server: [string, number] | [string, null] | undefined;
  readonly streams: SlotList<StreamSlot>;
}

/** The exchange as a stream slot drives it (implemented by HttpExchange). */
export interface StreamExchange extends SlotExchange {
  onSocketClose(): void;
  abort(reason: 'server_shutdown'): void;
}

/**
 * The slot of one HTTP/2 stream: the exchange's carrier is the stream, not the connection, so
 * "drop the carrier" resets the stream (RST_STREAM) and leaves the other streams alone; the
 * stream's own queue is the backpressure (`await send()` waits for its flow-control window).
 */
export class StreamSlot implements ConnectionSlot, ListedSlot<StreamSlot> {
  readonly socket: Socket;
  readonly writable: ServerHttp2Stream;
  readonly stream: ServerHttp2Stream;
  readonly connection: StreamConnection;
  current: StreamExchange | undefined = undefined;
  /** Meaningless per stream (the connection carries on); written by the shared exchange code. */
  closeAfter = false;
  client: [string, number] | undefined;
  server: [string, number] | [string, null] | undefined;
  /** The stream's `requestReadTimeout` and `sendTimeout` clocks, read by the sweep (h2-deadlines.ts). */
  readSince: number | undefined = undefined;
  readPausedAt: number | undefined = undefined;
  sendProgress = 0;
  sendStallSince: number | undefined = undefined;
  readonly appFulfilled = (): void => {
    this.current?.appSettledWith(undefined, false);
  };
  readonly appRejected = (error: unknown): void => {
    this.current?.appSettledWith(error, true);
  };
  /** Links in the connection's list of running streams (slot-list.ts). */
  prevSlot: StreamSlot | undefined = undefined;
  nextSlot: StreamSlot | undefined = undefined;
  listed = false;
  /** The response of a plain (stream API) exchange, told of the close first (h2-stream-io.ts). */
  response: H2StreamResponse | undefined = undefined;
  /**
   * The stream's 'close' listener: a closure rather than a shared function that would find the
   * slot on the stream (nothing is stored on node's stream object, see h2-stream-io.ts).
   */
  readonly onStreamClose = (): void => {
    this.connection.streams.delete(this);
    this.response?.streamClosed(this.connection.session.destroyed);
    this.current?.onSocketClose();
  };

  constructor(connection: StreamConnection, stream: ServerHttp2Stream) {
    this.connection = connection;
    this.socket = connection.socket;
    this.stream = stream;
    this.writable = stream;
    this.client = connection.client;
    this.server = connection.server;
  }

  done(exchange: SlotExchange): void {
    if (this.current !== exchange) return;
    this.current = undefined;
  }

  /** RFC 9113 §8.1: a response cut short is reset, INTERNAL_ERROR, so the client never takes it as whole. */
  cut(): void {
    if (!this.stream.closed && !this.stream.destroyed) this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  cutStarted(): void {
    this.cut();
  }
}
