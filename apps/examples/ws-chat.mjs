// The chat: the page at http://127.0.0.1:8000/, the JSON socket at /ws.
// With REDIS_URL set, every worker (`-- --workers 2`) shares rooms, members and messages.
import { chatPage, wsChat } from '@pagi/app-ws-chat';
import { createChannelLayer, redisBackend } from '@pagi/channels';
import { compose, mount } from '@pagi/spec/middleware';

export const layer = createChannelLayer({
  backend: process.env.REDIS_URL
    ? redisBackend({ url: process.env.REDIS_URL, prefix: 'example-chat:' })
    : undefined,
});

export const chat = wsChat({ layer });

export default compose(mount('/ws', chat))(chatPage({ socket: 'ws' }));
