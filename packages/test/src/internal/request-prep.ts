import { PagiValidationError } from '@pagi/spec';
import type { CookieJar, CookieTarget } from '../cookie-jar.js';
import type { RequestOptions } from '../options.js';
import type { ClientConfig } from './config.js';
import { firstHeader, overrideHeaders, toHeaderList } from './headers.js';
import { encodeMultipart } from './multipart.js';
import { buildTarget } from './target.js';

/** A per-call `timeout`, checked like the client's, or the client's own. */
export function callTimeout(timeout: number | undefined, config: ClientConfig): number {
  if (timeout === undefined) return config.timeout;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new PagiValidationError(
      `timeout: expected a positive number of milliseconds, got ${String(timeout)}`,
    );
  }
  return timeout;
}

/** The absolute URL a request goes to, as a browser would see it (used for redirects and cookies). */
export function requestUrl(
  config: ClientConfig,
  path: string,
  options: { headers?: RequestOptions['headers']; query?: RequestOptions['query'] },
): URL {
  const headers = overrideHeaders(config.headers, toHeaderList(options.headers));
  const [host, port] = config.server;
  const defaultPort = config.scheme === 'https' ? 443 : 80;
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const serverAuthority = port === defaultPort ? name : `${name}:${port}`;
  const { raw_path, query_string } = buildTarget(config.rootPath, path, options.query);
  const target = `${raw_path}${query_string ? `?${query_string}` : ''}`;
  // A test may send any Host header (even one no URL can hold): fall back to the server's name.
  for (const authority of [firstHeader(headers, 'host'), serverAuthority, 'invalid.host']) {
    if (authority === undefined) continue;
    try {
      return new URL(`${config.scheme}://${authority}${target}`);
    } catch {}
  }
  return new URL(`${config.scheme}://invalid.host/`);
}

export function cookieTarget(url: URL): CookieTarget {
  return {
    // URL brackets an IPv6 host; the jar keeps the bare address, as `server` gives it.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    path: url.pathname,
    secure: url.protocol === 'https:' || url.protocol === 'wss:',
  };
}

/**
 * Turns the options the client adds on top of the core request (multipart `files`/`data`, the
 * jar's `cookie` header) into plain `body`/`headers`, so the exchange sees an ordinary request.
 */
export function prepareRequest(
  options: RequestOptions,
  jar: CookieJar | undefined,
  url: URL,
): RequestOptions {
  let out = options;
  if (options.files !== undefined) {
    if (options.body !== undefined || options.json !== undefined || options.form !== undefined) {
      throw new PagiValidationError('files: expected no body, json or form alongside, got one');
    }
    const { body, contentType } = encodeMultipart(options.data, options.files);
    out = {
      ...options,
      body,
      headers: overrideHeaders(toHeaderList(options.headers), [['content-type', contentType]]),
    };
  } else if (options.data !== undefined) {
    throw new PagiValidationError(
      'data: expected it with files (a multipart body); use form for URL-encoded fields',
    );
  }
  const cookie = jar?.headerFor(cookieTarget(url));
  // A cookie header the test set itself is kept; the jar's is joined to it into one (§3.7).
  if (cookie !== undefined) out = { ...out, headers: [...toHeaderList(out.headers), ['cookie', cookie]] };
  return out;
}
