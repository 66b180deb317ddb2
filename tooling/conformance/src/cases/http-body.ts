import type { ReceiveEvent } from '@pagi/spec';
import { expect } from 'vitest';
import { createGate, createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { httpApp, readBody, respond } from './helpers.js';

/** Lets every already-settled promise run its callbacks, so "still pending" means pending. */
function flushSettled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Inbound HTTP events (protocol.md §4.1.1, §4.1.2, D-7, D-15). */
export function httpBodyCases(ctx: CaseContext): void {
  ctx.it('http.request: a chunked body arrives whole, every event but the last with more', async () => {
    const seen = createProbe<{ body: string; mores: boolean[]; allBytes: boolean }>();
    const client = ctx.serve(
      httpApp(async (_scope, receive, send) => {
        const parts: Buffer[] = [];
        const mores: boolean[] = [];
        let allBytes = true;
        while (true) {
          const event = await receive();
          if (event.type !== 'http.request') break;
          allBytes &&= event.body instanceof Uint8Array;
          parts.push(Buffer.from(event.body));
          mores.push(event.more);
          if (!event.more) break;
        }
        seen.report({ body: Buffer.concat(parts).toString(), mores, allBytes });
        await respond(send, 'ok');
      }),
    );
    const res = await client.request('POST', '/upload', { body: ['first-', 'second-', 'third'] });
    expect(res.status).toBe(200);
    const { body, mores, allBytes } = await seen.value('the request body');
    expect(body).toBe('first-second-third');
    expect(allBytes).toBe(true);
    expect(mores.at(-1)).toBe(false);
    expect(mores.slice(0, -1).every((more) => more)).toBe(true);
  });

  ctx.it('http.request: the chunk that completes a content-length body says more false', async () => {
    const seen = createProbe<{ body: string; lastBody: string; lastMore: boolean }>();
    const client = ctx.serve(
      httpApp(async (_scope, receive, send) => {
        const events: { body: string; more: boolean }[] = [];
        while (true) {
          const event = await receive();
          if (event.type !== 'http.request') break;
          events.push({ body: Buffer.from(event.body).toString(), more: event.more });
          if (!event.more) break;
        }
        const last = events.at(-1);
        seen.report({
          body: events.map((e) => e.body).join(''),
          lastBody: last?.body ?? '',
          lastMore: last?.more ?? true,
        });
        await respond(send);
      }),
    );
    await client.request('POST', '/sized', { body: 'exactly-this' });
    // The server knows the length, so it knows which bytes are the last: no empty tail event.
    expect(await seen.value('the body events')).toEqual({
      body: 'exactly-this',
      lastBody: expect.stringMatching(/.+/),
      lastMore: false,
    });
  });

  ctx.it('http.request: no body gives one empty event with more false', async () => {
    const seen = createProbe<{ type: string; length: number; more: boolean }>();
    const client = ctx.serve(
      httpApp(async (_scope, receive, send) => {
        const event = await receive();
        seen.report({
          type: event.type,
          length: event.type === 'http.request' ? event.body.length : -1,
          more: event.type === 'http.request' ? event.more : true,
        });
        await respond(send);
      }),
    );
    await client.request('GET', '/');
    expect(await seen.value('the first event')).toEqual({ type: 'http.request', length: 0, more: false });
  });

  ctx.it(
    'D-7: receive() after the body waits for the response to complete, then repeats http.disconnect',
    async () => {
      const seen = createProbe<string[]>();
      const client = ctx.serve(
        httpApp(async (_scope, receive, send) => {
          await receive();
          let settled = false;
          const watcher = receive().then((event) => {
            settled = true;
            return event;
          });
          await send({ type: 'http.response.start', status: 200 });
          await send({ type: 'http.response.body', body: 'a', more: true });
          await flushSettled();
          await send({ type: 'http.response.body', body: settled ? '|early' : '|pending', more: true });
          await send({ type: 'http.response.body', body: '' });
          const first = await watcher;
          const again = await receive();
          seen.report([first.type, again.type]);
        }),
      );
      const res = await client.request('GET', '/watch');
      expect(res.body.toString()).toBe('a|pending');
      expect(await seen.value('the events after the body')).toEqual(['http.disconnect', 'http.disconnect']);
    },
  );

  ctx.it('D-15: receive() called twice back to back returns one promise and one event', async () => {
    const seen = createProbe<{ same: boolean; body: string; more: boolean }>();
    const client = ctx.serve(
      httpApp(async (_scope, receive, send) => {
        const a = receive();
        const b = receive();
        const event = (await b) as ReceiveEvent<'http'>;
        const same = a === b && (await a) === event;
        seen.report({
          same,
          body: event.type === 'http.request' ? Buffer.from(event.body).toString() : event.type,
          more: event.type === 'http.request' ? event.more : true,
        });
        await respond(send);
      }),
    );
    await client.request('POST', '/race', { body: 'payload' });
    expect(await seen.value('the raced receive')).toEqual({ same: true, body: 'payload', more: false });
  });

  ctx.it('D-15: receive() raced against a timer that wins, then called again, loses no event', async () => {
    const bodyGate = createGate();
    const seen = createProbe<{ head: string; winner: string; same: boolean; tail: string }>();
    const client = ctx.serve(
      httpApp(async (_scope, receive, send) => {
        const head = await receive();
        const first = receive();
        // The rest of the body is held back by the gate, so the timer side of the race wins.
        const winner = await Promise.race([first.then(() => 'event'), Promise.resolve('timer')]);
        bodyGate.open();
        const second = receive();
        const event = await second;
        seen.report({
          head: head.type === 'http.request' ? Buffer.from(head.body).toString() : head.type,
          winner,
          same: first === second,
          tail: event.type === 'http.request' ? Buffer.from(event.body).toString() : event.type,
        });
        // Drain the rest only if there is a rest: a receive() after the last chunk waits (D-7).
        if (event.type === 'http.request' && event.more) await readBody(receive);
        await respond(send);
      }),
    );
    async function* heldBody(): AsyncGenerator<string> {
      yield 'head';
      await bodyGate.wait;
      yield 'tail';
    }
    await client.request('POST', '/race-timer', { body: heldBody() });
    expect(await seen.value('the event after a lost race')).toEqual({
      head: 'head',
      winner: 'timer',
      same: true,
      tail: 'tail',
    });
  });
}
