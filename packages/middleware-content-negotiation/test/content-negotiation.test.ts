import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { contentNegotiation, NEGOTIATED, type Negotiated } from '../src/index.js';

/** Answers with the negotiated result as JSON, so each test reads what the inner app saw. */
const echo: App = async (scope, _receive, send) => {
  if (scope.type === 'http') {
    const body = JSON.stringify(NEGOTIATED.get(scope) ?? null);
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] });
    await send({ type: 'http.response.body', body });
  }
};

async function seen(options: Parameters<typeof contentNegotiation>[0], headers: Record<string, string>) {
  const res = await new TestClient(contentNegotiation(options)(echo)).get('/', { headers });
  return { res, result: res.status === 200 ? (JSON.parse(res.text) as Negotiated) : undefined };
}

describe('contentNegotiation', () => {
  it('picks the best media type by q, specificity and server order', async () => {
    const types = ['application/json', 'text/html'];
    expect((await seen({ types }, { accept: 'text/html, application/json;q=0.9' })).result?.type).toBe(
      'text/html',
    );
    expect((await seen({ types }, { accept: 'text/*' })).result?.type).toBe('text/html');
    expect((await seen({ types }, { accept: '*/*' })).result?.type).toBe('application/json');
    expect((await seen({ types }, {})).result).toMatchObject({ type: 'application/json', acceptable: true });
  });

  it('treats q=0 as a rejection (upstream picked a q=0 type)', async () => {
    const { result } = await seen(
      { types: ['application/json', 'text/html'] },
      { accept: 'application/json;q=0, */*;q=0.1' },
    );
    expect(result?.type).toBe('text/html');
    const none = await seen({ types: ['application/json'] }, { accept: 'application/json;q=0' });
    expect(none.result).toMatchObject({ type: 'application/json', acceptable: false });
  });

  it('negotiates language, charset and encoding', async () => {
    const { result } = await seen(
      { languages: ['en', 'de'], charsets: ['utf-8', 'iso-8859-1'], encodings: ['gzip', 'identity'] },
      {
        'accept-language': 'de-CH, de;q=0.9, en;q=0.5',
        'accept-charset': 'iso-8859-1',
        'accept-encoding': 'br, gzip;q=0',
      },
    );
    expect(result).toEqual({
      type: undefined,
      language: 'de',
      charset: 'iso-8859-1',
      encoding: 'identity',
      acceptable: true,
    });
  });

  it('strict: 406 listing the offers, without calling the app', async () => {
    let called = false;
    const app = contentNegotiation({ types: ['application/json'], languages: ['en'], strict: true })(
      async (...a) => {
        called = true;
        return echo(...a);
      },
    );
    const res = await new TestClient(app).get('/', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(406);
    expect(res.text).toBe('Not Acceptable. Available: types application/json; languages en');
    expect(res.header('vary')).toBe('Accept, Accept-Language');
    expect(called).toBe(false);
    expect((await new TestClient(app).get('/', { headers: { 'accept-language': 'fr' } })).status).toBe(406);
    expect((await new TestClient(app).get('/', { headers: { accept: 'application/*' } })).status).toBe(200);
  });

  it('adds Vary for the headers negotiated on, merged; vary: false leaves it', async () => {
    const app = contentNegotiation({ types: ['text/html'], encodings: ['gzip'] })(async (scope, r, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200, headers: [['vary', 'Origin']] });
      await send({ type: 'http.response.body', body: 'x' });
      void r;
    });
    expect((await new TestClient(app).get('/')).header('vary')).toBe('Origin, Accept, Accept-Encoding');
    const quiet = await seen({ types: ['text/html'], vary: false }, {});
    expect(quiet.res.header('vary')).toBeUndefined();
  });

  it('SSE and WebSocket get the result without a media type; strict refuses them too', async () => {
    let sseSeen: Negotiated | undefined;
    let wsSeen: Negotiated | undefined;
    const app: App = async (scope, receive, send) => {
      if (scope.type === 'sse') {
        sseSeen = NEGOTIATED.get(scope);
        await send({ type: 'sse.start', status: 200 });
      } else if (scope.type === 'websocket') {
        wsSeen = NEGOTIATED.get(scope);
        await receive();
        await send({ type: 'websocket.accept' });
      }
    };
    const mw = contentNegotiation({ types: ['application/json'], languages: ['en', 'fr'], strict: true });
    const client = new TestClient(mw(app));
    const feed = await client.sse('/', { headers: { 'accept-language': 'fr' } });
    await feed.disconnect();
    expect(sseSeen).toEqual({
      type: undefined,
      language: 'fr',
      charset: undefined,
      encoding: undefined,
      acceptable: true,
    });
    const ws = await client.websocket('/', { headers: { 'accept-language': 'en' } });
    await ws.close();
    expect(wsSeen?.language).toBe('en');
    expect((await client.sse('/', { headers: { 'accept-language': 'ja' } })).status).toBe(406);
  });

  it('passes lifespan through with the very same scope, receive and send', async () => {
    let seenArgs: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seenArgs = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await contentNegotiation({ types: ['text/html'] })(spy)(scope, receive, send);
    expect(seenArgs[0]).toBe(scope);
  });

  it('refuses unknown options and bad offers when called, not per request', () => {
    expect(() => contentNegotiation({ type: ['text/html'] } as never)).toThrow(/unknown option 'type'/);
    expect(() => contentNegotiation({})).toThrow(/at least one/);
    expect(() => contentNegotiation({ types: [] })).toThrow(/non-empty/);
    expect(() => contentNegotiation({ types: ['text/html\r\nx: y'] })).toThrow(/token like text\/html/);
    expect(() => contentNegotiation({ types: ['text/html'], strict: 1 as never })).toThrow(/strict/);
  });

  it('never throws on malformed headers', async () => {
    for (const accept of ['', ',,,', 'text/html;q=abc', '*/*;q=2', '"', ';;;;']) {
      const { res } = await seen({ types: ['text/html'] }, { accept });
      expect([200]).toContain(res.status);
    }
  });

  it('names its functions for stack traces', () => {
    const mw = contentNegotiation({ types: ['text/html'] });
    expect(mw.name).toBe('contentNegotiation');
    expect(mw(echo).name).toBe('contentNegotiation');
  });
});

describeMiddlewareChecks(
  'contentNegotiation: the shared middleware checks of @pagi/test',
  contentNegotiation({ types: ['text/plain'] }),
  {
    handles: ['http', 'sse', 'websocket'],
  },
);
