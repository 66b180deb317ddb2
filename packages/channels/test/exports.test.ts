/** Guards the public surface: adding or removing an export must be a deliberate change here. */
import {
  type ChannelEvent,
  type ChannelLayer as ChannelLayerContract,
  type ChannelMessage,
  type ChannelSubscribeOptions,
  isChannelLayer,
  type Subscription,
} from '@pagi/spec';
import { expect, expectTypeOf, test } from 'vitest';
import * as channels from '../src/index.js';

test('the package exports exactly these runtime values', () => {
  expect(Object.keys(channels).sort()).toEqual([
    'ChannelError',
    'ChannelLayer',
    'createChannelLayer',
    'memoryBackend',
    'redisBackend',
  ]);
});

test('a layer keeps the channel-layer contract of @pagi/spec (what the broadcast apps take)', async () => {
  const layer = channels.createChannelLayer();
  // Compile time: the class is assignable to the contract (it also `implements` it).
  const contract: ChannelLayerContract = layer;
  // Run time: the apps' option check accepts it.
  expect(isChannelLayer(contract)).toBe(true);
  await layer.close();
});

test('the contract types are re-exported under their old names', () => {
  expectTypeOf<channels.ChannelEvent>().toEqualTypeOf<ChannelEvent>();
  expectTypeOf<channels.Subscription>().toEqualTypeOf<Subscription>();
  expectTypeOf<channels.SubscribeOptions>().toEqualTypeOf<ChannelSubscribeOptions>();
  expectTypeOf<channels.ChannelMessage>().toEqualTypeOf<ChannelMessage>();
});
