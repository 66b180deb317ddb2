/** fromFetchHandler with plain fetch handlers: failures and scope checks. */
import { request } from 'undici';
import { afterEach, expect, test } from 'vitest';
import { fromFetchHandler, fromNodeHandler } from '../src/index.js';
import { recordingLogger, serve } from './support/serve.js';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

test('a handler that throws gives a logged 500', async () => {
  const log = recordingLogger();
  const served = await serve(
    fromFetchHandler(
      () => {
        throw new Error('fetch boom');
      },
      { logger: log.logger },
    ),
  );
  stop = served.close;
  const res = await request(`${served.url}/`);
  expect(res.statusCode).toBe(500);
  expect(await res.body.text()).toBe('Internal Server Error');
  expect((log.lines[0]?.error as { code?: string } | undefined)?.code).toBe('PAGI_ERR_LEGACY_HANDLER');
});

test('a Response body that fails mid-way is logged and the response does not complete normally', async () => {
  const log = recordingLogger();
  const served = await serve(
    fromFetchHandler(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('part'));
              setTimeout(() => controller.error(new Error('stream broke')), 10);
            },
          }),
        ),
      { logger: log.logger },
    ),
  );
  stop = served.close;
  const res = await request(`${served.url}/`);
  await res.body.text().catch(() => undefined);
  expect(log.lines.some((l) => l.message.includes('stream broke'))).toBe(true);
});

test('the from* bridges refuse scopes other than http', async () => {
  const scope = { type: 'websocket' } as never;
  const noop = async () => ({}) as never;
  await expect(fromFetchHandler(() => new Response(''))(scope, noop, noop)).rejects.toMatchObject({
    code: 'PAGI_ERR_UNSUPPORTED_SCOPE',
  });
  expect(() => fromNodeHandler(() => {})(scope, noop, noop)).toThrow(/unsupported scope type 'websocket'/);
});
