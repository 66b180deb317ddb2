import type { App, HttpScope, ReceiveEvent, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { JSON_BODY, jsonBody } from '../src/index.js';

/** Answers with the parsed value as JSON (`"<unset>"` when the key is not set) and what receive gave. */
const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  const events: ReceiveEvent<'http'>[] = [];
  for (;;) {
    const event = (await receive()) as ReceiveEvent<'http'>;
    events.push(event);
    if (event.type === 'http.disconnect' || !event.more) break;
  }
  const body = Buffer.concat(events.map((e) => (e.type === 'http.request' ? e.body : new Uint8Array())));
  const value = JSON_BODY.has(scope as HttpScope) ? JSON_BODY.get(scope) : '<unset>';
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] });
  await send({ type: 'http.response.body', body: JSON.stringify({ value, raw: body.toString() }) });
};

const post = (app: App, body: string | Uint8Array, type = 'application/json', method = 'POST') =>
  new TestClient(app).request(method, '/', { body, headers: { 'content-type': type } });

describe('jsonBody: parsing', () => {
  it('hands the parsed value to the inner app and still replays the raw body', async () => {
    const res = await post(jsonBody()(echo), '{"a":[1,2]}');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ value: { a: [1, 2] }, raw: '{"a":[1,2]}' });
  });

  it('accepts +json types, charset utf-8 labels and a streamed body', async () => {
    expect((await post(jsonBody()(echo), '[1]', 'application/merge-patch+json')).json()).toMatchObject({
      value: [1],
    });
    expect((await post(jsonBody()(echo), '1', 'Application/JSON; Charset="UTF8"')).json()).toMatchObject({
      value: 1,
    });
    const res = await new TestClient(jsonBody()(echo)).post('/', {
      body: ['{"a"', ':', 'null}'],
      headers: { 'content-type': 'application/json' },
    });
    expect(res.json()).toEqual({ value: { a: null }, raw: '{"a":null}' });
  });

  it('sets the key to a JSON null too (has() is true)', async () => {
    expect((await post(jsonBody()(echo), 'null')).json()).toMatchObject({ value: null });
  });

  it('passes a non-JSON content type through untouched, body unread', async () => {
    const res = await post(jsonBody()(echo), 'a=1', 'application/x-www-form-urlencoded');
    expect(res.json()).toEqual({ value: '<unset>', raw: 'a=1' });
    expect((await post(jsonBody()(echo), '{}', 'application/jsonp')).json()).toMatchObject({
      value: '<unset>',
    });
  });

  it('strict: 415 for a non-JSON body, a bodiless request still passes', async () => {
    const res = await post(jsonBody({ strict: true })(echo), 'a=1', 'text/plain');
    expect(res.status).toBe(415);
    expect(res.text).toContain("got 'text/plain'");
    const bare = await new TestClient(jsonBody({ strict: true })(echo)).delete('/');
    expect(bare.status).toBe(200);
  });

  it('methods: only the listed methods are parsed (default POST PUT PATCH DELETE)', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect((await post(jsonBody()(echo), '[]', 'application/json', method)).json()).toMatchObject({
        value: [],
      });
    }
    expect((await post(jsonBody()(echo), '[]', 'application/json', 'OPTIONS')).json()).toMatchObject({
      value: '<unset>',
    });
    const onlyPut = jsonBody({ methods: ['put'] })(echo);
    expect((await post(onlyPut, '[]')).json()).toMatchObject({ value: '<unset>' });
    expect((await post(onlyPut, '[]', 'application/json', 'PUT')).json()).toMatchObject({ value: [] });
  });
});

