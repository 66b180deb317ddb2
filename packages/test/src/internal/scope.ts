import { type HeaderList, PAGI_SPEC_VERSION, PAGI_VERSION, decodePath } from '@pagi/spec';
import type { HeaderInit, QueryInit } from '../options.js';
import type { ClientConfig } from './config.js';
import { hasHeader, normalizeRequestHeaders, overrideHeaders, toHeaderList } from './headers.js';
import { buildTarget } from './target.js';

/** The scope keys every connection scope shares (protocol.md §3.1), as the server fills them. */
export interface BaseScopeFields {
  pagi: { version: string; spec_version: string };
  http_version: string;
  scheme: string;
  path: string;
  raw_path: string;
  query_string: string;
  root_path: string;
  headers: HeaderList;
  client: [string, number];
  server: [string, number];
  state: Record<string, unknown>;
  /** The middleware kit's scope-key slot, as the server creates it (`null`: no key set). */
  'pagi.keys': null;
}

/** The Host header a client derives from `server`: the port is left out when it is the default. */
function hostHeader(config: ClientConfig): string {
  const [host, port] = config.server;
  const defaultPort = config.scheme === 'https' ? 443 : 80;
  return port === defaultPort ? host : `${host}:${port}`;
}

/**
 * Builds the fields every connection scope has. Request headers are: `host` (unless given), the
 * client's default headers, this request's own (overriding defaults by name), then `extra`
 * (protocol headers the request type needs, only where the caller did not set them).
 */
export function baseScope(
  config: ClientConfig,
  state: Record<string, unknown>,
  input: {
    path: string;
    query?: QueryInit | undefined;
    headers?: HeaderInit | undefined;
    httpVersion?: string | undefined;
    scheme: string;
    extra?: HeaderList;
  },
): BaseScopeFields {
  const { raw_path, query_string } = buildTarget(config.rootPath, input.path, input.query);
  let headers = overrideHeaders(config.headers, toHeaderList(input.headers));
  if (!hasHeader(headers, 'host')) headers = [['host', hostHeader(config)], ...headers];
  for (const entry of input.extra ?? []) if (!hasHeader(headers, entry[0])) headers.push(entry);
  return {
    pagi: { version: PAGI_VERSION, spec_version: PAGI_SPEC_VERSION },
    http_version: input.httpVersion ?? '1.1',
    scheme: input.scheme,
    path: decodePath(raw_path),
    raw_path,
    query_string,
    root_path: config.rootPath,
    headers: normalizeRequestHeaders(headers),
    client: [...config.client],
    server: [...config.server],
    // A shallow copy per request (protocol.md §3.5): shared containers, private top-level keys.
    state: { ...state },
    'pagi.keys': null,
  };
}
