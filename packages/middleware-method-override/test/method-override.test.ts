import type { App, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { ORIGINAL_METHOD, methodOverride } from '../src/index.js';

/** Answers `<method> <original> <body>`: what the inner app saw. */
const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  const parts: Uint8Array[] = [];
  for (;;) {
    const event = await receive();
    if (event.type !== 'http.request') break;
    parts.push(event.body);
    if (!event.more) break;
  }
  const body = Buffer.concat(parts).toString();
  await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
  await send({
    type: 'http.response.body',
    body: `${scope.method} ${ORIGINAL_METHOD.get(scope) ?? '-'} ${body}`,
  });
};
const client = (mw = methodOverride()) => new TestClient(mw(echo));

describe('methodOverride', () => {
  it('a POST with the header becomes that method; the original is kept in ORIGINAL_METHOD', async () => {
    const res = await client().post('/', { headers: { 'x-http-method-override': 'delete' } });
    expect(res.text).toBe('DELETE POST ');
  });

  it('reads the form field from the body and replays the whole body (upstream read only the query)', async () => {
    const res = await client().post('/', { form: { _method: 'PUT', name: 'x' } });
    expect(res.text).toBe('PUT POST _method=PUT&name=x');
    const viaQuery = await client().post('/?_method=PUT', { form: { name: 'x' } });
    expect(viaQuery.text).toBe('POST - name=x');
  });

  it('the header wins over the field', async () => {
    const res = await client().post('/', {
      headers: { 'x-http-method-override': 'PATCH' },
      form: { _method: 'DELETE' },
    });
    expect(res.text).toMatch(/^PATCH POST /);
  });

  it('only from POST, only allowed methods; anything else passes on unchanged', async () => {
    expect((await client().put('/', { headers: { 'x-http-method-override': 'DELETE' } })).text).toBe(
      'PUT - ',
    );
    for (const value of ['GET', 'CONNECT', 'TRACE', 'OPTIONS', 'nonsense', '']) {
      expect((await client().post('/', { headers: { 'x-http-method-override': value } })).text).toBe(
        'POST - ',
      );
    }
    expect(
      (await client(methodOverride({ methods: ['DELETE'] })).post('/', { form: { _method: 'PUT' } })).text,
    ).toBe('POST - _method=PUT');
    // a JSON body is never parsed for the field
    const json = await client().post('/', { json: { _method: 'PUT' } });
    expect(json.text).toBe('POST - {"_method":"PUT"}');
  });

  it('formLimit: a larger form is passed on unread; header, field and methods options', async () => {
    const big = await client(methodOverride({ formLimit: 10 })).post('/', {
      form: { _method: 'PUT', pad: 'xxxxxxxx' },
    });
    expect(big.text).toBe('POST - _method=PUT&pad=xxxxxxxx');
    const custom = methodOverride({ header: 'X-Method', field: 'verb', methods: ['purge'] });
    expect((await client(custom).post('/', { headers: { 'x-method': 'PURGE' } })).text).toBe('PURGE POST ');
    expect((await client(custom).post('/', { form: { verb: 'purge' } })).text).toBe('PURGE POST verb=purge');
    expect(
      (
        await client(methodOverride({ header: false })).post('/', {
          headers: { 'x-http-method-override': 'PUT' },
        })
      ).text,
    ).toBe('POST - ');
    expect(
      (await client(methodOverride({ field: false })).post('/', { form: { _method: 'PUT' } })).text,
    ).toBe('POST - _method=PUT');
  });

  it('leaves the caller’s scope as it was', async () => {
    const scope = {
      type: 'http',
      method: 'POST',
      headers: [['x-http-method-override', 'PUT']],
      pagi: { version: '0.3' },
    } as unknown as Scope;
    let inner: unknown;
    await methodOverride()(async (s) => {
      inner = s;
    })(
      scope,
      async () => ({ type: 'http.disconnect' }) as never,
      async () => {},
    );
    expect((scope as { method: string }).method).toBe('POST');
    expect((inner as { method: string }).method).toBe('PUT');
  });

  it('passes lifespan through with the very same scope', async () => {
    let got: unknown;
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await methodOverride()(async (s) => {
      got = s;
    })(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(got).toBe(scope);
  });

  it('refuses unknown options and bad values when called', () => {
    expect(() => methodOverride({ param: '_method' } as never)).toThrow(/unknown option 'param'/);
    expect(() => methodOverride({ methods: ['GET'] })).toThrow(/GET cannot be an override target/);
    expect(() => methodOverride({ methods: ['PU T'] })).toThrow(/method names/);
    expect(() => methodOverride({ header: false, field: false })).toThrow(/nothing to read/);
    expect(() => methodOverride({ formLimit: -1 })).toThrow(/formLimit/);
    expect(() => methodOverride({ field: '' })).toThrow(/field/);
  });

  it('names its functions for stack traces', () => {
    expect(methodOverride().name).toBe('methodOverride');
    expect(methodOverride()(echo).name).toBe('methodOverride');
  });
});

describeMiddlewareChecks('methodOverride: the shared middleware checks of @pagi/test', methodOverride());
