import { expect } from 'vitest';
import { createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { httpApp, outcomeOf, readBody, valuesOf } from './helpers.js';

/** HTTP/1.0 clients (protocol.md §3.1 `http_version`, §4.1.5, §5.7). */
export function http10Cases(ctx: CaseContext): void {
  ctx.it('HTTP/1.0: http_version is 1.0; a response without a length still arrives whole', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        seen.report(scope.http_version);
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'a', more: true });
        await send({ type: 'http.response.body', body: 'b', more: true });
        await send({ type: 'http.response.body', body: 'c' });
      }),
    );
    const res = await client.request('GET', '/old', { httpVersion: '1.0' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('abc');
    expect(await seen.value('http_version')).toBe('1.0');
  });

  ctx.it('HTTP/1.0: a request body arrives with its content-length', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      httpApp(async (_scope, receive, send) => {
        seen.report((await readBody(receive)).toString());
        await send({ type: 'http.response.start', status: 204 });
        await send({ type: 'http.response.body' });
      }),
    );
    const res = await client.request('POST', '/old-post', { httpVersion: '1.0', body: 'form=1' });
    expect(res.status).toBe(204);
    expect(await seen.value('the 1.0 body')).toBe('form=1');
  });

  ctx.it('HTTP/1.0: declared trailers cannot be framed and do not reach the client', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200, trailers: true });
        await send({ type: 'http.response.body', body: 'data' });
        seen.report(await outcomeOf(send({ type: 'http.response.trailers', headers: [['x-t', '1']] })));
      }),
    );
    const res = await client.request('GET', '/old-trailers', { httpVersion: '1.0' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('data');
    expect(valuesOf(res.trailers, 'x-t')).toEqual([]);
    expect(await seen.value('the trailers send')).toBe('resolved');
  });

  ctx.it('request header values are byte strings: a latin1 byte arrives as one char', async () => {
    const seen = createProbe<string[]>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        seen.report(valuesOf(scope.headers, 'x-name'));
        await send({ type: 'http.response.start', status: 204 });
        await send({ type: 'http.response.body' });
      }),
    );
    // The raw HTTP/1.0 path writes header bytes as latin1, so 0xE9 goes out as one byte.
    await client.request('GET', '/latin1', { httpVersion: '1.0', headers: [['x-name', 'caf\u00e9']] });
    expect(await seen.value('the header value')).toEqual(['caf\u00e9']);
  });
}
