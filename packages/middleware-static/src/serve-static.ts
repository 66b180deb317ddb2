import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type App, type HttpScope, type Middleware, PagiValidationError, type Send } from '@pagi/spec';
import { defineMiddleware, respond } from '@pagi/spec/middleware';
import { splitRequestPath } from './safe-path.js';
import { type Precompressed, type ServeFileOptions, sendText, serveFile } from './serve-file.js';

/** Options of {@link serveStatic} and {@link staticApp}. */
export interface StaticOptions {
  /** File names tried, in order, for a directory; `false` for none. Default `['index.html']`. */
  index?: readonly string[] | false;
  /**
   * A path with a segment starting with `.`: `'ignore'` (as if absent: fall through or 404),
   * `'deny'` (403), `'allow'` (served). Default `'ignore'`.
   */
  dotfiles?: 'ignore' | 'deny' | 'allow';
  /** On a miss, call the inner app (true) or answer 404 (false). Default true; `staticApp`: false. */
  fallthrough?: boolean;
  /** Methods other than GET/HEAD: `'pass'` to the inner app, or `'reject'` with 405. Default `'pass'`. */
  otherMethods?: 'pass' | 'reject';
  /** Send a weak ETag and honour If-Match / If-None-Match. Default true. */
  etag?: boolean;
  /** Send Last-Modified and honour If-Modified-Since / If-Unmodified-Since. Default true. */
  lastModified?: boolean;
  /** Answer Range requests (206, multipart/byteranges, 416). Default true. */
  ranges?: boolean;
  /** More disjoint ranges than this and the whole file is sent. Default 16. */
  maxRanges?: number;
  /** Serve `x.br` / `x.gz` siblings when Accept-Encoding allows: `true` = `['br', 'gzip']`. Default false. */
  precompressed?: boolean | readonly Precompressed[];
  /** `Cache-Control: public, max-age=<maxAge>` in seconds. Default 0. */
  maxAge?: number;
  /** Add `immutable` to Cache-Control (for fingerprinted file names). Default false. */
  immutable?: boolean;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'index',
  'dotfiles',
  'fallthrough',
  'otherMethods',
  'etag',
  'lastModified',
  'ranges',
  'maxRanges',
  'precompressed',
  'maxAge',
  'immutable',
]);

/** Everything resolved once per factory call. */
export interface Config {
  root: string;
  index: readonly string[];
  dotfiles: 'ignore' | 'deny' | 'allow';
  fallthrough: boolean;
  reject: boolean;
  file: ServeFileOptions;
}

function fail(name: string, message: string): never {
  throw new PagiValidationError(`${name}(): ${message}`);
}

export function resolveConfig(
  name: string,
  root: string,
  options: StaticOptions,
  fallthrough: boolean,
): Config {
  if (typeof root !== 'string' || root === '') fail(name, 'root must be a non-empty directory path');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(name, `unknown option '${key}'`);
  }
  const index = options.index === false ? [] : (options.index ?? ['index.html']);
  if (!Array.isArray(index) || index.some((f) => typeof f !== 'string' || f === '' || /[/\\\0]/.test(f)))
    fail(name, "index must be false or a list of plain file names (no '/', '\\' or NUL)");
  const dotfiles = options.dotfiles ?? 'ignore';
  if (dotfiles !== 'ignore' && dotfiles !== 'deny' && dotfiles !== 'allow')
    fail(name, `dotfiles must be 'ignore', 'deny' or 'allow', got ${JSON.stringify(dotfiles)}`);
  const otherMethods = options.otherMethods ?? 'pass';
  if (otherMethods !== 'pass' && otherMethods !== 'reject')
    fail(name, `otherMethods must be 'pass' or 'reject', got ${JSON.stringify(otherMethods)}`);
  const maxAge = options.maxAge ?? 0;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0)
    fail(name, `maxAge must be a whole number of seconds >= 0, got ${maxAge}`);
  const maxRanges = options.maxRanges ?? 16;
  if (!Number.isSafeInteger(maxRanges) || maxRanges < 1)
    fail(name, `maxRanges must be an integer >= 1, got ${maxRanges}`);
  const pre = options.precompressed === true ? (['br', 'gzip'] as const) : options.precompressed || [];
  if (!Array.isArray(pre) || pre.some((c) => c !== 'br' && c !== 'gzip'))
    fail(name, "precompressed must be a boolean or a list of 'br' / 'gzip'");
  return {
    root: resolve(root),
    index,
    dotfiles,
    fallthrough: options.fallthrough ?? fallthrough,
    reject: otherMethods === 'reject',
    file: {
      etag: options.etag !== false,
      lastModified: options.lastModified !== false,
      ranges: options.ranges !== false,
      maxRanges,
      precompressed: pre,
      cacheControl: `public, max-age=${maxAge}${options.immutable ? ', immutable' : ''}`,
    },
  };
}

