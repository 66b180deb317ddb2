import { expect } from 'vitest';
import { LIFESPAN_MARKER } from '../internal/host-app.js';
import { createProbe } from '../internal/probe.js';
import type { CaseContext } from './case-context.js';
import { sseApp, valuesOf, websocketApp } from './helpers.js';
import { commonKeys } from './scope-keys.js';

/** `websocket` and `sse` scope keys and values (protocol.md §3.1, §3.3, §3.4). */
export function websocketSseScopeCases(ctx: CaseContext): void {
  ctx.it('websocket scope: keys, subprotocols, handshake headers, extensions', async () => {
    const seen = createProbe<
      ReturnType<typeof commonKeys> & { subprotocols: string[]; hasMethod: boolean }
    >();
    const client = ctx.serve(
      websocketApp(async (scope, receive, send) => {
        seen.report({ ...commonKeys(scope), subprotocols: scope.subprotocols, hasMethod: 'method' in scope });
        await receive();
        await send({ type: 'websocket.accept' });
        await send({ type: 'websocket.close' });
      }),
    );
    const ws = await client.websocket('/ws/caf%C3%A9?room=1');
    expect(ws.accepted).toBe(true);
    const scope = await seen.value('the websocket scope');
    expect(scope).toMatchObject({
      type: 'websocket',
      pagi: { version: '0.3', spec_version: '0.3' },
      http_version: ctx.httpVersion,
      scheme: 'ws',
      path: '/ws/café',
      raw_path: '/ws/caf%C3%A9',
      query_string: 'room=1',
      root_path: '',
      subprotocols: [],
      hasMethod: false,
      stateMarker: LIFESPAN_MARKER,
      hasTransport: true,
      addressTypes: ['string,number', 'string,number'],
    });
    // The handshake's headers reach the app once each. HTTP/2 (RFC 8441 §4) has no Upgrade,
    // Connection or Sec-WebSocket-Key: the extended CONNECT's :protocol replaces them.
    const handshake =
      ctx.httpVersion === '2'
        ? ['sec-websocket-version', 'host']
        : ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'host'];
    for (const name of handshake) {
      expect(valuesOf(scope.headers, name), name).toHaveLength(1);
    }
    expect(scope.extensions['websocket.http.response']).toEqual({});
    await ws.closed;
  });

  ctx.it('sse scope: keys, method, accept header, no pagi.connection', async () => {
    const seen = createProbe<ReturnType<typeof commonKeys> & { method: string; hasConnection: boolean }>();
    const client = ctx.serve(
      sseApp(async (scope, _receive, send) => {
        seen.report({
          ...commonKeys(scope),
          method: scope.method,
          hasConnection: 'pagi.connection' in scope,
        });
        await send({ type: 'sse.start' });
      }),
    );
    const sse = await client.sse('/events/%C3%A9?since=5');
    expect(sse.declined).toBe(false);
    const scope = await seen.value('the sse scope');
    expect(scope).toMatchObject({
      type: 'sse',
      method: 'GET',
      pagi: { version: '0.3', spec_version: '0.3' },
      http_version: ctx.httpVersion,
      scheme: 'http',
      path: '/events/é',
      raw_path: '/events/%C3%A9',
      query_string: 'since=5',
      root_path: '',
      hasConnection: false,
      stateMarker: LIFESPAN_MARKER,
      hasTransport: true,
      addressTypes: ['string,number', 'string,number'],
    });
    expect(valuesOf(scope.headers, 'accept')).toEqual(['text/event-stream']);
    expect(scope.extensions).toBeTypeOf('object');
    expect(await sse.next()).toBeUndefined();
  });
}
