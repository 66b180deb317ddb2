export { rateLimit, type LimitedScope, type RateLimitOptions, type StoreErrorPolicy } from './rate-limit.js';
export { memoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { RateLimitStore } from './store.js';
export type { Algorithm, Decision, Policy } from './decision.js';
export { RateLimitStoreError } from './errors.js';