/** The request path below the mount point (`root_path`), still decoded. */
export function relativePath(scope: HttpScope): string {
  const mount = scope.root_path;
  return mount !== '' && scope.path.startsWith(mount) ? scope.path.slice(mount.length) : scope.path;
}

const ALLOW: [string, string][] = [['allow', 'GET, HEAD']];

/** A checked request path: its segments below the root, the root's realpath, the raw relative path. */
export interface CheckedPath {
  readonly rel: string;
  readonly segments: readonly string[];
  readonly realRoot: string;
}

/**
 * The checks every file-serving app runs first, once: the method (GET and HEAD), the path's
 * safety (`splitRequestPath`: `..`, encoded separators, NUL, backslashes → 400), dotfiles, and the
 * root's realpath. Returns the checked path, `true` when it answered the request itself, or
 * `false` for a miss the caller passes on.
 */
export async function checkRequestPath(
  config: Config,
  scope: HttpScope,
  send: Send<'http'>,
  rejectOtherMethods: boolean,
): Promise<CheckedPath | boolean> {
  if (scope.method !== 'GET' && scope.method !== 'HEAD') {
    if (!rejectOtherMethods) return false;
    await sendText(send, 405, 'Method Not Allowed', ALLOW);
    return true;
  }
  const rel = relativePath(scope);
  const verdict = splitRequestPath(rel);
  if (verdict.kind === 'bad') {
    await sendText(send, 400, 'Bad Request');
    return true;
  }
  if (verdict.dotfile && config.dotfiles !== 'allow') {
    if (config.dotfiles === 'ignore') return false;
    await sendText(send, 403, 'Forbidden');
    return true;
  }
  // realpath(root), looked up on first use (the directory may be created after startup) and
  // kept: a missing root is a miss now and looked up again next time.
  const options = config.file;
  if (options.realRoot === undefined) {
    const real = await realpath(config.root).catch(() => undefined);
    if (real === undefined) return false;
    options.realRoot = real;
  }
  return { rel, segments: verdict.segments, realRoot: options.realRoot };
}

/**
 * Tries to answer `scope` from the directory; false when nothing was sent (a miss, or another
 * method with `otherMethods: 'pass'`).
 */
async function tryServe(config: Config, scope: HttpScope, send: Send<'http'>): Promise<boolean> {
  const checked = await checkRequestPath(config, scope, send, config.reject);
  if (typeof checked === 'boolean') return checked;
  const { rel, realRoot } = checked;
  const options = config.file;
  const target = join(realRoot, ...checked.segments);
  // `/hello.txt/` names a directory: a file is served only without the trailing slash.
  if (!rel.endsWith('/') && (await serveFile(scope, send, target, options))) return true;
  // A directory (or anything that is not a file): its index files, in order.
  for (const name of config.index) {
    if (await serveFile(scope, send, join(target, name), options)) return true;
  }
  return false;
}

/**
 * Serves the files below `root` for GET and HEAD, in front of an app: a miss (no such file, a
 * directory without an index file, an ignored dotfile, a symlink leading outside `root`) calls
 * the inner app unless `fallthrough: false`. Other scope types pass through untouched.
 *
 * @throws PagiValidationError for a missing root or an unknown or invalid option.
 * @example
 * const app = compose(serveStatic('public', { maxAge: 3600, precompressed: true }))(router.app);
 */
export function serveStatic(root: string, options: StaticOptions = {}): Middleware {
  const config = resolveConfig('serveStatic', root, options, true);
  return defineMiddleware('serveStatic', {
    http: async (scope, receive, send, app) => {
      if (await tryServe(config, scope, send)) return;
      if (config.fallthrough || (scope.method !== 'GET' && scope.method !== 'HEAD'))
        return app(scope, receive, send);
      await sendText(send, 404, 'Not Found');
    },
  });
}

/**
 * A mountable app serving the files below `root` (use with `mount`): GET/HEAD served, other
 * methods 405 with `Allow: GET, HEAD`, a miss 404; WebSocket and SSE get 404, lifespan returns.
 *
 * @example
 * const app = compose(mount('/assets', staticApp('dist/assets', { immutable: true, maxAge: 31536000 })))(router.app);
 */
export function staticApp(root: string, options: StaticOptions = {}): App {
  const config = resolveConfig('staticApp', root, { otherMethods: 'reject', ...options }, false);
  const staticApp: App = async (scope, _receive, send) => {
    if (scope.type === 'lifespan') return;
    if (scope.type !== 'http') return respond(scope, send as never, 404);
    const http = send as Send<'http'>;
    if (await tryServe(config, scope, http)) return;
    // Reached only for a miss (or another method with otherMethods: 'pass').
    await sendText(http, 404, 'Not Found');
  };
  return staticApp;
}
