// WebSocket fan-out: every client on ws://127.0.0.1:8000/<name> gets what the others send there.
// With REDIS_URL set, every worker (`-- --workers 2`) shares the channels.
import { wsBroadcast } from '@pagi/app-ws-broadcast';
import { createChannelLayer, redisBackend } from '@pagi/channels';

export const layer = createChannelLayer({
  backend: process.env.REDIS_URL
    ? redisBackend({ url: process.env.REDIS_URL, prefix: 'example-bc:' })
    : undefined,
});

export default wsBroadcast({
  layer,
  channel: (scope) => `room:${scope.path.slice(1) || 'lobby'}`,
});
