import { expect, it } from 'vitest';
import { SETTLED } from './index.js';

it('SETTLED is one shared promise, already fulfilled with undefined', async () => {
  const { SETTLED: again } = await import('./settled.js');
  expect(again).toBe(SETTLED);
  expect(SETTLED).toBeInstanceOf(Promise);
  let seen: unknown = 'pending';
  SETTLED.then((value) => {
    seen = value;
  });
  await Promise.resolve();
  expect(seen).toBeUndefined();
});
