import type { App, HeaderList, HttpResponseBodyEvent, Scope } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { xsendfile } from '../src/index.js';

/** Sends `status`/`headers` then the given body events, recording nothing itself. */
function appSending(status: number, headers: HeaderList, ...bodies: HttpResponseBodyEvent[]): App {
  return async (scope, _receive, send) => {
    if (scope.type !== 'http') return;
    await send({ type: 'http.response.start', status, headers });
    for (const b of bodies) await send(b);
  };
}

/** Runs `app` and returns the events that reached the server's send. */
async function events(mw: ReturnType<typeof xsendfile>, app: App, method = 'GET'): Promise<unknown[]> {
  const out: unknown[] = [];
  const scope = { type: 'http', method, path: '/', headers: [] } as unknown as Scope;
  await mw(app)(
    scope,
    async () => ({ type: 'http.disconnect' }) as never,
    async (e) => {
      out.push(e);
    },
  );
  return out;
}

const fileBody = (file: string, extra: Partial<HttpResponseBodyEvent> = {}) =>
  ({ type: 'http.response.body', file, ...extra }) as HttpResponseBodyEvent;
const typed = [['content-type', 'text/plain']] as HeaderList;

describe('xsendfile', () => {
  it('replaces a file body with the header and an empty body; drops the app’s Content-Length (upstream bug)', async () => {
    const out = await events(
      xsendfile({ type: 'X-Sendfile' }),
      appSending(200, [...typed, ['content-length', '3000']], fileBody('/srv/files/a.txt')),
    );
    expect(out).toEqual([
      { type: 'http.response.start', status: 200, headers: [...typed, ['x-sendfile', '/srv/files/a.txt']] },
      { type: 'http.response.body' },
    ]);
  });

  it('accepts each type, any case, and uses the absolute path', async () => {
    for (const type of ['X-Accel-Redirect', 'x-sendfile', 'X-LIGHTTPD-SEND-FILE'] as const) {
      const out = await events(
        xsendfile({ type: type as never }),
        appSending(200, [], fileBody('rel/a.txt')),
      );
      const start = out[0] as { headers: HeaderList };
      expect(start.headers).toEqual([[type.toLowerCase(), `${process.cwd()}/rel/a.txt`]]);
    }
  });

  it('mapping as a string is prepended', async () => {
    const out = await events(
      xsendfile({ type: 'X-Accel-Redirect', mapping: '/internal' }),
      appSending(200, [], fileBody('/srv/a.txt')),
    );
    expect((out[0] as { headers: HeaderList }).headers).toEqual([
      ['x-accel-redirect', '/internal/srv/a.txt'],
    ]);
  });

  // Upstream bug: with overlapping prefixes the first key in hash order won (nondeterministic).
  it('mapping as from→to pairs: the longest directory prefix wins, whatever the order', async () => {
    const rules: [string, string][] = [
      ['/srv', '/all'],
      ['/srv/private/', '/secret/'],
    ];
    for (const mapping of [rules, [...rules].reverse(), Object.fromEntries(rules)]) {
      const mw = xsendfile({ type: 'X-Accel-Redirect', mapping });
      const deep = await events(mw, appSending(200, [], fileBody('/srv/private/a.txt')));
      expect((deep[0] as { headers: HeaderList }).headers).toEqual([['x-accel-redirect', '/secret/a.txt']]);
      const shallow = await events(mw, appSending(200, [], fileBody('/srv/pub/b.txt')));
      expect((shallow[0] as { headers: HeaderList }).headers).toEqual([
        ['x-accel-redirect', '/all/pub/b.txt'],
      ]);
    }
  });

  it('a path no mapping covers (or only a name prefix of it) is sent as usual', async () => {
    const mw = xsendfile({ type: 'X-Accel-Redirect', mapping: { '/srv': '/internal' } });
    for (const path of ['/etc/passwd', '/srvx/a.txt']) {
      const body = fileBody(path);
      expect(await events(mw, appSending(200, [['content-length', '9']], body))).toEqual([
        { type: 'http.response.start', status: 200, headers: [['content-length', '9']] },
        body,
      ]);
    }
  });

  it('a path that would inject a header line is sent as usual', async () => {
    const body = fileBody('/srv/a\r\nx-evil: 1');
    const out = await events(xsendfile({ type: 'X-Sendfile' }), appSending(200, [], body));
    expect(out[1]).toBe(body);
    expect((out[0] as { headers: HeaderList }).headers).toEqual([]);
  });

  it('leaves slices, 206, fh bodies, byte bodies, HEAD and non-final file events alone', async () => {
    const mw = xsendfile({ type: 'X-Sendfile' });
    const cases: [App, string?][] = [
      [appSending(200, [], fileBody('/a', { offset: 5 }))],
      [appSending(200, [], fileBody('/a', { length: 5 }))],
      [appSending(206, [['content-range', 'bytes 0-4/10']], fileBody('/a'))],
      [appSending(200, [], { type: 'http.response.body', fh: 3 })],
      [appSending(200, [], { type: 'http.response.body', body: 'x' })],
      [appSending(200, [], fileBody('/a', { more: true }), { type: 'http.response.body' })],
      [appSending(200, [], fileBody('/a')), 'HEAD'],
    ];
    for (const [app, method] of cases) {
      const out = await events(mw, app, method);
      for (const e of out) expect(JSON.stringify(e)).not.toContain('x-sendfile');
      expect(out.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('hands over a held start when the app returns without a body', async () => {
    const out = await events(xsendfile({ type: 'X-Sendfile' }), appSending(200, []));
    expect(out).toEqual([{ type: 'http.response.start', status: 200, headers: [] }]);
  });

  it('works through the test client', async () => {
    const res = await new TestClient(
      xsendfile({ type: 'X-Sendfile' })(appSending(200, [], fileBody('/srv/a.txt'))),
    ).get('/');
    expect(res.header('x-sendfile')).toBe('/srv/a.txt');
    expect(res.body.length).toBe(0);
  });

  it('passes other scope types through untouched', async () => {
    let seen: unknown;
    const spy: App = async (scope) => {
      seen = scope;
    };
    const scope = { type: 'lifespan', pagi: { version: '0.3' } } as Scope;
    await xsendfile({ type: 'X-Sendfile' })(spy)(
      scope,
      async () => ({ type: 'lifespan.startup' }) as never,
      async () => {},
    );
    expect(seen).toBe(scope);
  });

  it('lets the inner app’s errors through unchanged', async () => {
    const boom = new Error('inner app failed');
    const failing: App = async () => {
      throw boom;
    };
    await expect(new TestClient(xsendfile({ type: 'X-Sendfile' })(failing)).get('/')).rejects.toBe(boom);
  });

  it('refuses a missing or unknown type, unknown options and bad mappings when applied', () => {
    expect(() => xsendfile(undefined as never)).toThrow(/options object/);
    expect(() => xsendfile({} as never)).toThrow(/expected type/);
    expect(() => xsendfile({ type: 'X-Nope' as never })).toThrow(/expected type/);
    expect(() => xsendfile({ type: 'X-Sendfile', variation: 'x' } as never)).toThrow(
      /unknown option 'variation'/,
    );
    expect(() => xsendfile({ type: 'X-Sendfile', mapping: 5 as never })).toThrow(/mapping/);
    expect(() => xsendfile({ type: 'X-Sendfile', mapping: [['', '/x']] })).toThrow(/mapping entries/);
    expect(() => xsendfile({ type: 'X-Sendfile', mapping: { '/a': 1 as never } })).toThrow(/mapping entries/);
  });

  it('names its functions for stack traces', () => {
    const mw = xsendfile({ type: 'X-Sendfile' });
    expect(mw.name).toBe('xsendfile');
    expect(mw(appSending(200, [])).name).toBe('xsendfile');
  });
});

describeMiddlewareChecks(
  'xsendfile: the shared middleware checks of @pagi/test',
  xsendfile({ type: 'X-Sendfile' }),
);
