import type { ServerOptions as NodeHttp2ServerOptions, Settings } from 'node:http2';

/**
 * HTTP/2 options (`--http2` and friends). HTTP/2 is off by default until it is as proven as
 * HTTP/1.1. Every limit maps onto a `node:http2` (nghttp2) setting; the README's HTTP/2 section
 * gives each default and the attack it bounds.
 */
export interface Http2Options {
  /**
   * Serve HTTP/2 next to HTTP/1.1 on every listener: over TLS by ALPN (`h2`, then `http/1.1`),
   * on cleartext listeners by prior knowledge (h2c; a connection that does not start with the
   * HTTP/2 preface is HTTP/1.x). Default false.
   */
  http2?: boolean;
  /** Streams one client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS). Default 100. */
  http2MaxConcurrentStreams?: number;
  /**
   * Largest decoded header list a client may send, bytes (SETTINGS_MAX_HEADER_LIST_SIZE; nghttp2
   * counts 32 bytes of overhead per field, RFC 9113 §6.5.2). Larger requests are refused with
   * 431 (RST_STREAM when nghttp2 cannot even decode them). Default 32768.
   */
  http2MaxHeaderListSize?: number;
  /**
   * Per-stream receive window, bytes (SETTINGS_INITIAL_WINDOW_SIZE): how much request body a
   * client may send ahead of the app's `receive()`. Default 65535 (the RFC's initial value).
   */
  http2InitialWindowSize?: number;
  /** Largest frame payload the server accepts, bytes (SETTINGS_MAX_FRAME_SIZE, 16384-16777215). Default 16384. */
  http2MaxFrameSize?: number;
  /**
   * Memory nghttp2 may hold for one connection, in MB (node's `maxSessionMemory`); above it new
   * streams are refused with ENHANCE_YOUR_CALM. Default 10.
   */
  http2MaxSessionMemory?: number;
  /**
   * Streams a client may open and reset, or get refused, before the connection is closed with
   * GOAWAY (node's `maxSessionRejectedStreams`): the Rapid Reset defence (CVE-2023-44487) on top
   * of nghttp2's own reset rate limit. Default 100.
   */
  http2MaxRejectedStreams?: number;
  /**
   * Invalid frames tolerated per connection before it is closed (node's `maxSessionInvalidFrames`;
   * bounds malformed-frame and CONTINUATION floods with nghttp2's own CONTINUATION cap). Default 1000.
   */
  http2MaxInvalidFrames?: number;
  /** Idle time with no open stream before the connection is closed with GOAWAY, ms (0 = never). Default 60_000. */
  http2IdleTimeout?: number;
}

export const HTTP2_DEFAULTS: Required<Http2Options> = {
  http2: false,
  http2MaxConcurrentStreams: 100,
  http2MaxHeaderListSize: 32768,
  http2InitialWindowSize: 65535,
  http2MaxFrameSize: 16384,
  http2MaxSessionMemory: 10,
  http2MaxRejectedStreams: 100,
  http2MaxInvalidFrames: 1000,
  http2IdleTimeout: 60_000,
};

/** Rejects values nghttp2 would refuse later with a message that names the option. */
export function validateHttp2Options(o: Required<Http2Options>): void {
  if (typeof o.http2 !== 'boolean') {
    throw new TypeError(`server option 'http2' must be a boolean, got ${JSON.stringify(o.http2)}`);
  }
  const ranges: Array<[keyof Http2Options, number, number]> = [
    ['http2MaxConcurrentStreams', 1, 2 ** 31 - 1],
    ['http2MaxHeaderListSize', 1024, 2 ** 31 - 1],
    ['http2InitialWindowSize', 1, 2 ** 31 - 1],
    ['http2MaxFrameSize', 16384, 2 ** 24 - 1],
    ['http2MaxSessionMemory', 1, 2 ** 31 - 1],
  ];
  for (const [key, min, max] of ranges) {
    const value = o[key] as number;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new TypeError(
        `server option '${key}' must be an integer ${min}-${max}, got ${JSON.stringify(value)}`,
      );
    }
  }
}

/**
 * The node:http2 server options for these settings. `enableConnectProtocol` advertises RFC 8441
 * (WebSocket over HTTP/2). PING and SETTINGS floods are bounded by node's own
 * `maxOutstandingPings` (10) and `maxSettings` (32), kept at their defaults.
 */
export function nodeHttp2Options(o: Required<Http2Options>, maxHeaderCount: number): NodeHttp2ServerOptions {
  const settings: Settings = {
    maxConcurrentStreams: o.http2MaxConcurrentStreams,
    maxHeaderListSize: o.http2MaxHeaderListSize,
    initialWindowSize: o.http2InitialWindowSize,
    maxFrameSize: o.http2MaxFrameSize,
    enableConnectProtocol: true,
    enablePush: false,
  };
  return {
    settings,
    maxSessionMemory: o.http2MaxSessionMemory,
    maxSessionRejectedStreams: o.http2MaxRejectedStreams,
    maxSessionInvalidFrames: o.http2MaxInvalidFrames,
    maxHeaderListPairs: maxHeaderCount + 4, // + the four request pseudo-headers
    maxSettings: 32,
    maxOutstandingPings: 10,
    // The initial window is per stream; the connection window grows with it (node sends a
    // WINDOW_UPDATE for the connection as data is consumed).
  };
}
