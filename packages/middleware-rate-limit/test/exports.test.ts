import { expect, it } from 'vitest';
import * as pkg from '../src/index.js';
import * as redis from '../src/redis-store.js';

// Guards the public surface: adding or removing an export must be a deliberate change here.
it('exports exactly the documented runtime names', () => {
  expect(Object.keys(pkg).sort()).toEqual(['RateLimitStoreError', 'memoryStore', 'rateLimit']);
  expect(Object.keys(redis).sort()).toEqual(['RateLimitStoreError', 'redisStore']);
});
