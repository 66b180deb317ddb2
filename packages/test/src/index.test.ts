import type { ProtocolApp } from '@pagi/spec';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public API', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CookieJar',
      'LifespanShutdownError',
      'LifespanStartupError',
      'MIDDLEWARE_CHECKS',
      'MiddlewareCheckError',
      'TestClient',
      'TestResponse',
      'TestSse',
      'TestStreamResponse',
      'TestTimeoutError',
      'TestUnexpectedError',
      'TestWebSocket',
      'TooManyRedirectsError',
      'WebSocketClosedError',
      'checkMiddleware',
      'runMiddlewareCheck',
      'runMiddlewareChecks',
    ]);
  });

  it('exports describeMiddlewareChecks from the vitest entry only', async () => {
    const vitestEntry = await import('./vitest.js');
    expect(Object.keys(vitestEntry)).toEqual(['describeMiddlewareChecks']);
  });

  it('accepts an app written for one protocol', async () => {
    const app: ProtocolApp<'http'> = async (_scope, _receive, send) => {
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'typed' });
    };
    expect((await new api.TestClient(app).get('/')).text).toBe('typed');
  });
});
