/**
 * `@pagi/channels`: publish/subscribe channels for PAGI apps (broadcast, chat rooms, SSE
 * fan-out) with bounded per-subscriber queues, groups and history replay, over an in-memory or a
 * Redis backend.
 *
 * @example
 * import { createChannelLayer } from '@pagi/channels';
 * const layer = createChannelLayer({ historySize: 50 });
 * const sub = await layer.subscribe('news');
 * await layer.publish('news', 'hello');
 * for await (const event of sub) console.log(event.id, event.data); // 1 'hello'
 */
export {
  ChannelLayer,
  createChannelLayer,
  type ChannelLayerOptions,
  type ChannelLayerEvents,
  type SubscribeOptions,
} from './channel-layer.js';
export type { ChannelEvent, SlowConsumerPolicy, Subscription } from './subscription.js';
export type { ChannelMessage, JsonValue } from './encoding.js';
export type {
  BackendEntry,
  BackendHistory,
  BackendListener,
  BackendStatus,
  ChannelBackend,
} from './backend.js';
export { memoryBackend } from './memory-backend.js';
export { redisBackend, type RedisBackendOptions } from './redis-backend.js';
export { ChannelError, type ChannelErrorCode } from './errors.js';
