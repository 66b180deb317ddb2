import { expect, it } from 'vitest';
import { type ChannelLayer, isChannelLayer } from './channel-layer.js';

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
