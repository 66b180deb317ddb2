/**
 * `ssePubsub()`: Server-Sent Events fan-out on a channel layer (`@pagi/channels`), on the `sse`
 * scope a PAGI server gives every `EventSource` (protocol.md §3.4; the upstream app only answered
 * raw `http` scopes, so browsers never reached it). A client subscribes to channels named by its path or query,
 * gets what it missed from the channel history after a reconnect (`Last-Event-ID`), then live
 * events; an optional `POST` publishes.
 */
import {
  type ChannelLayer,
  type ChannelMessage,
  getHeader,
  type HeaderInit,
  HttpError,
  type HttpScope,
  assertChannelLayer,
  isPagiError,
  PagiValidationError,
  type Receive,
  type Scope,
  type Send,
  type SlowConsumerPolicy,
  type SseScope,
  type Subscription,
  toHeaderList,
} from '@pagi/spec';
import { readBody, refuseScope, respond } from '@pagi/spec/middleware';
import { formatStreamId, parseStreamId } from './stream-id.js';

/** Which channels a client may name: a list, or a function (may be async) of the name and the scope. */
export type ChannelAllow =
  | readonly string[]
  | ((channel: string, scope: SseScope | HttpScope) => boolean | Promise<boolean>);

export interface SsePubsubOptions {
  /** Required: the channel layer, `createChannelLayer()` from `@pagi/channels`; give it a `historySize` for `Last-Event-ID` replay. */
  layer: ChannelLayer;
  /** The channel when the request names none (path `/` and no `channel` query). Default `'default'`. */
  defaultChannel?: string;
  /** Channels clients may name. Default: only `defaultChannel`. */
  channels?: ChannelAllow;
  /** Channels one stream may name with `?channel=…&channel=…`. Default `8`. */
  maxChannels?: number;
  /** Milliseconds sent as `retry:` with the stream's first event (the client's reconnect delay). Default: none. */
  retry?: number;
  /** Seconds between keepalive comments (`sse.keepalive`); `0` sends none. Default `15`. */
  keepalive?: number;
  /** Send each event with `event: <channel name>` (for `addEventListener(name)`). Default `false`: unnamed, `onmessage`. */
  namedEvents?: boolean;
  /** Extra headers on the stream's start. Default none. */
  headers?: HeaderInit;
  /** Accept `POST` to publish the body (UTF-8 text) to the named channel. Default `false`. */
  publish?: boolean;
  /** Largest `POST` body in bytes (413 above). Default `65536`. */
  maxBodyBytes?: number;
  /** Events a stream may have waiting. Default: the layer's `bufferSize` (100). */
  bufferSize?: number;
  /** When a stream's queue is full: `'drop-oldest'` or `'disconnect'` (the stream ends). Default: the layer's. */
  slowConsumer?: SlowConsumerPolicy;
}

const KNOWN: ReadonlySet<string> = new Set([
  'layer',
  'defaultChannel',
  'channels',
  'maxChannels',
  'retry',
  'keepalive',
  'namedEvents',
  'headers',
  'publish',
  'maxBodyBytes',
  'bufferSize',
  'slowConsumer',
]);

// Names travel in `event:` lines and Redis keys: no control characters, and short.
const CHANNEL_NAME = /^[^\x00-\x1f\x7f]{1,200}$/;

function fail(message: string): never {
  throw new PagiValidationError(`ssePubsub(): ${message}`);
}

