/**
 * Type-level tests: they pass when `tsc -p .` compiles this file (the `@ts-expect-error` lines
 * must be errors), and the runtime part only keeps vitest from calling the file empty.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  App,
  HeaderList,
  HttpScope,
  ProtocolApp,
  Receive,
  ReceiveEvent,
  Scope,
  Send,
  SendEvent,
  SendValidator,
  SendVerdict,
  SseScope,
  WebSocketScope,
} from '../src/index.js';
import {
  createSendValidator,
  validateHeaderList,
  validateScope,
  wrapReceive,
  wrapSend,
} from '../src/index.js';

describe('types', () => {
  it('narrows the scope by scope.type', () => {
    const probe = (scope: Scope) => {
      if (scope.type === 'http') {
        expectTypeOf(scope).toEqualTypeOf<HttpScope>();
        expectTypeOf(scope.method).toEqualTypeOf<string>();
      } else if (scope.type === 'websocket') {
        expectTypeOf(scope).toEqualTypeOf<WebSocketScope>();
        expectTypeOf(scope.subprotocols).toEqualTypeOf<string[]>();
      } else if (scope.type === 'sse') {
        expectTypeOf(scope).toEqualTypeOf<SseScope>();
      } else {
        expectTypeOf(scope.type).toEqualTypeOf<'lifespan'>();
        // @ts-expect-error a lifespan scope has no path key of type string
        const path: string = scope.path;
        void path;
      }
    };
    expectTypeOf(probe).toBeFunction();
  });

  it("narrows events in a ProtocolApp<'http'>", () => {
    const app: ProtocolApp<'http'> = async (scope, receive, send) => {
      expectTypeOf(scope).toEqualTypeOf<HttpScope>();
      const event = await receive();
      if (event.type === 'http.request') expectTypeOf(event.body).toEqualTypeOf<Uint8Array>();
      await send({ type: 'http.response.start', status: 200, headers: [['content-type', 'text/plain']] });
      await send({ type: 'http.response.body', body: 'hi' });
      // @ts-expect-error an http send does not take websocket events
      await send({ type: 'websocket.accept' });
      // @ts-expect-error body, file and fh are exclusive
      await send({ type: 'http.response.body', body: 'x', file: '/a' });
      // @ts-expect-error status is required
      await send({ type: 'http.response.start' });
    };
    expectTypeOf(app).toBeFunction();
  });

  it("narrows events in a ProtocolApp<'websocket'>", () => {
    const app: ProtocolApp<'websocket'> = async (_scope, receive, send) => {
      const event = await receive();
      if (event.type === 'websocket.receive' && event.text !== undefined)
        expectTypeOf(event.text).toEqualTypeOf<string>();
      await send({ type: 'websocket.accept', subprotocol: 'chat' });
      await send({ type: 'websocket.send', text: 'hi' });
      // @ts-expect-error text and bytes are exclusive
      await send({ type: 'websocket.send', text: 'a', bytes: 'b' });
      // @ts-expect-error sse events belong to sse scopes
      await send({ type: 'sse.start' });
    };
    expectTypeOf(app).toBeFunction();
  });

  it('a general App takes every protocol', () => {
    const app: App = async (scope, _receive, send) => {
      if (scope.type === 'lifespan') await send({ type: 'lifespan.startup.complete' });
    };
    expectTypeOf(app).parameter(0).toEqualTypeOf<Scope>();
    expectTypeOf(app).parameter(1).toEqualTypeOf<Receive>();
    expectTypeOf(app).parameter(2).toEqualTypeOf<Send>();
  });

  it('the validator API has the agreed shape', () => {
    expectTypeOf(createSendValidator).returns.toEqualTypeOf<SendValidator>();
    expectTypeOf<SendValidator['check']>().returns.toEqualTypeOf<SendVerdict>();
    expectTypeOf<SendVerdict>().toEqualTypeOf<'send' | 'ignore'>();
    expectTypeOf<SendValidator['state']>().toEqualTypeOf<string>();
    expectTypeOf<SendValidator['finished']>().toEqualTypeOf<boolean>();
  });

  it('assertion functions narrow unknown values', () => {
    const check = (value: unknown, scope: unknown) => {
      validateHeaderList(value, 'h');
      expectTypeOf(value).toEqualTypeOf<HeaderList>();
      validateScope(scope);
      expectTypeOf(scope).toEqualTypeOf<Scope>();
    };
    expectTypeOf(check).toBeFunction();
  });

  it('wrap helpers keep the protocol type', () => {
    const send: Send<'sse'> = async () => {};
    const wrapped = wrapSend(send, async (event, next) => {
      expectTypeOf(event).toEqualTypeOf<SendEvent<'sse'>>();
      await next(event);
    });
    expectTypeOf(wrapped).toEqualTypeOf<Send<'sse'>>();
    const receive: Receive<'sse'> = async () => ({ type: 'sse.disconnect', reason: 'client_closed' });
    const wrappedReceive = wrapReceive(receive, (event) => {
      expectTypeOf(event).toEqualTypeOf<ReceiveEvent<'sse'>>();
      return event;
    });
    expectTypeOf(wrappedReceive).toEqualTypeOf<Receive<'sse'>>();
  });
});
