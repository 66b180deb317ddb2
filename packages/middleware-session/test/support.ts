import type { App } from '@pagi/spec';
import { SESSION, type Session } from '@pagi/spec/middleware';
import type { SessionRecord, SessionStore } from '../src/index.js';

/** An app that runs `handler` with the session and answers 200 with its result as JSON. */
export function sessionApp(handler: (session: Session, path: string) => unknown): App {
  return async (scope, receive, send) => {
    if (scope.type === 'http') {
      let out: unknown;
      try {
        out = await handler(SESSION.require(scope), scope.path);
      } catch (error) {
        out = { error: (error as { code?: string }).code ?? String(error) };
      }
      await send({
        type: 'http.response.start',
        status: 200,
        headers: [['content-type', 'application/json']],
      });
      await send({ type: 'http.response.body', body: JSON.stringify(out ?? null) });
    } else if (scope.type === 'sse') {
      let out: unknown;
      try {
        out = await handler(SESSION.require(scope), scope.path);
      } catch (error) {
        out = { error: (error as { code?: string }).code };
      }
      await send({ type: 'sse.start', status: 200, headers: [] });
      await send({ type: 'sse.send', data: JSON.stringify(out ?? null) });
    } else if (scope.type === 'websocket') {
      await receive();
      await send({ type: 'websocket.accept' });
      let out: unknown;
      try {
        out = await handler(SESSION.require(scope), scope.path);
      } catch (error) {
        out = { error: (error as { code?: string }).code };
      }
      await send({ type: 'websocket.send', text: JSON.stringify(out ?? null) });
    }
  };
}

/** A store wrapper that records every call. */
export function spyStore(inner: SessionStore): SessionStore & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    get: (handle) => {
      calls.push('get');
      return inner.get(handle);
    },
    set: (record: SessionRecord) => {
      calls.push('set');
      return inner.set(record);
    },
    touch: (id, expires) => {
      calls.push('touch');
      return inner.touch?.(id, expires) ?? Promise.resolve();
    },
    delete: (id) => {
      calls.push('delete');
      return inner.delete(id);
    },
  };
}
