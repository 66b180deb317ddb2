/** fromCGI with small shell CGI programs, under @pagi/server over real sockets. */
import { fileURLToPath } from 'node:url';
import { Router } from '@pagi/router';
import { request } from 'undici';
import { afterEach, expect, test } from 'vitest';
import { type FromCgiOptions, fromCGI } from '../src/index.js';
import { recordingLogger, serve } from './support/serve.js';

const script = (name: string): string => fileURLToPath(new URL(`./fixtures/cgi/${name}`, import.meta.url));

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** Serves the program mounted at /cgi, as a server would for /cgi-bin/x. */
async function start(name: string, options: FromCgiOptions = {}) {
  const log = recordingLogger();
  const router = new Router();
  router.mount('/cgi', fromCGI(script(name), { logger: log.logger, ...options }));
  const served = await serve(router.app);
  stop = served.close;
  return { url: served.url, lines: log.lines };
}

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );
}

test('RFC 3875 §4.1 meta-variables, with SCRIPT_NAME/PATH_INFO from the mount', async () => {
  const { url } = await start('env.sh');
  const res = await request(`${url}/cgi/some/path?a=1&b=2`, {
    method: 'POST',
    body: 'x=1',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-multi': ['one', 'two'],
      cookie: 'c=1',
      proxy: 'http://evil.test:8080',
      authorization: 'Bearer secret',
      x_forwarded_for: '6.6.6.6',
    },
  });
  expect(res.statusCode).toBe(200);
  const env = parseEnv(await res.body.text());
  expect(env).toMatchObject({
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: 'POST',
    SCRIPT_NAME: '/cgi',
    PATH_INFO: '/some/path',
    QUERY_STRING: 'a=1&b=2',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_NAME: '127.0.0.1',
    SERVER_PORT: new URL(url).port,
    CONTENT_TYPE: 'application/x-www-form-urlencoded',
    CONTENT_LENGTH: '3',
    HTTP_X_MULTI: 'one, two',
    HTTP_COOKIE: 'c=1',
    // httpoxy: the Proxy header never becomes HTTP_PROXY.
    HTTP_PROXY: '<unset>',
    HTTP_AUTHORIZATION: '<unset>',
    // A header name with '_' could forge X-Forwarded-For: dropped.
    HTTP_X_FORWARDED_FOR: '<unset>',
  });
  expect(env.REMOTE_ADDR).toMatch(/127\.0\.0\.1|::1/);
});

test('the request body is piped to stdin and the output streamed back', async () => {
  const { url } = await start('echo.sh');
  const body = Buffer.alloc(2 * 1024 * 1024, 0x71);
  const res = await request(`${url}/cgi`, { method: 'POST', body });
  expect(res.headers['x-script']).toBe('echo');
  expect((await res.body.arrayBuffer()).byteLength).toBe(body.byteLength);
});

test('Status: sets the status', async () => {
  const { url } = await start('status.sh');
  const res = await request(`${url}/cgi`);
  expect(res.statusCode).toBe(404);
  expect(res.headers.status).toBeUndefined();
  expect(await res.body.text()).toBe('missing');
});

test('Location: with an absolute URL and no Status is a 302 (§6.2.3, CRLF lines accepted)', async () => {
  const { url } = await start('redirect.sh');
  const res = await request(`${url}/cgi/abs`);
  expect(res.statusCode).toBe(302);
  expect(res.headers.location).toBe('http://example.test/elsewhere');
  await res.body.dump();
});

test('Location: with a local path is a local redirect, re-run as a GET (§6.2.2)', async () => {
  const { url } = await start('redirect.sh');
  const res = await request(`${url}/cgi/local`, { method: 'POST', body: 'ignored' });
  expect(res.statusCode).toBe(200);
  expect(await res.body.text()).toBe('/landed?from=local GET');
});

test('a local redirect loop stops with a 502', async () => {
  const { url, lines } = await start('redirect.sh');
  const res = await request(`${url}/cgi/loop`);
  expect(res.statusCode).toBe(502);
  await res.body.dump();
  expect(lines.some((l) => l.message.includes('local redirects'))).toBe(true);
});

test('a program over its timeout is killed: 504 before its headers', async () => {
  const { url, lines } = await start('hang.sh', { timeout: 200, killGrace: 200 });
  const res = await request(`${url}/cgi/before`);
  expect(res.statusCode).toBe(504);
  await res.body.dump();
  expect((lines[0]?.error as { code?: string } | undefined)?.code).toBe('PAGI_ERR_CGI_TIMEOUT');
});

test('a program over its timeout after its headers: the response is cut short', async () => {
  const { url } = await start('hang.sh', { timeout: 200, killGrace: 200 });
  const res = await request(`${url}/cgi/after`);
  expect(res.statusCode).toBe(200);
  // The app rejects; the server closes the connection (how it frames the end is its D-12 policy).
  const text = await res.body.text().catch(() => 'aborted');
  expect(['started', 'aborted']).toContain(text);
});

test('malformed, oversized or missing headers give 502, and stderr is logged', async () => {
  const { url, lines } = await start('bad.sh', { maxHeaderSize: 4096 });
  for (const path of ['/garbage', '/huge', '/exit', '/status']) {
    const res = await request(`${url}/cgi${path}`);
    expect(res.statusCode, path).toBe(502);
    await res.body.dump();
  }
  const codes = lines.map((l) => (l.error as { code?: string } | undefined)?.code);
  expect(codes.filter((c) => c === 'PAGI_ERR_CGI_HEADERS').length).toBe(3);
  expect(codes).toContain('PAGI_ERR_CGI_EXIT');
  expect(lines.some((l) => l.message.includes('stderr: something broke'))).toBe(true);
});

test('a program that does not exist is a 502', async () => {
  const log = recordingLogger();
  const served = await serve(fromCGI('/nonexistent/cgi-program', { logger: log.logger }));
  stop = served.close;
  const res = await request(`${served.url}/`);
  expect(res.statusCode).toBe(502);
  await res.body.dump();
});
