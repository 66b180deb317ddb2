import type { App, ReceiveEvent } from '@pagi/spec';

/**
 * Echoes every message back as it came (text as text, bytes as bytes); `await send()` paces it, so
 * a send that never resolves (backpressure not released) stalls the echo where a test sees it.
 */
export const echo: App = async (scope, receive, send) => {
  if (scope.type !== 'websocket') return;
  await receive();
  await send({ type: 'websocket.accept' });
  for (;;) {
    const event = (await receive()) as ReceiveEvent<'websocket'>;
    if (event.type !== 'websocket.receive') return;
    await send(
      event.text !== undefined
        ? { type: 'websocket.send', text: event.text }
        : { type: 'websocket.send', bytes: event.bytes },
    );
  }
};
