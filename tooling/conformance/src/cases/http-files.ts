import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { httpApp, outcomeOf } from './helpers.js';

/** File bodies (protocol.md §4.1.4, D-9). */
export function httpFileCases(ctx: CaseContext): void {
  let dir = '';
  let file = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pagi-conformance-'));
    file = join(dir, 'digits.txt');
    await writeFile(file, '0123456789');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  ctx.it('file body: offset and length select a slice, and finish the body', async () => {
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 200 });
        await send({ type: 'http.response.body', file, offset: 2, length: 5, more: true });
      }),
    );
    const res = await client.request('GET', '/slice');
    expect(res.body.toString()).toBe('23456');
  });

  ctx.it('file body: a missing file rejects the send, and the app may still answer', async () => {
    const seen = createProbe<string>();
    const client = ctx.serve(
      httpApp(async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 404 });
        seen.report(await outcomeOf(send({ type: 'http.response.body', file: join(dir, 'missing.txt') })));
        // Nothing of the file was written, so the response is still open for another body.
        await send({ type: 'http.response.body', body: 'no such file' });
      }),
    );
    const res = await client.request('GET', '/missing');
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe('no such file');
    expect(await seen.value('the outcome of a missing file')).not.toBe('resolved');
  });
}
