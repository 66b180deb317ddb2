export { ssePubsub, type SsePubsubOptions, type ChannelAllow } from './sse-pubsub.js';
