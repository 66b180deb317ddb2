export {
  type LimitAction,
  type LimitKind,
  type WebSocketRateLimitOptions,
  websocketRateLimit,
} from './websocket-rate-limit.js';
