import type { HttpScope } from '@pagi/spec';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { lineSink, type StartedServer, startServer } from '../helpers/start-server.js';

let s: StartedServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('access log', () => {
  it('writes one JSON line per request after the response, 500s included', async () => {
    const lines: string[] = [];
    s = await startServer(
      async (scope, _receive, send) => {
        if ((scope as HttpScope).path === '/boom') throw new Error('boom');
        await send({ type: 'http.response.start', status: 201 });
        await send({ type: 'http.response.body', body: 'created' });
      },
      { accessLog: 'json', accessLogStream: lineSink(lines) },
    );
    await (
      await request(`${s.url}/ok?x=1`, { headers: { 'user-agent': 'test-agent', referer: 'http://r/' } })
    ).body.text();
    await (await request(`${s.url}/boom`)).body.text();
    await expect.poll(() => lines.length).toBe(2);
    const [ok, boom] = lines.map((l) => JSON.parse(l));
    expect(ok).toMatchObject({
      client: '127.0.0.1',
      method: 'GET',
      target: '/ok?x=1',
      http_version: '1.1',
      status: 201,
      bytes: 7,
      user_agent: 'test-agent',
      referer: 'http://r/',
      protocol: 'http',
    });
    expect(ok.duration_ms).toBeGreaterThanOrEqual(0);
    expect(boom).toMatchObject({ target: '/boom', status: 500 });
  });

  it('writes nothing when off (the API default)', async () => {
    const lines: string[] = [];
    s = await startServer(
      async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 204 });
        await send({ type: 'http.response.body' });
      },
      { accessLogStream: lineSink(lines) },
    );
    await (await request(s.url)).body.text();
    await (await request(s.url)).body.text();
    expect(lines).toEqual([]);
  });
});
