import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type App, type HttpScope, PagiValidationError, type Send } from '@pagi/spec';
import { getHeader, preferredMediaType, respond } from '@pagi/spec/middleware';
import { listingHtml, listingJson, readListing } from './listing.js';
import { containedRealPath, sendText, serveFile } from './serve-file.js';
import {
  type Config,
  checkRequestPath,
  resolveConfig,
  type StaticOptions,
  staticApp,
} from './serve-static.js';

/** Options of {@link directoryApp}: those of `staticApp`, plus the listing's. */
export interface DirectoryOptions extends StaticOptions {
  /** List entries whose name starts with `.` (serving them still follows `dotfiles`). Default false. */
  showHidden?: boolean;
  /** Most entries listed per directory; more are cut (`truncated: true`). Default 10000. */
  maxEntries?: number;
}

const OFFERED = ['text/html', 'application/json'] as const;

/**
 * The upstream `App::File`: `staticApp` with its index list (`index.html`, `index.htm`). GET/HEAD
 * served, other methods 405, a miss 404, WebSocket and SSE a 404 refusal, lifespan declined.
 *
 * @example
 * export default urlMap({ '/downloads': fileApp('/srv/downloads') });
 */
export function fileApp(root: string, options: StaticOptions = {}): App {
  return staticAppFor('fileApp', root, { index: ['index.html', 'index.htm'], ...options });
}

function staticAppFor(name: string, root: string, options: StaticOptions): App {
  try {
    return staticApp(root, options);
  } catch (error) {
    throw new PagiValidationError((error as Error).message.replace(/^staticApp\(\)/, `${name}()`));
  }
}

/**
 * `fileApp` plus directory listings: a directory without an index file is listed, in HTML or
 * JSON (`?format=json` / `?format=html`, else the `Accept` header; HTML when it does not say).
 * `/dir` redirects to `/dir/` (301) so the listing's relative links resolve.
 *
 * @throws PagiValidationError for a missing root or an unknown or invalid option.
 * @example
 * export default urlMap({ '/files': directoryApp('/srv/files') });
 */
export function directoryApp(root: string, options: DirectoryOptions = {}): App {
  const { showHidden = false, maxEntries = 10_000, ...rest } = options;
  if (typeof showHidden !== 'boolean')
    throw new PagiValidationError(`directoryApp(): showHidden must be a boolean, got ${typeof showHidden}`);
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
    throw new PagiValidationError(`directoryApp(): maxEntries must be an integer >= 1, got ${maxEntries}`);
  const config = resolveConfig(
    'directoryApp',
    root,
    { index: ['index.html', 'index.htm'], otherMethods: 'reject', ...rest },
    false,
  );
  const listing = { showHidden, maxEntries };
  const directory: App = async (scope, _receive, send) => {
    if (scope.type === 'lifespan') return;
    if (scope.type !== 'http') return respond(scope, send as never, 404, { body: 'Not Found' });
    const http = send as Send<'http'>;
    if (!(await serveDirectory(config, listing, scope, http))) await sendText(http, 404, 'Not Found');
  };
  return directory;
}

/** The request's listing format: `?format=` wins, then Accept; undefined for an unknown `format`. */
function listingFormat(scope: HttpScope): 'html' | 'json' | undefined {
  const match = /(?:^|&)format=([^&]*)/.exec(scope.query_string);
  if (match !== null) return match[1] === 'json' ? 'json' : match[1] === 'html' ? 'html' : undefined;
  return preferredMediaType(getHeader(scope.headers, 'accept'), OFFERED) === 'application/json'
    ? 'json'
    : 'html';
}

/** false for a miss (the caller answers 404). */
async function serveDirectory(
  config: Config,
  listing: { showHidden: boolean; maxEntries: number },
  scope: HttpScope,
  send: Send<'http'>,
): Promise<boolean> {
  const checked = await checkRequestPath(config, scope, send, true);
  if (typeof checked === 'boolean') return checked;
  const { rel, segments, realRoot } = checked;
  const options = config.file;
  const target = join(realRoot, ...segments);
  if (!rel.endsWith('/') && (await serveFile(scope, send, target, options))) return true;
  // A directory inside the root (its realpath: a symlinked directory leaving the root is a miss).
  const dir = await containedRealPath(target, realRoot);
  if (dir === undefined || !(await stat(dir).catch(() => undefined))?.isDirectory()) return false;
  if (!rel.endsWith('/') && rel !== '') {
    // Relative links in the listing (and in an index page) need the trailing slash.
    // Rebuilt from the checked segments, never from the raw path: `//evil.example` (empty
    // segments dropped) must not become a protocol-relative Location (an open redirect).
    const base = encodeURI(scope.root_path.replace(/\/+$/, ''));
    const query = scope.query_string === '' ? '' : `?${encodeQuery(scope.query_string)}`;
    const location = `${base}/${segments.map(encodeURIComponent).join('/')}/${query}`;
    await respond(scope, send as never, 301, { headers: { location } });
    return true;
  }
  for (const name of config.index) {
    if (await serveFile(scope, send, join(dir, name), options)) return true;
  }
  const format = listingFormat(scope);
  if (format === undefined) {
    await sendText(send, 400, "Bad Request: format must be 'html' or 'json'");
    return true;
  }
  const read = await readListing(dir, realRoot, listing.showHidden, listing.maxEntries);
  const vary = [['vary', 'Accept']] as [string, string][];
  if (format === 'json') {
    await respond(scope, send as never, 200, {
      headers: vary,
      body: listingJson(scope.path, read),
      contentType: 'application/json; charset=utf-8',
    });
  } else {
    await respond(scope, send as never, 200, {
      headers: vary,
      body: listingHtml(scope.path, read, segments.length > 0),
      contentType: 'text/html; charset=utf-8',
    });
  }
  return true;
}

/** The raw query (a ByteString): bytes outside visible ASCII percent-encoded, as received. */
function encodeQuery(query: string): string {
  return query.replace(
    /[^\x21-\x7e]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}
