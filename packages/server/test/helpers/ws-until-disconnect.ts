import type { App, ReceiveEvent, Send, WebSocketDisconnectEvent } from '@pagi/spec';
import { deferred } from './start-server.js';

/** What {@link untilDisconnect} does between the accept and the disconnect. */
export interface UntilDisconnectOptions {
  /** Runs once the WebSocket is accepted (a burst of sends, say); a rejected send is ignored. */
  accepted?: (send: Send<'websocket'>) => Promise<void>;
  /** The text to answer each text message with; messages are not answered without it. */
  reply?: (text: string) => string;
}

/**
 * A WebSocket app that accepts, then reads until the server delivers `websocket.disconnect`, and
 * reports that event: the app most close-code and shutdown tests need, whatever the transport
 * (HTTP/1.1 upgrade or an RFC 8441 stream).
 */
export function untilDisconnect(options: UntilDisconnectOptions = {}): {
  app: App;
  disconnected: Promise<WebSocketDisconnectEvent>;
} {
  const gone = deferred<WebSocketDisconnectEvent>();
  const app: App = async (scope, receive, send) => {
    if (scope.type !== 'websocket') return;
    await receive();
    await send({ type: 'websocket.accept' });
    try {
      await options.accepted?.(send as Send<'websocket'>);
    } catch {
      // a send after the connection went away rejects; the disconnect event is what matters
    }
    for (;;) {
      const event = (await receive()) as ReceiveEvent<'websocket'>;
      if (event.type === 'websocket.disconnect') {
        gone.resolve(event);
        return;
      }
      if (options.reply !== undefined && event.type === 'websocket.receive' && event.text !== undefined)
        await send({ type: 'websocket.send', text: options.reply(event.text) });
    }
  };
  return { app, disconnected: gone.promise };
}
