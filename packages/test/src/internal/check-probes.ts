import type { App, HeaderList, Scope } from '@pagi/spec';
import type { HeaderInit } from '../options.js';
import type { TestClient } from '../test-client.js';
import { type Deferred, createDeferred } from './deferred.js';
import { diffSnapshots, snapshotScope } from './scope-snapshot.js';

/** The connection types a middleware can see. */
export type CheckedScopeType = 'lifespan' | 'http' | 'websocket' | 'sse';

/** The request the checks send; it must be one the middleware passes on to the inner app. */
export interface ProbeRequest {
  method: string;
  path: string;
  headers: HeaderInit | undefined;
}

/** What the reference inner app answers with. */
const INNER_HEADERS: HeaderList = [
  ['content-type', 'text/plain; charset=utf-8'],
  ['x-inner', 'reference'],
];
export const INNER_BODY: readonly string[] = ['inner chunk 1; ', 'inner chunk 2; ', 'inner chunk 3'];
const INNER_SSE = { event: 'probe', data: 'inner event' };

/** What the inner app and the caller saw during one probe. */
export interface ProbeRecord {
  /** The scope the caller (the server side) passed to the middleware, and its snapshot then. */
  callerScope: Scope | undefined;
  callerBefore: unknown;
  /** The scope the inner app got, and its snapshot at that moment. */
  innerScope: Scope | undefined;
  innerSnapshot: unknown;
  /** Receive events the inner app got (types; body bytes joined). */
  innerEvents: string[];
  innerBody: string;
  /** The inner app gave up waiting for the client to see its first chunk. */
  firstChunkLate: boolean;
}

export function newRecord(): ProbeRecord {
  return {
    callerScope: undefined,
    callerBefore: undefined,
    innerScope: undefined,
    innerSnapshot: undefined,
    innerEvents: [],
    innerBody: '',
    firstChunkLate: false,
  };
}

/**
 * The reference inner app: a well-behaved app for every scope type that records what reached it.
 * Over HTTP it streams three chunks with awaited sends; with `firstSeen`, it waits (at most
 * `wait` ms) after the first chunk until the client has seen it, which tells a streamed body
 * from a buffered one without relying on timing (the wait only bounds the buffered case).
 */
export function referenceApp(rec: ProbeRecord, firstSeen?: Deferred<void>, wait = 0): App {
  return async (scope, receive, send) => {
    rec.innerScope = scope;
    rec.innerSnapshot = snapshotScope(scope);
    switch (scope.type) {
      case 'lifespan':
        while (true) {
          const ev = await receive();
          rec.innerEvents.push(ev.type);
          if (ev.type === 'lifespan.startup') {
            scope.state = scope.state ?? {};
            (scope.state as Record<string, unknown>).innerStarted = true;
            await send({ type: 'lifespan.startup.complete' });
          } else {
            await send({ type: 'lifespan.shutdown.complete' });
            return;
          }
        }
      case 'http': {
        while (true) {
          const ev = await receive();
          rec.innerEvents.push(ev.type);
          if (ev.type !== 'http.request') break;
          rec.innerBody += Buffer.from(ev.body).toString('latin1');
          if (!ev.more) break;
        }
        await send({
          type: 'http.response.start',
          status: 200,
          headers: INNER_HEADERS.map(([n, v]) => [n, v]),
        });
        for (let i = 0; i < INNER_BODY.length; i++) {
          await send({ type: 'http.response.body', body: INNER_BODY[i], more: i < INNER_BODY.length - 1 });
          if (i === 0 && firstSeen !== undefined) await waitBounded(firstSeen, wait, rec);
        }
        return;
      }
      case 'websocket': {
        const connect = await receive();
        rec.innerEvents.push(connect.type);
        await send({ type: 'websocket.accept' });
        while (true) {
          const ev = await receive();
          rec.innerEvents.push(ev.type);
          if (ev.type !== 'websocket.receive') return;
          await send({ type: 'websocket.send', text: `inner: ${ev.text ?? ''}` });
        }
      }
      case 'sse': {
        await send({ type: 'sse.start', status: 200, headers: [['x-inner', 'reference']] });
        await send({ type: 'sse.send', ...INNER_SSE });
        await send({ type: 'sse.close' });
        return;
      }
    }
  };
}

async function waitBounded(seen: Deferred<void>, ms: number, rec: ProbeRecord): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      rec.firstChunkLate = true;
      resolve();
    }, ms);
  });
  await Promise.race([seen.promise, late]);
  clearTimeout(timer);
}

/** Wraps the middleware-built app to capture the caller's scope and its snapshot at call time. */
export function callerProbe(wrapped: App, rec: ProbeRecord): App {
  return (scope, receive, send) => {
    rec.callerScope = scope;
    rec.callerBefore = snapshotScope(scope);
    return wrapped(scope, receive, send);
  };
}

/** Why the inner app's scope is not the caller's (identity or a structural copy), or undefined. */
export function scopeChange(rec: ProbeRecord): string | undefined {
  if (rec.innerScope === rec.callerScope) return undefined;
  return diffSnapshots(rec.callerBefore, rec.innerSnapshot);
}

/** Why the caller's scope changed between the call and now, or undefined. */
export function callerMutation(rec: ProbeRecord): string | undefined {
  if (rec.callerScope === undefined) return undefined;
  return diffSnapshots(rec.callerBefore, snapshotScope(rec.callerScope));
}

/**
 * Drives one connection of `type` through `client` the way a plain client would, to the end.
 * Returns what the client saw, in a form the passthrough check compares with the inner app's.
 */
export async function drive(
  client: TestClient,
  type: Exclude<CheckedScopeType, 'lifespan'>,
  req: ProbeRequest,
): Promise<{ status: number; headers: HeaderList; body: string }> {
  const headers = req.headers;
  switch (type) {
    case 'http': {
      const res = await client.request(req.method, req.path, headers === undefined ? {} : { headers });
      return { status: res.status, headers: res.headers, body: res.text };
    }
    case 'websocket': {
      const ws = await client.websocket(req.path, headers === undefined ? {} : { headers });
      if (!ws.accepted) return { status: ws.denial?.status ?? 0, headers: [], body: '' };
      await ws.sendText('probe');
      const text = await ws.receiveText();
      await ws.close(1000);
      return { status: 101, headers: ws.acceptHeaders, body: text };
    }
    case 'sse': {
      const sse = await client.sse(req.path, headers === undefined ? {} : { headers });
      if (sse.declined) return { status: sse.status, headers: sse.headers, body: '' };
      const events = [];
      for await (const ev of sse) events.push(ev);
      await sse.finished();
      return { status: sse.status, headers: sse.headers, body: JSON.stringify(events) };
    }
  }
}

export { createDeferred };
