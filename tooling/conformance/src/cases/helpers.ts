import type { App, HeaderList, HttpScope, Receive, Send, SseScope, WebSocketScope } from '@pagi/spec';

/** The values of `name` in a header list, in order. */
export function valuesOf(headers: HeaderList, name: string): string[] {
  return headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** An app for one protocol; any other scope type is refused by throwing (protocol.md §1.3). */
export function httpApp(
  fn: (scope: HttpScope, receive: Receive<'http'>, send: Send<'http'>) => Promise<void>,
): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'http') throw new Error(`expected an http scope, got ${scope.type}`);
    await fn(scope, receive as Receive<'http'>, send as Send<'http'>);
  };
}

export function websocketApp(
  fn: (scope: WebSocketScope, receive: Receive<'websocket'>, send: Send<'websocket'>) => Promise<void>,
): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'websocket') throw new Error(`expected a websocket scope, got ${scope.type}`);
    await fn(scope, receive as Receive<'websocket'>, send as Send<'websocket'>);
  };
}

export function sseApp(
  fn: (scope: SseScope, receive: Receive<'sse'>, send: Send<'sse'>) => Promise<void>,
): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'sse') throw new Error(`expected an sse scope, got ${scope.type}`);
    await fn(scope, receive as Receive<'sse'>, send as Send<'sse'>);
  };
}

/** Reads the request body to its end (the app must, before the disconnect watcher works). */
export async function readBody(receive: Receive<'http'>): Promise<Buffer> {
  const parts: Buffer[] = [];
  while (true) {
    const event = await receive();
    if (event.type !== 'http.request') return Buffer.concat(parts);
    parts.push(Buffer.from(event.body));
    if (!event.more) return Buffer.concat(parts);
  }
}

/** A plain 200 with `body`. */
export async function respond(send: Send<'http'>, body = '', headers: HeaderList = []): Promise<void> {
  await send({ type: 'http.response.start', status: 200, headers });
  await send({ type: 'http.response.body', body });
}

/** The code of a rejected promise (a `PagiError`'s `code`), or 'resolved' when it did not reject. */
export async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : `threw ${String(error)}`;
  }
}
