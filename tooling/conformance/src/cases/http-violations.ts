import type { DisconnectReason, SendEvent } from '@pagi/spec';
import { expect } from 'vitest';
import { createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { httpApp, outcomeOf, valuesOf } from './helpers.js';

/**
 * An app that first tries `bad` (which must reject), then answers 200 with the code it got in
 * `x-error`, so the client can see how the server judged the event.
 */
function tryFirst(bad: unknown) {
  return httpApp(async (_scope, _receive, send) => {
    const code = await outcomeOf(send(bad as SendEvent<'http'>));
    await send({ type: 'http.response.start', status: 200, headers: [['x-error', code]] });
    await send({ type: 'http.response.body', body: 'ok' });
  });
}

/** Outbound checks the server must make (D-2, D-6, D-13, §2.5) and unfinished responses (D-12). */
export function httpViolationCases(ctx: CaseContext): void {
  ctx.it('D-2: a header value with CR LF rejects the send (no header injection)', async () => {
    const client = ctx.serve(
      tryFirst({ type: 'http.response.start', status: 200, headers: [['x-evil', 'a\r\nset-cookie: x=1']] }),
    );
    const res = await client.request('GET', '/inject');
    expect(valuesOf(res.headers, 'x-error')).toEqual(['PAGI_ERR_VALIDATION']);
    expect(valuesOf(res.headers, 'x-evil')).toEqual([]);
    expect(valuesOf(res.headers, 'set-cookie')).toEqual([]);
  });

  ctx.it(
    '§2.4: an uppercase response header name rejects with PAGI_ERR_VALIDATION (strict case)',
    async () => {
      const client = ctx.serve(
        tryFirst({ type: 'http.response.start', status: 200, headers: [['X-Upper', 'yes']] }),
      );
      const res = await client.request('GET', '/upper');
      expect(valuesOf(res.headers, 'x-error')).toEqual(['PAGI_ERR_VALIDATION']);
      expect(valuesOf(res.headers, 'x-upper')).toEqual([]);
    },
  );

  ctx.it('§4.1.3: a content-length that is not a byte count rejects with PAGI_ERR_VALIDATION', async () => {
    const client = ctx.serve(
      tryFirst({ type: 'http.response.start', status: 200, headers: [['content-length', 'ten']] }),
    );
    const res = await client.request('GET', '/bad-length');
    expect(valuesOf(res.headers, 'x-error')).toEqual(['PAGI_ERR_VALIDATION']);
  });

  ctx.it("§4.1.3: a transfer-encoding set by the app is ignored; framing is the server's", async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({
          type: 'http.response.start',
          status: 200,
          headers: [
            ['content-length', '3'],
            ['transfer-encoding', 'chunked'],
          ],
        });
        await send({ type: 'http.response.body', body: 'abc' });
      }),
    );
    const res = await client.request('GET', '/app-framing');
    expect(res.body.toString()).toBe('abc');
    expect(valuesOf(res.headers, 'content-length')).toEqual(['3']);
    expect(valuesOf(res.headers, 'transfer-encoding')).toEqual([]);
  });

  ctx.it('D-13: a header value that is not a string rejects the send', async () => {
    const client = ctx.serve(
      tryFirst({ type: 'http.response.start', status: 200, headers: [['content-length', 2]] }),
    );
    const res = await client.request('GET', '/numeric-header');
    expect(valuesOf(res.headers, 'x-error')).toEqual(['PAGI_ERR_VALIDATION']);
  });

  ctx.it('§2.5: an event type foreign to the http scope rejects with PAGI_ERR_UNKNOWN_EVENT', async () => {
    const client = ctx.serve(tryFirst({ type: 'websocket.accept' }));
    const res = await client.request('GET', '/foreign');
    expect(valuesOf(res.headers, 'x-error')).toEqual(['PAGI_ERR_UNKNOWN_EVENT']);
  });

  ctx.it('§2.5: a start without a status rejects with PAGI_ERR_VALIDATION', async () => {
    const client = ctx.serve(tryFirst({ type: 'http.response.start' }));
    const res = await client.request('GET', '/no-status');
    expect(valuesOf(res.headers, 'x-error')).toEqual(['PAGI_ERR_VALIDATION']);
  });

  ctx.it('§4.1.3: a status outside 100–599 rejects with PAGI_ERR_VALIDATION', async () => {
    const client = ctx.serve(tryFirst({ type: 'http.response.start', status: 600 }));
    const res = await client.request('GET', '/bad-status');
    expect(valuesOf(res.headers, 'x-error')).toEqual(['PAGI_ERR_VALIDATION']);
  });

  ctx.it('§4.1.4: body and file together reject with PAGI_ERR_VALIDATION', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        const both = {
          type: 'http.response.body',
          body: 'x',
          file: '/etc/hostname',
        } as unknown as SendEvent<'http'>;
        seen.report(await outcomeOf(send(both)));
        await send({ type: 'http.response.body', body: 'fine' });
      }),
    );
    const res = await client.request('GET', '/both');
    expect(res.body.toString()).toBe('fine');
    expect(await seen.value('the outcome of body+file')).toBe('PAGI_ERR_VALIDATION');
  });

  ctx.it('D-6: trailers that were not declared reject with PAGI_ERR_STATE', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'body', more: true });
        seen.report(await outcomeOf(send({ type: 'http.response.trailers', headers: [['x-t', '1']] })));
        await send({ type: 'http.response.body', body: '' });
      }),
    );
    const res = await client.request('GET', '/undeclared');
    expect(res.body.toString()).toBe('body');
    expect(await seen.value('the outcome of undeclared trailers')).toBe('PAGI_ERR_STATE');
  });

  ctx.it('http.fullflush is accepted where the scope advertises it', async () => {
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'a', more: true });
        const outcome =
          'fullflush' in scope.extensions ? await outcomeOf(send({ type: 'http.fullflush' })) : 'absent';
        await send({ type: 'http.response.body', body: outcome });
      }),
    );
    const res = await client.request('GET', '/flush');
    expect(res.body.toString()).toBe('aresolved');
  });

  ctx.it('D-12: a response started but not finished is aborted and ends abnormally', async () => {
    const seen = createProbe<DisconnectReason>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        scope['pagi.connection'].on_disconnect((reason) => seen.report(reason));
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'partial', more: true });
      }),
    );
    await expect(client.request('GET', '/unfinished')).rejects.toThrow();
    expect(await seen.value('on_disconnect for an unfinished response')).toBe('server_error');
  });

  ctx.it('D-12: a streamed response cut mid-body delivers what was sent, then fails the read', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', body: 'partial', more: true });
        throw new Error('boom mid-body');
      }),
    );
    const stream = await client.stream('GET', '/cut');
    expect(stream.status).toBe(200);
    let received = '';
    const outcome = await (async () => {
      for (;;) {
        const chunk = await stream.next();
        if (chunk === undefined) return 'ended cleanly';
        received += chunk.toString();
      }
    })().catch(() => 'failed');
    expect(outcome).toBe('failed');
    expect('partial'.startsWith(received)).toBe(true);
  });

  ctx.it('trailers declared but never sent: the body still ends, the request ends abnormally', async () => {
    const seen = createProbe<DisconnectReason>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        scope['pagi.connection'].on_disconnect((reason) => seen.report(reason));
        await send({ type: 'http.response.start', status: 200, trailers: true });
        await send({ type: 'http.response.body', body: 'data' });
      }),
    );
    const res = await client.request('GET', '/no-trailers', { headers: [['te', 'trailers']] });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('data');
    expect(res.trailers).toEqual([]);
    expect(await seen.value('on_disconnect for missing trailers')).toBe('server_error');
  });

  ctx.it('a body longer than the declared content-length rejects and aborts the response', async () => {
    const seen = createProbe<{ outcome: string; reason: DisconnectReason | undefined }>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200, headers: [['content-length', '3']] });
        const outcome = await outcomeOf(send({ type: 'http.response.body', body: 'abcdef' }));
        seen.report({ outcome, reason: scope['pagi.connection'].disconnect_reason() });
      }),
    );
    // What the client gets is a broken response either way; only the app's view is compared.
    await expect(client.request('GET', '/overrun')).rejects.toThrow();
    expect(await seen.value('the outcome of an overrun')).toEqual({
      outcome: 'PAGI_ERR_VALIDATION',
      reason: 'server_error',
    });
  });

  ctx.it('a body that ends short of the declared content-length rejects and aborts', async () => {
    const seen = createProbe<{ outcome: string; reason: DisconnectReason | undefined }>();
    const client = ctx.serve(
      httpApp(async (scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200, headers: [['content-length', '10']] });
        await send({ type: 'http.response.body', body: 'abc', more: true });
        const outcome = await outcomeOf(send({ type: 'http.response.body', body: 'de' }));
        seen.report({ outcome, reason: scope['pagi.connection'].disconnect_reason() });
      }),
    );
    await expect(client.request('GET', '/underrun')).rejects.toThrow();
    expect(await seen.value('the outcome of an underrun')).toEqual({
      outcome: 'PAGI_ERR_VALIDATION',
      reason: 'server_error',
    });
  });
}
