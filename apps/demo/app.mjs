/**
 * The PAGI demo: a small chat over all three protocols, built with @pagi/router and
 * @pagi/helpers. Run it with `node packages/server/dist/cli.js --port 8000 apps/demo/app.mjs`
 * (what the root `npm start` does) and open http://127.0.0.1:8000/.
 *
 *   GET /               the chat page (WebSocket + EventSource in inline JS)
 *   GET /api/health     JSON status
 *   GET /hello/:name    plain text
 *   WS  /ws/chat        chat messages, broadcast to every client of this process
 *   SSE /events         a clock tick every second, plus join/leave events
 *   anything else       404 (an HTML page, a refused handshake, or a declined stream)
 */
import { lifespan } from '@pagi/helpers';
import { Router } from '@pagi/router';
import { compose } from '@pagi/spec';
import { requestTiming } from './middleware/request-timing.mjs';
import { securityHeaders } from './middleware/security-headers.mjs';
import { ChatRoom } from './src/chat-room.mjs';
import { chatSocket } from './src/chat-socket.mjs';
import { clockStream } from './src/clock-stream.mjs';
import { health, hello, home } from './src/http-routes.mjs';
import { notFound } from './src/not-found.mjs';

/**
 * Builds the demo app. Options: `tickInterval` (ms between clock ticks, default 1000) and
 * `onTiming` (called with `{ method, path, status, duration }` after each HTTP request).
 *
 * @param {{ tickInterval?: number, onTiming?: (timing: { method: string, path: string, status: number, duration: number }) => void }} [options]
 * @returns {import('@pagi/spec').App}
 * @example
 * import { createServer } from '@pagi/server';
 * await createServer(createApp({ tickInterval: 250 }), { port: 0 }).listen();
 */
export function createApp({ tickInterval = 1000, onTiming } = {}) {
  const router = new Router({ notFound });
  router.get('/', home, { name: 'home' });
  router.get('/api/health', health, { name: 'health' });
  router.get('/hello/:name', hello, { name: 'hello' });
  router.websocket('/ws/chat', chatSocket, { name: 'chat' });
  router.sse('/events', clockStream({ tickInterval }), { name: 'events' });

  const chatLifespan = lifespan({
    startup: (state) => {
      state.room = new ChatRoom();
      state.startedAt = Date.now();
    },
    shutdown: (state) => state.room.close(),
  });

  // Outermost first: lifespan, then the two HTTP middleware around the router.
  return compose(chatLifespan, securityHeaders(), requestTiming({ onTiming }))(router.app);
}

export default createApp();
