import type { RequestOptions } from '../options.js';
import { toHeaderList } from './headers.js';

/** The next request of a redirect chain. */
export interface RedirectHop {
  method: string;
  path: string;
  options: RequestOptions;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that describe the body; dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding', 'content-encoding']);

/**
 * The request a client makes after a 3xx answer (RFC 9110 §15.4): `Location` resolved against
 * the current URL; 301/302/303 become a GET without body (HEAD stays HEAD), 307/308 repeat the
 * method and body. Returns undefined when there is nothing to follow: no redirect status, no
 * `Location`, a `Location` on another origin (the in-process client only reaches its own app),
 * or a 307/308 whose body was a one-shot iterable that cannot be sent again.
 */
export function nextRedirect(
  status: number,
  location: string | undefined,
  current: { method: string; url: URL; options: RequestOptions },
): RedirectHop | undefined {
  if (!REDIRECTS.has(status) || location === undefined) return undefined;
  let target: URL;
  try {
    target = new URL(location, current.url);
  } catch {
    return undefined;
  }
  if (target.origin !== current.url.origin) return undefined;
  const path = target.pathname + target.search;
  const { query: _query, disconnect: _disconnect, ...kept } = current.options;
  if (status === 307 || status === 308) {
    const body = kept.body;
    const replayable = body === undefined || typeof body === 'string' || body instanceof Uint8Array;
    if (!replayable) return undefined;
    return { method: current.method, path, options: kept };
  }
  const method = current.method === 'HEAD' ? 'HEAD' : 'GET';
  const { body: _b, json: _j, form: _f, files: _files, data: _d, headers, ...rest } = kept;
  const options: RequestOptions = rest;
  if (headers !== undefined) options.headers = toHeaderList(headers).filter(([n]) => !BODY_HEADERS.has(n));
  return { method, path, options };
}
