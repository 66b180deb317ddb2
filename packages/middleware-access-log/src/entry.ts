/**
 * Per-connection bookkeeping: what the inner app sent (status, body bytes) and the request fields
 * a line reports. One object per request, holding the wrapped `send` as a method.
 */
// Imported, not the globals: node defines global `Buffer` and `performance` as getters, a call
// per use (~0.1k instructions each) on this per-request path.
import { Buffer } from 'node:buffer';
import { fstat, stat } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import {
  type AccessLogEntry,
  type ConnectionScope,
  formatSseComment,
  formatSseMessage,
  getHeader,
} from '@pagi/spec';

const fstatAsync = promisify(fstat);
const statAsync = promisify(stat);

/** UTF-8 length of a string; Buffer.byteLength counts without encoding a copy. */
function utf8Length(text: string): number {
  return Buffer.byteLength(text);
}

function bodyLength(body: unknown): number {
  if (body === undefined) return 0;
  if (typeof body === 'string') return utf8Length(body);
  return (body as Uint8Array).byteLength;
}

interface FileRangeEvent {
  file?: string;
  fh?: FileHandle | number;
  offset?: number;
  length?: number;
}

/**
 * Bytes a `file`/`fh` body puts on the wire (protocol.md D-9): `length` when given, else the file
 * size after `offset`. The size is read when the event is sent, while the app still holds the
 * handle open; a file that cannot be stat'ed counts 0 (the server's send fails on it anyway).
 */
export async function fileBodyLength(event: FileRangeEvent): Promise<number> {
  const offset = event.offset ?? 0;
  let size: number;
  try {
    if (event.file !== undefined) size = (await statAsync(event.file)).size;
    else if (typeof event.fh === 'number') size = (await fstatAsync(event.fh)).size;
    else if (event.fh !== undefined) size = (await event.fh.stat()).size;
    else return 0;
  } catch {
    return 0;
  }
  const left = Math.max(0, size - offset);
  return event.length === undefined ? left : Math.min(event.length, left);
}

/** Tracks one connection; the handler reads `status`, `bytes` and `completed` when it ends. */
export class ConnectionRecord {
  status = 0;
  bytes = 0;
  /** The response was fully sent (final body event, or an SSE/WebSocket that was answered). */
  completed = false;
  /** Sizes of file bodies still being measured. */
  pending: Promise<number>[] | undefined;
  /** When the connection started; 0 when the format reports no duration (common, combined). */
  readonly startedAt: number;
  /** The promise of the last event handed on, and the record as it was before that event. */
  private last: Promise<void> | undefined;
  private before: { status: number; bytes: number; completed: boolean; pending: number } = {
    status: 0,
    bytes: 0,
    completed: false,
    pending: 0,
  };

  constructor(
    readonly scope: ConnectionScope,
    private readonly inner: (event: never) => Promise<void>,
    private readonly countBody: boolean,
    private readonly timed: boolean,
  ) {
    this.startedAt = timed ? performance.now() : 0;
    // A closure, not `bind`: `Function.prototype.bind` runs in C++ and costs ~0.4 k instructions.
    this.send = (event) => this.sent(event);
  }

  /** The `send` the inner app gets. */
  readonly send: (event: { type: string; [key: string]: unknown }) => Promise<void>;

  /**
   * Hands the event on and records what it reports, returning the inner send's own promise: no
   * async wrapper, so no extra promise and microtask turn per event. The record is written when
   * the event is handed on, not when it was delivered; the state before it is kept, and
   * `settle()` puts it back if that last send rejected (the app awaits each send, so only the
   * last one can still be unconfirmed when it returns or throws).
   */
  private sent(event: { type: string; [key: string]: unknown }): Promise<void> {
    const done = this.inner(event as never);
    const before = this.before;
    before.status = this.status;
    before.bytes = this.bytes;
    before.completed = this.completed;
    before.pending = this.pending?.length ?? 0;
    this.last = done;
    this.note(event);
    return done;
  }

  private note(event: { type: string; [key: string]: unknown }): void {
    switch (event.type) {
      case 'http.response.start':
      case 'sse.http.response.start':
      case 'websocket.http.response.start':
        this.status = event.status as number;
        return;
      case 'http.response.body':
      case 'sse.http.response.body':
      case 'websocket.http.response.body':
        if (this.countBody) {
          if (event.file !== undefined || event.fh !== undefined) {
            (this.pending ??= []).push(fileBodyLength(event as FileRangeEvent));
          } else {
            this.bytes += bodyLength(event.body);
          }
        }
        if (event.more !== true) this.completed = true;
        return;
      case 'websocket.accept':
        this.status = 101;
        this.completed = true;
        return;
      case 'websocket.send':
        this.bytes += event.text !== undefined ? utf8Length(event.text as string) : bodyLength(event.bytes);
        return;
      case 'websocket.close':
        // A close before accept is answered with a bare 403 (protocol.md §4.2.6).
        if (this.status === 0) {
          this.status = 403;
          this.completed = true;
        }
        return;
      case 'sse.start':
        this.status = (event.status as number | undefined) ?? 200;
        this.completed = true;
        return;
      case 'sse.send':
        this.bytes += utf8Length(formatSseMessage(event as never));
        return;
      case 'sse.comment':
        this.bytes += utf8Length(formatSseComment(event.comment as string));
        return;
    }
  }

  /** Takes back what the last event recorded if its send rejected: it delivered nothing. */
  async verify(): Promise<void> {
    const last = this.last;
    if (last === undefined) return;
    try {
      await last;
    } catch {
      const before = this.before;
      this.status = before.status;
      this.bytes = before.bytes;
      this.completed = before.completed;
      if (this.pending !== undefined) this.pending.length = before.pending;
    }
  }

  /** Adds the sizes of file bodies still being measured to `bytes` (call before `entry()`). */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) for (const size of await Promise.all(pending)) this.bytes += size;
  }

  /** The entry for the line, once the inner app has returned or thrown and `settle()` is done. */
  entry(): AccessLogEntry {
    const scope = this.scope;
    const query = scope.query_string;
    // Nothing sent: the server answers 500 for an app that failed or never answered (D-12). Started
    // but not finished: the server aborts the response, so no status reached the client: 0.
    let status = this.status === 0 ? 500 : this.completed ? this.status : 0;
    // A client gone before anything was sent gets no 500 either: nothing reached it.
    if (
      this.status === 0 &&
      scope.type === 'http' &&
      scope['pagi.connection']?.disconnect_reason?.() !== undefined
    ) {
      status = 0;
    }
    const headers = scope.headers;
    return {
      client: scope.client?.[0] ?? '-',
      method: scope.type === 'websocket' ? 'GET' : scope.method,
      target: (scope.raw_path ?? scope.path) + (query === '' || query === undefined ? '' : `?${query}`),
      httpVersion: scope.http_version,
      status,
      bytes: this.bytes,
      durationMs: this.timed ? performance.now() - this.startedAt : 0,
      referer: getHeader(headers, 'referer'),
      userAgent: getHeader(headers, 'user-agent'),
      protocol: scope.type,
    };
  }
}
