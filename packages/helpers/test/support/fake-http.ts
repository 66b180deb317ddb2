/**
 * A tiny in-process driver for HTTP-level unit tests that need to see raw events (backpressure,
 * file bodies, disconnects at an exact byte). Integration tests use `@pagi/test`.
 */
import { readFile } from 'node:fs/promises';
import type { App, ConnectionState, DisconnectReason, HeaderList, HttpScope, SendEvent } from '@pagi/spec';

export class FakeConnection implements ConnectionState {
  connected = true;
  started = false;
  reason: DisconnectReason | undefined;
  readonly #onDisconnect: Array<(r: DisconnectReason) => void> = [];
  readonly #onComplete: Array<() => void> = [];
  completed = false;

  is_connected(): boolean {
    return this.connected;
  }
  disconnect_reason(): DisconnectReason | undefined {
    return this.reason;
  }
  on_disconnect(cb: (reason: DisconnectReason) => void): void {
    if (this.reason !== undefined) cb(this.reason);
    else this.#onDisconnect.push(cb);
  }
  on_complete(cb: () => void): void {
    if (this.completed) cb();
    else this.#onComplete.push(cb);
  }
  response_started(): boolean {
    return this.started;
  }
  drop(reason: DisconnectReason = 'client_closed'): void {
    if (!this.connected) return;
    this.connected = false;
    this.reason = reason;
    for (const cb of this.#onDisconnect.splice(0)) cb(reason);
  }
  finish(): void {
    if (!this.connected || this.completed) return;
    this.completed = true;
    this.connected = false;
    for (const cb of this.#onComplete.splice(0)) cb();
  }
}

export interface FakeRequest {
  method?: string;
  path?: string;
  query?: string;
  headers?: HeaderList;
  /** Body chunks, one `http.request` each. */
  chunks?: Array<Uint8Array | string>;
  /** Drop the client after this many chunks were received. */
  disconnectAfterChunks?: number;
  /** Called for each send; may return a promise to delay it (backpressure). */
  onSend?: (event: SendEvent<'http'>, log: string[]) => unknown;
  scope?: Partial<HttpScope>;
}

export interface FakeResult {
  status: number;
  headers: HeaderList;
  body: Buffer;
  events: SendEvent<'http'>[];
  connection: FakeConnection;
  error: unknown;
  log: string[];
  header(name: string): string | undefined;
}

export function makeScope(req: FakeRequest, connection = new FakeConnection()): HttpScope {
  return {
    type: 'http',
    pagi: { version: '0.3', spec_version: '0.3' },
    http_version: '1.1',
    scheme: 'http',
    method: req.method ?? 'GET',
    path: req.path ?? '/',
    raw_path: req.path ?? '/',
    query_string: req.query ?? '',
    root_path: '',
    headers: req.headers ?? [['host', 'example.test']],
    extensions: {},
    'pagi.connection': connection,
    ...req.scope,
  };
}

export async function runHttp(app: App, req: FakeRequest = {}): Promise<FakeResult> {
  const connection = new FakeConnection();
  const scope = makeScope(req, connection);
  const chunks = (req.chunks ?? ['']).map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
  const events: SendEvent<'http'>[] = [];
  const log: string[] = [];
  let index = 0;
  let parked: (() => void) | undefined;
  const parkedDone = new Promise<void>((r) => (parked = r));
  const receive = async () => {
    if (req.disconnectAfterChunks !== undefined && index >= req.disconnectAfterChunks) {
      connection.drop('client_closed');
      return { type: 'http.disconnect' as const };
    }
    if (index < chunks.length) {
      const body = chunks[index]!;
      index++;
      log.push(`receive:${index}`);
      return { type: 'http.request' as const, body, more: index < chunks.length };
    }
    // D-7: after the body, wait until the response is done.
    await parkedDone;
    return { type: 'http.disconnect' as const };
  };
  const send = async (event: SendEvent<'http'>) => {
    if (!connection.connected) return;
    events.push(event);
    if (event.type === 'http.response.start') connection.started = true;
    await req.onSend?.(event, log);
  };
  let error: unknown;
  try {
    await app(scope, receive as never, send as never);
  } catch (e) {
    error = e;
  }
  const start = events.find((e) => e.type === 'http.response.start') as
    | { status: number; headers?: HeaderList }
    | undefined;
  const parts: Buffer[] = [];
  for (const e of events) {
    if (e.type !== 'http.response.body') continue;
    if (e.file !== undefined) {
      const data = await readFile(e.file);
      const offset = e.offset ?? 0;
      parts.push(data.subarray(offset, e.length === undefined ? undefined : offset + e.length));
    } else if (e.body !== undefined) {
      parts.push(typeof e.body === 'string' ? Buffer.from(e.body) : Buffer.from(e.body));
    }
  }
  const last = events.at(-1) as { type: string; more?: boolean } | undefined;
  if (connection.connected && last?.type === 'http.response.body' && !last.more) connection.finish();
  parked?.();
  const headers = start?.headers ?? [];
  return {
    status: start?.status ?? 0,
    headers,
    body: Buffer.concat(parts),
    events,
    connection,
    error,
    log,
    header: (name) => headers.find(([n]) => n === name)?.[1],
  };
}
