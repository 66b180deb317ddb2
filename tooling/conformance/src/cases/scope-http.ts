import { expect } from 'vitest';
import { LIFESPAN_MARKER } from '../internal/host-app.js';
import { createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { httpApp, respond, valuesOf } from './helpers.js';
import { commonKeys } from './scope-keys.js';

/** `http` scope keys and values (protocol.md §3.1, §3.2, §3.5–§3.7, D-8). */
export function httpScopeCases(ctx: CaseContext): void {
  ctx.it('http scope: keys, path decoding, query, headers, cookie join, version', async () => {
    const seen = createProbe<ReturnType<typeof commonKeys> & { method: string; hasConnection: boolean }>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        seen.report({
          ...commonKeys(scope),
          method: scope.method,
          hasConnection: typeof scope['pagi.connection'] === 'object',
        });
        await respond(send);
      }),
    );
    const res = await client.request('GET', '/caf%C3%A9/a%20b?x=1&y=%C3%A9&x=2', {
      headers: [
        ['X-Dup', 'one'],
        ['x-dup', 'two'],
        ['Cookie', 'a=1'],
        ['cookie', 'b=2'],
      ],
    });
    expect(res.status).toBe(200);
    const scope = await seen.value('the http scope');
    expect(scope).toMatchObject({
      type: 'http',
      method: 'GET',
      pagi: { version: '0.3', spec_version: '0.3' },
      http_version: ctx.httpVersion,
      scheme: 'http',
      path: '/café/a b',
      raw_path: '/caf%C3%A9/a%20b',
      query_string: 'x=1&y=%C3%A9&x=2',
      root_path: '',
      stateMarker: LIFESPAN_MARKER,
      hasTransport: true,
      hasConnection: true,
    });
    expect(scope.headers.every(([n]) => n === n.toLowerCase())).toBe(true);
    expect(valuesOf(scope.headers, 'x-dup')).toEqual(['one', 'two']);
    expect(valuesOf(scope.headers, 'cookie')).toEqual(['a=1; b=2']);
    expect(valuesOf(scope.headers, 'host')).toHaveLength(1);
    expect(scope.extensions).toBeTypeOf('object');
    expect(scope.extensions.fullflush).toEqual({});
  });

  ctx.it('http scope: a path that is not UTF-8 after decoding falls back to latin1 (D-8)', async () => {
    const seen = createProbe<{ path: string; raw_path: string | undefined; query_string: string }>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        seen.report({ path: scope.path, raw_path: scope.raw_path, query_string: scope.query_string });
        await respond(send);
      }),
    );
    await client.request('GET', '/bad%FF%C3/%41');
    expect(await seen.value('the scope path')).toEqual({
      path: '/bad\u00ff\u00c3/A',
      raw_path: '/bad%FF%C3/%41',
      query_string: '',
    });
  });

  ctx.it('http scope: state is a shallow copy of the lifespan state, per request', async () => {
    const seen: { marker: unknown; hits: number }[] = [];
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        const state = scope.state ?? {};
        const shared = state.shared as { hits: number } | undefined;
        seen.push({ marker: state.marker, hits: shared?.hits ?? -1 });
        // Reassigning a top-level key stays in this copy; mutating the container is shared.
        state.marker = 'changed-by-request';
        if (shared) shared.hits++;
        await respond(send);
      }),
    );
    await client.request('GET', '/one');
    await client.request('GET', '/two');
    expect(seen).toHaveLength(2);
    expect(seen[0]?.marker).toBe(LIFESPAN_MARKER);
    expect(seen[1]?.marker).toBe(LIFESPAN_MARKER);
    expect(seen[0]?.hits).toBeGreaterThanOrEqual(0);
    expect(seen[1]?.hits).toBe((seen[0]?.hits ?? 0) + 1);
  });

  ctx.it('http scope: client and server addresses, pagi.connection and pagi.transport', async () => {
    const seen = createProbe<{ client: unknown; server: unknown; connected: boolean; buffered: number }>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        seen.report({
          client: scope.client,
          server: scope.server,
          connected: scope['pagi.connection'].is_connected(),
          buffered: scope['pagi.transport']?.buffered_amount() ?? -1,
        });
        await respond(send);
      }),
    );
    await client.request('GET', '/addresses');
    const report = await seen.value('the addresses');
    expect(report.client).toEqual([expect.any(String), expect.any(Number)]);
    expect(report.server).toEqual([expect.any(String), expect.any(Number)]);
    expect(report.connected).toBe(true);
    expect(report.buffered).toBeGreaterThanOrEqual(0);
  });

  ctx.it('http scope: path decoding of %2F, %25, +, a multi-byte sequence and a bad escape', async () => {
    const seen: [string, string | undefined][] = [];
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        seen.push([scope.path, scope.raw_path]);
        await respond(send);
      }),
    );
    for (const target of ['/a%2Fb', '/100%25', '/a+b', '/%E2%9C%93', '/x%zz%4'])
      await client.request('GET', target);
    expect(seen).toEqual([
      ['/a/b', '/a%2Fb'],
      ['/100%', '/100%25'],
      ['/a+b', '/a+b'],
      ['/✓', '/%E2%9C%93'],
      ['/x%zz%4', '/x%zz%4'],
    ]);
  });
}
