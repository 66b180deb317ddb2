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
// The channel-layer contract's types live in @pagi/spec (so apps can take a layer without
// depending on this package); re-exported here under the names this package always had.
export type {
  ChannelEvent,
  ChannelMessage,
  JsonValue,
  SlowConsumerPolicy,
  Subscription,
} from '@pagi/spec';
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
