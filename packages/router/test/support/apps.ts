import type { App, Scope } from '@pagi/spec';
import { getRoute } from '../../src/index.js';

/** An HTTP app answering 200 with a fixed text. */
export function text(body: string): App {
  return async (_scope, _receive, send) => {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
    await send({ type: 'http.response.body', body });
  };
}

/** What `echo` reports about the scope it got. */
export interface Echo {
  path: string;
  raw_path: string | undefined;
  root_path: string;
  method: string | undefined;
  router: ReturnType<typeof getRoute>;
  trace: unknown;
}

function describe(scope: Scope): Echo {
  const s = scope as Scope & { path: string; raw_path?: string; root_path: string; method?: string };
  return {
    path: s.path,
    raw_path: s.raw_path,
    root_path: s.root_path,
    method: s.method,
    router: getRoute(scope),
    trace: s.trace,
  };
}

/** Answers HTTP with the JSON of {@link Echo}; accepts a WebSocket and sends it; starts SSE and sends it. */
export const echo: App = async (scope, receive, send) => {
  const body = JSON.stringify(describe(scope));
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'application/json']] });
    await send({ type: 'http.response.body', body });
  } else if (scope.type === 'websocket') {
    await receive();
    await send({ type: 'websocket.accept' });
    await send({ type: 'websocket.send', text: body });
    await send({ type: 'websocket.close' });
  } else if (scope.type === 'sse') {
    await send({ type: 'sse.start' });
    await send({ type: 'sse.send', data: body });
  }
};
