/**
 * `@pagi/app-ws-broadcast`: every message a WebSocket client sends is published to a channel of
 * a channel layer (`@pagi/channels`) and delivered to every client connected to that channel, on
 * every worker and machine sharing the layer's backend.
 */
import { randomUUID } from 'node:crypto';
import {
  type ChannelLayer,
  CloseCode,
  assertChannelLayer,
  isPagiError,
  PagiValidationError,
  type Receive,
  type Scope,
  type Send,
  type SlowConsumerPolicy,
  type WebSocketScope,
} from '@pagi/spec';
import { refuseScope, respond } from '@pagi/spec/middleware';
import { Fanout, Member } from './fanout.js';
import { encodeBroadcast } from './wire.js';

export interface WsBroadcastOptions {
  /** Required: the channel layer, `createChannelLayer()` from `@pagi/channels` (share one per process; a Redis backend spans workers). */
  layer: ChannelLayer;
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
 * @throws PagiValidationError without a channel layer, for an unknown option or a bad value (the message names it).
 * @example
 * import { createChannelLayer, redisBackend } from '@pagi/channels';
 * const layer = createChannelLayer({ backend: redisBackend({ url: process.env.REDIS_URL }) });
 * export default wsBroadcast({ layer, channel: (scope) => `room:${scope.path}` });
 */
export function wsBroadcast(options: WsBroadcastOptions) {
  // Checked first: without a layer (the option every app needs) nothing else is worth reporting.
  assertChannelLayer(options?.layer, 'wsBroadcast()');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) fail(`unknown option '${key}'`);
  const layer = options.layer;
  const channelOption = options.channel ?? 'default';
  if (typeof channelOption === 'string' ? channelOption === '' : typeof channelOption !== 'function') {
    fail(`expected channel to be a non-empty string or a function, got ${JSON.stringify(channelOption)}`);
  }
  const echoSelf = options.echoSelf ?? false;
  if (typeof echoSelf !== 'boolean') fail(`expected echoSelf to be a boolean, got ${typeof echoSelf}`);
  const limit = options.maxMessageBytes ?? 65_536;
  if (!Number.isSafeInteger(limit) || limit < 1)
    fail(`expected maxMessageBytes to be a whole number ≥ 1, got ${limit}`);
  const bufferSize = options.bufferSize ?? layer.bufferSize;
  if (!Number.isSafeInteger(bufferSize) || bufferSize < 1)
    fail(`expected bufferSize to be a whole number ≥ 1, got ${bufferSize}`);
  const policy = options.slowConsumer ?? layer.slowConsumer;
  if (policy !== 'drop-oldest' && policy !== 'disconnect') {
    fail(`expected slowConsumer to be 'drop-oldest' or 'disconnect', got ${JSON.stringify(policy)}`);
  }

  // One subscription per channel in this process, shared by its connections (see fanout.ts).
  const fanouts = new Map<string, { fanout: Fanout; ready: Promise<void> }>();
  function join(channel: string, member: Member): Promise<Fanout> {
    let entry = fanouts.get(channel);
    if (entry === undefined) {
      const fanout = new Fanout(channel, (done) => {
        if (fanouts.get(channel)?.fanout === done) fanouts.delete(channel);
      });
      const created = { fanout, ready: fanout.start(layer) };
      created.ready.catch(() => {
        if (fanouts.get(channel) === created) fanouts.delete(channel);
      });
      fanouts.set(channel, created);
      entry = created;
    }
    const { fanout, ready } = entry;
    fanout.members.add(member);
    return ready.then(
      () => fanout,
      (error: unknown) => {
        fanout.members.delete(member);
        throw error;
      },
    );
  }

  return async function wsBroadcastApp(scope: Scope, receive: Receive, send: Send): Promise<void> {
    if (scope.type === 'lifespan') return; // the layer is the caller's: nothing to start or stop
    if (await refuseScope(scope, send, 'websocket')) return;
    const ws = scope as WebSocketScope;
    const recv = receive as Receive<'websocket'>;
    const out = send as Send<'websocket'>;
    const channel = typeof channelOption === 'string' ? channelOption : channelOption(ws);
    await recv(); // websocket.connect
    if (channel === undefined) return respond(ws, out, 404);
    const me = randomUUID();
    let fanout: Fanout | undefined;
    const member = new Member(me, echoSelf, out, bufferSize, policy, (kicked) => fanout?.leave(kicked));
    try {
      // Subscribed before accepting: every message published once the client is open reaches it.
      fanout = await join(channel, member);
    } catch (error) {
      if (isPagiError(error) && error.code === 'PAGI_ERR_CHANNEL_UNAVAILABLE') return respond(ws, out, 503);
      throw error;
    }
    await out({ type: 'websocket.accept' });
    member.open();
    try {
      for (;;) {
        const event = await recv();
        if (event.type === 'websocket.disconnect') break;
        if (event.type !== 'websocket.receive') continue;
        const size = event.text !== undefined ? Buffer.byteLength(event.text) : event.bytes.byteLength;
        if (size > limit) {
          member.close(CloseCode.messageTooBig, 'message too big');
          break;
        }
        try {
          await layer.publish(channel, encodeBroadcast(me, event.text ?? event.bytes) as never);
        } catch (error) {
          // The backend is down (or the layer closed): say so and let the client reconnect later.
          if (!isPagiError(error)) throw error;
          member.close(CloseCode.tryAgainLater, 'channel unavailable');
          break;
        }
      }
    } finally {
      member.detach();
      fanout.leave(member);
    }
  };
}
