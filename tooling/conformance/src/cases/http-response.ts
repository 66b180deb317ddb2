import { expect } from 'vitest';
import { createGate } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { httpApp, valuesOf } from './helpers.js';

/** Outbound HTTP events (protocol.md §4.1.3–§4.1.5). */
export function httpResponseCases(ctx: CaseContext): void {
  ctx.it('response with content-length: body and length as the app sent them', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({
          type: 'http.response.start',
          status: 201,
          headers: [
            ['content-type', 'text/plain'],
            ['content-length', '5'],
            ['set-cookie', 'a=1'],
            ['set-cookie', 'b=2'],
          ],
        });
        await send({ type: 'http.response.body', body: 'hello' });
      }),
    );
    const res = await client.request('GET', '/fixed');
    expect(res.status).toBe(201);
    expect(res.body.toString()).toBe('hello');
    expect(valuesOf(res.headers, 'content-length')).toEqual(['5']);
    expect(valuesOf(res.headers, 'content-type')).toEqual(['text/plain']);
    expect(valuesOf(res.headers, 'set-cookie')).toEqual(['a=1', 'b=2']);
  });

  ctx.it('streamed response: each chunk reaches the client before the next is sent', async () => {
    const gate = createGate();
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
        await send({ type: 'http.response.body', body: 'one,', more: true });
        // Only the client reading the first chunk opens the gate: it was delivered, not buffered.
        await gate.wait;
        await send({ type: 'http.response.body', body: Buffer.from('two,'), more: true });
        await send({ type: 'http.response.body', body: 'three' });
      }),
    );
    const stream = await client.stream('GET', '/stream');
    expect(stream.status).toBe(200);
    expect(valuesOf(stream.headers, 'content-length')).toEqual([]);
    const first = await stream.next();
    expect(first?.toString()).toBe('one,');
    gate.open();
    let rest = '';
    for (let chunk = await stream.next(); chunk !== undefined; chunk = await stream.next())
      rest += chunk.toString();
    expect(rest).toBe('two,three');
  });

  ctx.it('trailers declared in start and sent after the body reach the client', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({
          type: 'http.response.start',
          status: 200,
          headers: [['trailer', 'x-checksum']],
          trailers: true,
        });
        await send({ type: 'http.response.body', body: 'data', more: true });
        await send({ type: 'http.response.body', body: '' });
        await send({ type: 'http.response.trailers', headers: [['x-checksum', 'abc123']] });
      }),
    );
    const res = await client.request('GET', '/trailers', { headers: [['te', 'trailers']] });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('data');
    expect(valuesOf(res.trailers, 'x-checksum')).toEqual(['abc123']);
  });

  ctx.it('trailers with a content-length set by the app cannot be framed and are dropped', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({
          type: 'http.response.start',
          status: 200,
          headers: [['content-length', '4']],
          trailers: true,
        });
        await send({ type: 'http.response.body', body: 'data' });
        await send({ type: 'http.response.trailers', headers: [['x-checksum', 'abc123']] });
      }),
    );
    const res = await client.request('GET', '/sized-trailers', { headers: [['te', 'trailers']] });
    expect(res.body.toString()).toBe('data');
    expect(valuesOf(res.trailers, 'x-checksum')).toEqual([]);
  });

  ctx.it('HEAD: the head is sent and every body byte dropped', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200, headers: [['content-length', '5']] });
        await send({ type: 'http.response.body', body: 'hello' });
      }),
    );
    const res = await client.request('HEAD', '/head');
    expect(res.status).toBe(200);
    expect(valuesOf(res.headers, 'content-length')).toEqual(['5']);
    expect(res.body.length).toBe(0);
  });

  ctx.it('204: a body the app sends anyway never reaches the client', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 204 });
        await send({ type: 'http.response.body', body: 'should not be here' });
      }),
    );
    const res = await client.request('GET', '/no-content');
    expect(res.status).toBe(204);
    expect(res.body.length).toBe(0);
  });
}
