import type { App } from '@pagi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { type StartedServer, startServer } from '../helpers/start-server.js';
import { h2Connect, h2Request } from './h2-client.js';

/**
 * Response fields go to node:http2 as an object keyed by name; a name that is also a property of
 * Object.prototype (`constructor`, `__proto__`: valid field names) must be sent as the app wrote
 * it, not merged with the inherited property or dropped.
 */

let started: StartedServer | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

const app: App = async (scope, _receive, send) => {
  if (scope.type !== 'http') return;
  const trailers = scope.path === '/trailers';
  const fields: Array<[string, string]> = [
    ['constructor', 'c1'],
    ['__proto__', 'p1'],
    ['__proto__', 'p2'],
    ['x-a', 'a'],
  ];
  await send({ type: 'http.response.start', status: 200, headers: trailers ? [] : fields, trailers });
  await send({ type: 'http.response.body', body: 'ok' });
  if (trailers) await send({ type: 'http.response.trailers', headers: fields });
};

describe('HTTP/2 response fields named like Object.prototype properties', () => {
  it('sends constructor and __proto__ (repeated) as the app wrote them', async () => {
    started = await startServer(app, { http2: true });
    const session = await h2Connect(started.url);
    try {
      const res = await h2Request(session, { ':path': '/' });
      expect(res.status).toBe(200);
      expect(Object.hasOwn(res.headers, 'constructor') && res.headers.constructor).toBe('c1');
      expect(Object.getOwnPropertyDescriptor(res.headers, '__proto__')?.value).toBe('p1, p2');
      expect(res.headers['x-a']).toBe('a');
    } finally {
      session.close();
    }
  });

  it('sends them as trailers too', async () => {
    started = await startServer(app, { http2: true });
    const session = await h2Connect(started.url);
    try {
      const res = await h2Request(session, { ':path': '/trailers' });
      expect(res.body.toString()).toBe('ok');
      expect(res.error?.message ?? '').toBe('');
      const trailers = res.trailers ?? {};
      expect(Object.hasOwn(trailers, 'constructor') && trailers.constructor).toBe('c1');
      expect(Object.getOwnPropertyDescriptor(trailers, '__proto__')?.value).toBe('p1, p2');
      expect(trailers['x-a']).toBe('a');
    } finally {
      session.close();
    }
  });
});
