/**
 * A tiny stand-in for a server, for the few tests that need a scope the test client does not
 * build (no `raw_path`, no WebSocket denial extension, lifespan, unknown types): calls the app
 * once and records every event it sends.
 */
import type { App, Scope } from '@pagi/spec';

export interface Driven {
  sent: Array<{ type: string; [key: string]: unknown }>;
  result: unknown;
}

export async function drive(
  app: App,
  scope: Record<string, unknown>,
  inbound: object[] = [],
): Promise<Driven> {
  const sent: Driven['sent'] = [];
  const queue = [...inbound];
  const receive = async () => queue.shift() ?? { type: `${String(scope.type)}.disconnect`, code: 1006 };
  const send = async (event: object) => {
    sent.push(event as Driven['sent'][number]);
  };
  const result = await app(scope as unknown as Scope, receive as never, send as never);
  return { sent, result };
}

/** A plain connection scope of the given type; override any key. */
export function scopeOf(
  type: 'http' | 'websocket' | 'sse',
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type,
    pagi: { version: '0.3', spec_version: '0.3' },
    http_version: '1.1',
    scheme: type === 'websocket' ? 'ws' : 'http',
    path: '/',
    raw_path: '/',
    query_string: '',
    root_path: '',
    headers: [],
    extensions: {},
    ...(type === 'websocket' ? { subprotocols: [] } : { method: 'GET' }),
    ...over,
  };
}
