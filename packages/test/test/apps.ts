/** Small example apps shared by the integration tests. */
import type { App, HttpScope, Receive, Send } from '@pagi/spec';
import { UnsupportedScopeError } from '@pagi/spec';

/** Reads the whole request body. */
export async function readBody(receive: Receive): Promise<Buffer> {
  const parts: Buffer[] = [];
  while (true) {
    const event = await receive();
    if (event.type === 'http.disconnect') break;
    if (event.type !== 'http.request') continue;
    parts.push(Buffer.from(event.body));
    if (!event.more) break;
  }
  return Buffer.concat(parts);
}

/** Responds with JSON describing the scope and the request body it received. */
export const echoApp: App = async (scope, receive, send) => {
  if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
  const body = await readBody(receive);
  const payload = JSON.stringify({
    method: scope.method,
    path: scope.path,
    raw_path: scope.raw_path,
    query_string: scope.query_string,
    root_path: scope.root_path,
    headers: scope.headers,
    http_version: scope.http_version,
    scheme: scope.scheme,
    client: scope.client,
    server: scope.server,
    body: body.toString('latin1'),
  });
  await send({
    type: 'http.response.start',
    status: 200,
    headers: [
      ['content-type', 'application/json'],
      ['content-length', String(Buffer.byteLength(payload))],
    ],
  });
  await send({ type: 'http.response.body', body: payload });
};

/** Sends a plain-text response in one piece. */
export function textApp(text: string, status = 200): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
    await send({ type: 'http.response.start', status, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body: text });
  };
}

/** A helper for apps that only serve HTTP: narrows the scope or throws. */
export function httpOnly(
  handler: (scope: HttpScope, receive: Receive<'http'>, send: Send<'http'>) => Promise<void>,
): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
    await handler(scope, receive as Receive<'http'>, send as Send<'http'>);
  };
}
