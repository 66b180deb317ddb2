// A start made by the kit (bufferBody's finished start) edited again by editHeaders: constructed
// anew instead of spread, with the same fields as the plain event; an app's start is still spread,
// fields the kit does not know included.
import { describe, expect, it } from 'vitest';
import { bufferBody, concatHeader, editHeaders } from '../../src/middleware/index.js';
import type { HttpScope, SendEvent } from '../../src/types.js';

const scope = { type: 'http', method: 'GET', headers: [] } as unknown as HttpScope;

describe('editHeaders over a start the kit made', () => {
  it('keeps status and trailers, adds the headers, leaves the inner start as it was', async () => {
    const seen: SendEvent[] = [];
    const outer = editHeaders(
      async (event: SendEvent) => {
        seen.push(event);
      },
      (headers) => concatHeader(headers, ['x-outer', '1']),
    );
    await bufferBody(
      async (_scope, _receive, send) => {
        await send({ type: 'http.response.start', status: 201, headers: [['x-app', 'a']], trailers: true });
        await send({ type: 'http.response.body', body: 'hi' });
      },
      scope,
      async () => ({ type: 'http.disconnect' }),
      outer,
      { limit: 100 },
      (start, body) => ({
        status: start.status,
        headers: concatHeader(start.headers ?? [], ['x-held', 'b']),
        body,
      }),
    );
    expect({ ...seen[0] }).toEqual({
      type: 'http.response.start',
      status: 201,
      headers: [
        ['x-app', 'a'],
        ['x-held', 'b'],
        ['x-outer', '1'],
      ],
      trailers: true,
    });
    expect(Object.keys(seen[0]!)).toEqual(['type', 'status', 'headers', 'trailers']);
  });

  it("still spreads an app's start, fields the kit does not know included", async () => {
    const seen: SendEvent[] = [];
    const send = editHeaders(
      async (event: SendEvent) => {
        seen.push(event);
      },
      (headers) => concatHeader(headers, ['x-outer', '1']),
    );
    const start = { type: 'http.response.start', status: 200, headers: [], extra: 1 } as SendEvent;
    await send(start);
    expect(seen[0]).toEqual({ ...start, headers: [['x-outer', '1']] });
    expect(seen[0]).not.toBe(start);
  });
});