function whole(name: string, value: unknown, fallback: number | undefined, min: number): number | undefined {
  const n = value ?? fallback;
  if (n !== undefined && (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min)) {
    fail(`expected ${name} to be a whole number ≥ ${min}, got ${String(value)}`);
  }
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder();

/** The `data:` of a channel message: text as is, bytes as UTF-8, anything else as JSON. */
function eventData(message: ChannelMessage): string {
  if (typeof message === 'string') return message;
  if (message instanceof Uint8Array) return lenient.decode(message);
  return JSON.stringify(message);
}

/**
 * Creates the SSE pub/sub app.
 *
 * @throws PagiValidationError without a channel layer, for an unknown option or a bad value (the message names it).
 * @example
 * import { createChannelLayer } from '@pagi/channels';
 * const layer = createChannelLayer({ historySize: 100 });
 * export default ssePubsub({ layer, channels: ['news', 'alerts'], retry: 3000 });
 */
export function ssePubsub(options: SsePubsubOptions) {
  // Checked first: without a layer (the option every app needs) nothing else is worth reporting.
  assertChannelLayer(options?.layer, 'ssePubsub()');
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) fail(`unknown option '${key}'`);
  const layer = options.layer;
  const defaultChannel = options.defaultChannel ?? 'default';
  if (typeof defaultChannel !== 'string' || !CHANNEL_NAME.test(defaultChannel)) {
    fail(
      `expected defaultChannel to be 1-200 characters without control characters, got ${JSON.stringify(defaultChannel)}`,
    );
  }
  const allowOption = options.channels ?? [defaultChannel];
  let allow: (channel: string, scope: SseScope | HttpScope) => boolean | Promise<boolean>;
  if (typeof allowOption === 'function') allow = allowOption;
  else if (Array.isArray(allowOption) && allowOption.every((c) => typeof c === 'string')) {
    const allowed = new Set<string>(allowOption);
    allow = (channel) => allowed.has(channel);
  } else fail('expected channels to be an array of names or a function');
  const maxChannels = whole('maxChannels', options.maxChannels, 8, 1) as number;
  const retry = whole('retry', options.retry, undefined, 0);
  const keepalive = options.keepalive ?? 15;
  if (typeof keepalive !== 'number' || !Number.isFinite(keepalive) || keepalive < 0) {
    fail(`expected keepalive to be a number of seconds ≥ 0, got ${String(options.keepalive)}`);
  }
  const namedEvents = options.namedEvents ?? false;
  const publish = options.publish ?? false;
  if (typeof namedEvents !== 'boolean' || typeof publish !== 'boolean')
    fail('expected namedEvents and publish to be booleans');
  const maxBodyBytes = whole('maxBodyBytes', options.maxBodyBytes, 65_536, 0) as number;
  const startHeaders = toHeaderList(options.headers);
  const subscribeOptions = { bufferSize: options.bufferSize, slowConsumer: options.slowConsumer };

  /** The channels a request names: `?channel=` (repeatable), else its path below the mount, else the default. */
  async function channelsOf(scope: SseScope | HttpScope): Promise<string[] | HttpError> {
    const query = new URLSearchParams(scope.query_string).getAll('channel');
    let names = query;
    if (names.length === 0) {
      const root = scope.root_path.replace(/\/$/, '');
      const below = scope.path.startsWith(root) ? scope.path.slice(root.length) : scope.path;
      const name = below.replace(/^\/+/, '');
      names = [name === '' ? defaultChannel : name];
    }
    if (names.length > maxChannels)
      return new HttpError(400, { detail: `expected at most ${maxChannels} channels` });
    const unique = [...new Set(names)];
    for (const name of unique) {
      if (!CHANNEL_NAME.test(name) || !(await allow(name, scope))) {
        return new HttpError(404, { detail: 'no such channel' });
      }
    }
    return unique;
  }

  async function publishBody(scope: HttpScope, receive: Receive<'http'>, send: Send<'http'>): Promise<void> {
    const channels = await channelsOf(scope);
    if (channels instanceof HttpError) return respond(scope, send, channels);
    if (channels.length !== 1)
      return respond(scope, send, 400, { body: 'expected exactly one channel to publish to' });
    let text: string;
    try {
      text = utf8.decode((await readBody(scope, receive, { limit: maxBodyBytes })).body);
    } catch (error) {
      if (error instanceof HttpError) return respond(scope, send, error);
      if (error instanceof TypeError)
        return respond(scope, send, 400, { body: 'expected a UTF-8 text body' });
      throw error;
    }
    try {
      const id = await layer.publish(channels[0] as string, text);
      await respond(scope, send, 200, { body: JSON.stringify({ id }), contentType: 'application/json' });
    } catch (error) {
      if (!isPagiError(error)) throw error;
      const status = error.code === 'PAGI_ERR_CHANNEL_MESSAGE' ? 413 : 503;
      await respond(scope, send, status, {
        body: status === 413 ? 'message too large for the channel' : 'channel unavailable',
      });
    }
  }

  async function stream(scope: SseScope, receive: Receive<'sse'>, send: Send<'sse'>): Promise<void> {
    // The request (a GET has one empty sse.request) comes first; a body is not used.
    for (;;) {
      const event = await receive();
      if (event.type === 'sse.disconnect') return;
      if (!event.more) break;
    }
    const channels = await channelsOf(scope);
    if (channels instanceof HttpError) return respond(scope, send, channels);
    const since = parseStreamId(getHeader(scope.headers, 'last-event-id'), channels.length);
    const ids = since ? [...since] : channels.map(() => 0);
    const subs: Subscription[] = [];
    try {
      for (const [i, channel] of channels.entries()) {
        subs.push(await layer.subscribe(channel, { ...subscribeOptions, since: since?.[i] }));
      }
    } catch (error) {
      for (const sub of subs) sub.unsubscribe();
      if (isPagiError(error) && error.code === 'PAGI_ERR_CHANNEL_UNAVAILABLE') {
        return respond(scope, send, 503, { headers: { 'retry-after': '5' }, body: 'channel unavailable' });
      }
      throw error;
    }
    await send({ type: 'sse.start', status: 200, headers: startHeaders });
    if (keepalive > 0) await send({ type: 'sse.keepalive', interval: keepalive });
    let first = true;
    const pump = async (sub: Subscription, index: number): Promise<void> => {
      try {
        for await (const event of sub) {
          ids[index] = event.id;
          const out: { type: 'sse.send'; data: string; id: string; event?: string; retry?: number } = {
            type: 'sse.send',
            data: eventData(event.data),
            id: formatStreamId(ids),
          };
          if (namedEvents) out.event = event.channel;
          if (first && retry !== undefined) out.retry = retry;
          first = false;
          await send(out);
        }
      } finally {
        // One channel ending (slow consumer, layer closed) ends the stream: the client reconnects with its id.
        for (const other of subs) other.unsubscribe();
      }
    };
    const pumps = Promise.allSettled(subs.map((sub, index) => pump(sub, index)));
    const disconnected = (async () => {
      for (;;) if ((await receive()).type === 'sse.disconnect') return;
    })();
    await Promise.race([pumps, disconnected]);
    for (const sub of subs) sub.unsubscribe();
    await pumps;
    await send({ type: 'sse.close' });
  }

  return async function ssePubsubApp(scope: Scope, receive: Receive, send: Send): Promise<void> {
    if (scope.type === 'lifespan') return; // the layer is the caller's: nothing to start or stop
    if (scope.type === 'http' && scope.method === 'POST' && publish) {
      return publishBody(scope, receive as Receive<'http'>, send as Send<'http'>);
    }
    if (scope.type === 'http' && scope.method !== 'GET' && scope.method !== 'HEAD') {
      return respond(scope, send, 405, { headers: { allow: publish ? 'GET, POST' : 'GET' } });
    }
    if (await refuseScope(scope, send, 'sse')) return;
    return stream(scope as SseScope, receive as Receive<'sse'>, send as Send<'sse'>);
  };
}
