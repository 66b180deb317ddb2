/** fileApp behind @pagi/server: a real socket, since the file body is streamed by the server. */
import { createServer } from '@pagi/server';
import { expect, it } from 'vitest';
import app from '../file.mjs';

it('serves the index, a range and refuses traversal', async () => {
  const server = createServer(app, { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
  await server.listen();
  const url = String(server.url).replace(/\/$/, '');
  try {
    expect(await (await fetch(`${url}/`)).text()).toContain('Served by fileApp');
    const range = await fetch(`${url}/hello.txt`, { headers: { range: 'bytes=0-4' } });
    expect(range.status).toBe(206);
    expect(await range.text()).toBe('hello');
    expect((await fetch(`${url}/..%2fpackage.json`)).status).toBe(400);
  } finally {
    await server.close();
  }
});
