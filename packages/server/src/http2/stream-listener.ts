import type { ServerHttp2Stream } from 'node:http2';

/** What of EventEmitter's own storage `listenQuietly` touches (node's events.js `_addListener`). */
interface EmitterStorage {
  _events: { close?: unknown; error?: unknown } | undefined;
  _eventsCount: number;
}

/**
 * Adds the first `close` or `error` listener of one of node's HTTP/2 streams as `on()` would, minus
 * the two things `on()` does on the way that cost ~2.5k instructions per listener (callgrind,
 * apps/bench/http2-instructions.mjs): it emits `newListener` (node's `streamListenerAdded` hook,
 * through `emit`'s rest arguments), and it stores into `_events` from `_addListener`, a site that
 * every emitter in the process shares and so runs megamorphic. node's hook only counts `priority`
 * and `frameError` listeners (lib/internal/http2/core.js), so skipping it for `close`/`error`
 * changes nothing it tracks. The store is the one `_addListener` makes for a first listener
 * (`events[type] = listener; ++_eventsCount`), so `emit`, `listeners()` and a later `on()` see it
 * as usual (test: stream-listener.test.ts). Anything else (a second listener, an emitter without
 * `_events`) goes through `on()`.
 */
export function listenQuietly(
  stream: ServerHttp2Stream,
  event: 'close' | 'error',
  listener: () => void,
): void {
  // Two sites with a constant name each, not `events[event]`: one keyed site seeing both names
  // runs megamorphic (callgrind: ~600 instructions per request for the pair).
  if (event === 'close') addClose(stream, listener);
  else addError(stream, listener);
}

function addClose(stream: ServerHttp2Stream, listener: () => void): void {
  const emitter = stream as unknown as EmitterStorage;
  const events = emitter._events;
  if (events === undefined || events.close !== undefined) stream.on('close', listener);
  else {
    events.close = listener;
    emitter._eventsCount++;
  }
}

function addError(stream: ServerHttp2Stream, listener: () => void): void {
  const emitter = stream as unknown as EmitterStorage;
  const events = emitter._events;
  if (events === undefined || events.error !== undefined) stream.on('error', listener);
  else {
    events.error = listener;
    emitter._eventsCount++;
  }
}
