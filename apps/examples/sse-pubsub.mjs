// Event streams at http://127.0.0.1:8000/news and /alerts (open them with EventSource or
// `curl -N -H 'accept: text/event-stream' http://127.0.0.1:8000/news`); publish with
// `curl -d 'hello' http://127.0.0.1:8000/news`. Demo only: publishing here has no authentication.
import { ssePubsub } from '@pagi/app-sse-pubsub';
import { createChannelLayer, redisBackend } from '@pagi/channels';

export const layer = createChannelLayer({
  historySize: 50,
  backend: process.env.REDIS_URL
    ? redisBackend({ url: process.env.REDIS_URL, prefix: 'example-sse:' })
    : undefined,
});

export default ssePubsub({
  layer,
  channels: ['news', 'alerts'],
  defaultChannel: 'news',
  retry: 3000,
  publish: true,
});