describe('jsonBody: limits and errors', () => {
  it('limit: 413 past the limit, without reading the rest of a streamed body', async () => {
    let pulled = 0;
    const app = jsonBody({ limit: 10 })(echo);
    const counting: App = (scope, receive, send) =>
      app(
        scope,
        () => {
          pulled++;
          return receive();
        },
        send,
      );
    const res = await new TestClient(counting).post('/', {
      body: ['[1,2,3,', '4,5,6,7', ',8]', ',9', ',10', ']'],
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(pulled).toBe(2);
    expect((await post(jsonBody({ limit: 10 })(echo), '[1,2,3,4]')).status).toBe(200);
  });

  it('limit: 413 from a declared Content-Length alone, before reading', async () => {
    let pulled = 0;
    const app = jsonBody({ limit: 4 })(echo);
    const res = await new TestClient((s, r, send) =>
      app(
        s,
        () => {
          pulled++;
          return r();
        },
        send,
      ),
    ).post('/', { body: '[1,2,3]', headers: { 'content-type': 'application/json', 'content-length': '7' } });
    expect(res.status).toBe(413);
    expect(pulled).toBe(0);
  });

  it('maxDepth: 400 past the depth (default 128), without calling JSON.parse', async () => {
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect((await post(jsonBody()(echo), nested(128))).status).toBe(200);
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      parsed++;
      return parse(...args);
    }) as typeof JSON.parse;
    try {
      const res = await post(jsonBody({ limit: 2 * 1024 * 1024 })(echo), nested(512 * 1024));
      expect(res.status).toBe(400);
      expect(res.text).toContain('at most 128 deep');
    } finally {
      JSON.parse = parse;
    }
    expect(parsed).toBe(0);
    expect((await post(jsonBody({ maxDepth: 2 })(echo), '[[[]]]')).status).toBe(400);
    expect((await post(jsonBody({ maxDepth: 2 })(echo), '[["[[[[["]]')).status).toBe(200);
  });

  it('415 for a charset other than UTF-8 (RFC 8259 §8.1), before reading', async () => {
    const res = await post(jsonBody()(echo), '{}', 'application/json; charset=latin1');
    expect(res.status).toBe(415);
    expect((await post(jsonBody()(echo), '{}', 'application/json; charset=nonsense')).status).toBe(415);
  });

  it('400 for empty, invalid UTF-8 and malformed bodies', async () => {
    expect((await post(jsonBody()(echo), '')).status).toBe(400);
    expect((await post(jsonBody()(echo), new Uint8Array([0x22, 0xff, 0x22]))).status).toBe(400);
  });

  // Upstream bug (toolkit-parity §1 row 18): the 400 quoted the parser's error text.
  it('400 for malformed JSON without quoting the body or the parser message', async () => {
    const secret = '{"password":"hunter2", oops}';
    const res = await post(jsonBody()(echo), secret);
    expect(res.status).toBe(400);
    expect(res.text).toBe('expected a valid JSON body, got malformed JSON');
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toMatch(/position|token|Unexpected/i);
  });
});

describe('jsonBody: receive after the body (D-7, D-15)', () => {
  // Upstream bug (toolkit-parity §1 row 18): the replacement receive never reported a disconnect.
  it('the inner app sees http.disconnect after the replayed body', async () => {
    let after: ReceiveEvent<'http'> | undefined;
    let value: unknown;
    const app: App = async (scope, receive) => {
      value = JSON_BODY.get(scope);
      await receive();
      after = (await receive()) as ReceiveEvent<'http'>;
    };
    await new TestClient(jsonBody()(app)).post('/', {
      body: '{"x":1}',
      headers: { 'content-type': 'application/json' },
      disconnect: 'after-body',
    });
    expect(value).toEqual({ x: 1 });
    expect(after?.type).toBe('http.disconnect');
  });

  it('a client gone mid-body: the inner app gets the disconnect and no value', async () => {
    let first: ReceiveEvent<'http'> | undefined;
    let has = true;
    const app: App = async (scope, receive) => {
      has = JSON_BODY.has(scope);
      first = (await receive()) as ReceiveEvent<'http'>;
    };
    const mw = jsonBody()(app);
    // The client sends half the body, then goes away.
    const halfThenGone: App = (scope, _receive, send) => {
      let n = 0;
      const receive = async () =>
        (n++ === 0
          ? { type: 'http.request', body: new TextEncoder().encode('{"x"'), more: true }
          : { type: 'http.disconnect', reason: 'client_closed' }) as never;
      return mw(scope, receive, send);
    };
    await new TestClient(halfThenGone)
      .post('/', { body: '{"x":1}', headers: { 'content-type': 'application/json' } })
      .catch(() => {});
    expect(has).toBe(false);
    expect(first?.type).toBe('http.disconnect');
  });
});

describe('jsonBody: factory', () => {
  it('passes other scope types through with the very same scope, receive and send', async () => {
    let seen: unknown[] = [];
    const spy: App = async (scope, receive, send) => {
      seen = [scope, receive, send];
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    const receive = async () => ({ type: 'lifespan.startup' }) as never;
    const send = async () => {};
    await jsonBody()(spy)(scope, receive, send);
    expect(seen[0]).toBe(scope);
    expect(seen[1]).toBe(receive);
  });

  it('lets the inner app’s errors through unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(post(jsonBody()(failing), '{}')).rejects.toBe(boom);
  });

  it('refuses unknown and invalid options when applied, not per request', () => {
    expect(() => jsonBody({ limt: 1 } as never)).toThrow(/unknown option 'limt'/);
    expect(() => jsonBody({ limit: -1 })).toThrow(/limit/);
    expect(() => jsonBody({ maxDepth: 1.5 })).toThrow(/maxDepth/);
    expect(() => jsonBody({ methods: 'POST' as never })).toThrow(/methods/);
  });

  it('names its functions for stack traces', () => {
    const mw = jsonBody();
    expect(mw.name).toBe('jsonBody');
    expect(mw(echo).name).toBe('jsonBody');
  });
});

// The shared checks every middleware runs: lifespan and unhandled scope types pass through
// untouched, the caller's scope is never mutated, a streamed body stays streamed, every send
// passes the spec's validator.
describeMiddlewareChecks('jsonBody: the shared middleware checks of @pagi/test', jsonBody());
describeMiddlewareChecks('jsonBody: the shared checks with a POST it passes on', jsonBody(), {
  request: { method: 'POST', headers: { 'content-type': 'text/plain' } },
});
