/**
 * `@pagi/app-ws-broadcast`: every message a WebSocket client sends is published to a channel of
 * `@pagi/channels` and delivered to every client connected to that channel, on every worker and
 * machine sharing the layer's backend.
 */
import { randomUUID } from 'node:crypto';
import {
  type ChannelLayer,
  type SlowConsumerPolicy,
  type Subscription,
  createChannelLayer,
} from '@pagi/channels';
import {
  CloseCode,
  isPagiError,
  PagiValidationError,
  type Receive,
  type Scope,
  type Send,
  type WebSocketScope,
} from '@pagi/spec';
import { refuseScope, respond } from '@pagi/spec/middleware';
import { decodeBroadcast, encodeBroadcast } from './wire.js';

export interface WsBroadcastOptions {
  /** The channel layer (share one per process; a Redis backend spans workers). Default: a new in-memory layer. */
  layer?: ChannelLayer;
  /**
   * The channel a connection joins: a name, or a function of the scope (return `undefined` to
   * refuse the handshake with 404). Default `'default'`.
   */
  channel?: string | ((scope: WebSocketScope) => string | undefined);
  /** Deliver a client's messages back to that client too. Default `false` (as upstream). */
  echoSelf?: boolean;
  /** Largest message accepted, in bytes (UTF-8 for text); a larger one closes the sender with 1009. Default 65536. */
  maxMessageBytes?: number;
  /** Messages a client may have waiting. Default: the layer's `bufferSize` (100). */
  bufferSize?: number;
  /** When a client's queue is full: `'drop-oldest'` or `'disconnect'` (closed with 1008). Default: the layer's (`'drop-oldest'`). */
  slowConsumer?: SlowConsumerPolicy;
}

const KNOWN: ReadonlySet<string> = new Set([
  'layer',
  'channel',
  'echoSelf',
  'maxMessageBytes',
  'bufferSize',
  'slowConsumer',
]);

function fail(message: string): never {
  throw new PagiValidationError(`wsBroadcast(): ${message}`);
}

/**
 * Sends `message` (text or bytes) to every client of `channel` from server code, as if a client
 * had sent it (no client is skipped). Resolves with the message's id in the channel.
 *
 * @example
 * await broadcast(layer, 'default', 'the server restarts in 5 minutes');
 */
export function broadcast(
  layer: ChannelLayer,
  channel: string,
  message: string | Uint8Array,
): Promise<number> {
  return layer.publish(channel, encodeBroadcast('', message) as never);
}

/**
 * Creates the broadcast app.
 *
 * @throws PagiValidationError for an unknown option or a bad value (the message names it).
 * @example
 * const layer = createChannelLayer({ backend: redisBackend({ url: process.env.REDIS_URL }) });
 * export default wsBroadcast({ layer, channel: (scope) => `room:${scope.path}` });
 */
export function wsBroadcast(options: WsBroadcastOptions = {}) {
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) fail(`unknown option '${key}'`);
  const layer = options.layer ?? createChannelLayer();
  if (typeof layer.subscribe !== 'function' || typeof layer.publish !== 'function') {
    fail('expected layer to be a ChannelLayer (createChannelLayer())');
  }
  const channelOption = options.channel ?? 'default';
  if (typeof channelOption === 'string' ? channelOption === '' : typeof channelOption !== 'function') {
    fail(`expected channel to be a non-empty string or a function, got ${JSON.stringify(channelOption)}`);
  }
  const echoSelf = options.echoSelf ?? false;
  if (typeof echoSelf !== 'boolean') fail(`expected echoSelf to be a boolean, got ${typeof echoSelf}`);
  const limit = options.maxMessageBytes ?? 65_536;
  if (!Number.isSafeInteger(limit) || limit < 1)
    fail(`expected maxMessageBytes to be a whole number ≥ 1, got ${limit}`);
  const subscribeOptions = { bufferSize: options.bufferSize, slowConsumer: options.slowConsumer };

  return async function wsBroadcastApp(scope: Scope, receive: Receive, send: Send): Promise<void> {
    if (scope.type === 'lifespan') return; // the layer is the caller's: nothing to start or stop
    if (await refuseScope(scope, send, 'websocket')) return;
    const ws = scope as WebSocketScope;
    const recv = receive as Receive<'websocket'>;
    const out = send as Send<'websocket'>;
    const channel = typeof channelOption === 'string' ? channelOption : channelOption(ws);
    await recv(); // websocket.connect
    if (channel === undefined) return respond(ws, out, 404);
    let sub: Subscription;
    try {
      // Subscribed before accepting: every message published once the client is open reaches it.
      sub = await layer.subscribe(channel, subscribeOptions);
    } catch (error) {
      if (isPagiError(error) && error.code === 'PAGI_ERR_CHANNEL_UNAVAILABLE') return respond(ws, out, 503);
      throw error;
    }
    const me = randomUUID();
    await out({ type: 'websocket.accept' });
    const pump = deliver(sub, me, echoSelf, out);
    try {
      for (;;) {
        const event = await recv();
        if (event.type === 'websocket.disconnect') break;
        if (event.type !== 'websocket.receive') continue;
        const size = event.text !== undefined ? Buffer.byteLength(event.text) : event.bytes.byteLength;
        if (size > limit) {
          await out({ type: 'websocket.close', code: CloseCode.messageTooBig, reason: 'message too big' });
          break;
        }
        try {
          await layer.publish(channel, encodeBroadcast(me, event.text ?? event.bytes) as never);
        } catch (error) {
          // The backend is down (or the layer closed): say so and let the client reconnect later.
          if (!isPagiError(error)) throw error;
          await out({
            type: 'websocket.close',
            code: CloseCode.tryAgainLater,
            reason: 'channel unavailable',
          });
          break;
        }
      }
    } finally {
      sub.unsubscribe();
      await pump;
    }
  };
}

/** Sends every broadcast on `sub` to the client until the subscription ends; closes the client when it fails. */
async function deliver(
  sub: Subscription,
  me: string,
  echoSelf: boolean,
  out: Send<'websocket'>,
): Promise<void> {
  try {
    for await (const event of sub) {
      const message = decodeBroadcast(event.data);
      if (message === undefined || (!echoSelf && message.origin === me)) continue;
      await out(
        message.text !== undefined
          ? { type: 'websocket.send', text: message.text }
          : { type: 'websocket.send', bytes: message.bytes as Buffer },
      );
    }
  } catch (error) {
    // Never rejects: the receive loop awaits this only at the end.
    const slow = isPagiError(error) && error.code === 'PAGI_ERR_CHANNEL_SLOW_CONSUMER';
    await out(
      slow
        ? { type: 'websocket.close', code: CloseCode.policyViolation, reason: 'slow consumer' }
        : { type: 'websocket.close', code: CloseCode.internalError },
    ).catch(() => {});
  }
}
