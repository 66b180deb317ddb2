import { expect, it } from 'vitest';
import { assertChannelLayer, type ChannelLayer, isChannelLayer } from './channel-layer.js';

/** The smallest object that keeps the contract's shape (its promises are not exercised here). */
function fakeLayer(): ChannelLayer {
  return {
    bufferSize: 100,
    slowConsumer: 'drop-oldest',
    publish: async () => 1,
    subscribe: async () => {
      throw new Error('not used');
    },
    groupAdd: async () => {},
    groupDiscard: async () => {},
    groupMembers: async () => [],
  };
}

it('accepts an object with the five methods, a numeric bufferSize and a known slowConsumer', () => {
  expect(isChannelLayer(fakeLayer())).toBe(true);
  expect(isChannelLayer({ ...fakeLayer(), slowConsumer: 'disconnect' })).toBe(true);
});

it('refuses anything else', () => {
  for (const value of [undefined, null, 0, 'layer', () => {}, {}, [], { publish() {}, subscribe() {} }]) {
    expect(isChannelLayer(value)).toBe(false);
  }
  for (const key of ['publish', 'subscribe', 'groupAdd', 'groupDiscard', 'groupMembers', 'bufferSize']) {
    const layer: Record<string, unknown> = { ...fakeLayer() };
    delete layer[key];
    expect(isChannelLayer(layer), key).toBe(false);
  }
  expect(isChannelLayer({ ...fakeLayer(), bufferSize: '100' })).toBe(false);
  expect(isChannelLayer({ ...fakeLayer(), slowConsumer: 'block' })).toBe(false);
});

it('assertChannelLayer throws PAGI_ERR_VALIDATION naming the app and what to pass', () => {
  expect(() => assertChannelLayer(fakeLayer(), 'app()')).not.toThrow();
  for (const [value, got] of [
    [undefined, 'undefined'],
    [null, 'null'],
    [{}, 'an object of another shape'],
    ['redis', 'string'],
  ] as const) {
    expect(() => assertChannelLayer(value, 'app()')).toThrow(
      expect.objectContaining({
        code: 'PAGI_ERR_VALIDATION',
        message: `app(): expected options.layer to be a channel layer: createChannelLayer() from @pagi/channels, got ${got}`,
      }),
    );
  }
});
