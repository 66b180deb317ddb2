import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { type App, type HttpScope, type Receive, type Send, UnsupportedScopeError } from '@pagi/spec';
import { WrapLegacyError } from './errors.js';
import { cgiEnvironment } from './internal/cgi-env.js';
import { headerBlockEnd, parseCgiHead } from './internal/cgi-headers.js';
import { sendPlain } from './internal/plain-response.js';
import { type LegacyLogger, consoleLogger } from './logger.js';

/** Options of {@link fromCGI}. */
export interface FromCgiOptions {
  /** Arguments passed to the program. Default `[]`. */
  args?: string[];
  /** Working directory of the program. Default: the current directory. */
  cwd?: string;
  /** Extra environment variables (the CGI variables win over them). Default: `PATH` only. */
  env?: Record<string, string>;
  /** Milliseconds a run may take before it is killed (SIGTERM, then SIGKILL). Default `30000`. */
  timeout?: number;
  /** Milliseconds between SIGTERM and SIGKILL. Default `2000`. */
  killGrace?: number;
  /** Largest header block accepted from the program, in bytes. Default `16384`. */
  maxHeaderSize?: number;
  /** Pass `Authorization` as `HTTP_AUTHORIZATION` (RFC 3875 §4.1.18 lets servers withhold it). Default `false`. */
  passAuthorization?: boolean;
  /** Where the program's stderr and failures are reported. Default `console.error`. */
  logger?: LegacyLogger;
}

/** Local redirects (RFC 3875 §6.2.2) followed per request before answering 502. */
const MAX_LOCAL_REDIRECTS = 5;
const STDERR_LINE_MAX = 4096;

/**
 * Runs a CGI/1.1 program (RFC 3875) once per request: the meta-variables of §4.1 in its
 * environment, the request body piped to its stdin as it arrives (with backpressure), its
 * stdout parsed as a CGI response and streamed back.
 *
 * - `Status:` sets the status; `Location:` with an absolute URL and no `Status:` is a 302
 *   (§6.2.3); a `Location:` path alone (§6.2.2, local redirect) re-runs the program for that
 *   path and query, as a GET without body, at most 5 times.
 * - A header block that is malformed or over `maxHeaderSize`, or a program that cannot start
 *   or exits before its headers: 502. A run over `timeout`: SIGTERM, SIGKILL after `killGrace`,
 *   504 (or an aborted response when it had started). Client gone: SIGTERM.
 * - stderr goes to `logger`, line by line.
 *
 * @throws UnsupportedScopeError for scopes other than `http`.
 * @example
 * router.mount('/cgi-bin/hello', fromCGI('/srv/cgi-bin/hello.pl', { timeout: 10_000 }));
 */
export function fromCGI(script: string, options?: FromCgiOptions): App {
  if (typeof script !== 'string' || script === '')
    throw new TypeError(`fromCGI: expected the program's path, got ${JSON.stringify(script)}`);
  const settings: CgiSettings = {
    script,
    args: options?.args ?? [],
    cwd: options?.cwd,
    baseEnv: { ...(process.env.PATH === undefined ? {} : { PATH: process.env.PATH }), ...options?.env },
    timeout: positive(options?.timeout, 30_000, 'timeout'),
    killGrace: positive(options?.killGrace, 2000, 'killGrace'),
    maxHeaderSize: positive(options?.maxHeaderSize, 16_384, 'maxHeaderSize'),
    passAuthorization: options?.passAuthorization === true,
    logger: options?.logger ?? consoleLogger,
  };
  return async function cgiApp(scope, receive, send) {
    if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
    let current = scope;
    let input: Receive<'http'> | undefined = receive as Receive<'http'>;
    for (let hop = 0; ; hop++) {
      const redirect = await runOnce(settings, current, input, send as Send<'http'>);
      if (redirect === undefined) return;
      if (hop === MAX_LOCAL_REDIRECTS) {
        settings.logger(
          `CGI ${script}: more than ${MAX_LOCAL_REDIRECTS} local redirects, last to ${redirect}`,
        );
        return sendError(send as Send<'http'>, 502);
      }
      current = redirected(current, redirect);
      input = undefined;
    }
  };
}

interface CgiSettings {
  script: string;
  args: string[];
  cwd: string | undefined;
  baseEnv: Record<string, string>;
  timeout: number;
  killGrace: number;
  maxHeaderSize: number;
  passAuthorization: boolean;
  logger: LegacyLogger;
}

/** One run of the program. Returns the target of a local redirect, or undefined when answered. */
async function runOnce(
  settings: CgiSettings,
  scope: HttpScope,
  receive: Receive<'http'> | undefined,
  send: Send<'http'>,
): Promise<string | undefined> {
  const { logger, script } = settings;
  const env = cgiEnvironment(scope, settings.baseEnv, settings.passAuthorization);
  if (receive === undefined) {
    env.CONTENT_LENGTH = '';
    env.CONTENT_TYPE = '';
  }
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(script, settings.args, { env, cwd: settings.cwd, stdio: 'pipe', windowsHide: true });
  } catch (cause) {
    logger(
      `CGI ${script}: cannot start`,
      new WrapLegacyError('PAGI_ERR_CGI_EXIT', `cannot start ${script}`, { cause }),
    );
    await sendError(send, 502);
    return undefined;
  }
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError ??= error;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), settings.killGrace);
    killTimer.unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    logger(
      `CGI ${script}: still running after ${settings.timeout} ms, killed`,
      new WrapLegacyError('PAGI_ERR_CGI_TIMEOUT', `${script} ran longer than ${settings.timeout} ms`),
    );
    terminate();
  }, settings.timeout);
  timer.unref();
  let gone = false;
  scope['pagi.connection']?.on_disconnect(() => {
    gone = true;
    terminate();
  });
  logStderr(child, script, logger);
  child.stdin.on('error', ignore); // EPIPE when the program exits without reading its input.
  if (receive === undefined) child.stdin.end();
  else void pipeBody(receive, child, terminate);

  try {
    let head: Buffer = Buffer.alloc(0);
    let bodyStart = -1;
    const stdout = child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    while (bodyStart === -1) {
      const { done, value } = await stdout.next();
      if (done) break;
      head = head.byteLength === 0 ? value : Buffer.concat([head, value]);
      bodyStart = headerBlockEnd(head);
      if (
        bodyStart === -1 ? head.byteLength > settings.maxHeaderSize : bodyStart > settings.maxHeaderSize + 2
      ) {
        terminate();
        logger(
          `CGI ${script}: header block over ${settings.maxHeaderSize} bytes`,
          new WrapLegacyError(
            'PAGI_ERR_CGI_HEADERS',
            `${script} sent a header block over ${settings.maxHeaderSize} bytes`,
          ),
        );
        await sendError(send, 502);
        return undefined;
      }
    }
    if (bodyStart === -1) {
      const { code, signal } = await exited;
      if (gone) return undefined;
      if (timedOut) {
        await sendError(send, 504);
        return undefined;
      }
      const why = spawnError !== undefined ? spawnError.message : `exit ${signal ?? code}`;
      logger(
        `CGI ${script}: no header block (${why})`,
        new WrapLegacyError('PAGI_ERR_CGI_EXIT', `${script} ended before its header block (${why})`, {
          cause: spawnError,
        }),
      );
      await sendError(send, 502);
      return undefined;
    }
    let parsed: ReturnType<typeof parseCgiHead>;
    try {
      parsed = parseCgiHead(head.subarray(0, bodyStart).toString('latin1'));
    } catch (error) {
      terminate();
      logger(`CGI ${script}: ${(error as Error).message}`, error);
      await sendError(send, 502);
      return undefined;
    }
    // §6.2.2: a local redirect is only a Location path, nothing else.
    if (
      parsed.location?.startsWith('/') === true &&
      !parsed.location.startsWith('//') &&
      !parsed.explicitStatus &&
      parsed.headers.length === 1
    ) {
      terminate();
      return parsed.location;
    }
    await send({ type: 'http.response.start', status: parsed.status, headers: parsed.headers });
    if (bodyStart < head.byteLength)
      await send({ type: 'http.response.body', body: head.subarray(bodyStart), more: true });
    for (;;) {
      const { done, value } = await stdout.next();
      if (done) break;
      // One chunk per send(): stdout is not read again until the client took this one.
      await send({ type: 'http.response.body', body: value, more: true });
    }
    const { code } = await exited;
    if (timedOut && !gone)
      throw new WrapLegacyError('PAGI_ERR_CGI_TIMEOUT', `${script} ran longer than ${settings.timeout} ms`);
    if (code !== 0 && code !== null) logger(`CGI ${script}: exited with status ${code}`);
    await send({ type: 'http.response.body', more: false });
    return undefined;
  } finally {
    clearTimeout(timer);
    terminate();
  }
}

/** Pipes the request body to stdin, waiting for 'drain' when the pipe is full. */
async function pipeBody(
  receive: Receive<'http'>,
  child: ChildProcessWithoutNullStreams,
  terminate: () => void,
): Promise<void> {
  const stdin = child.stdin;
  try {
    for (;;) {
      const event = await receive();
      if (event.type !== 'http.request') {
        terminate();
        return;
      }
      if (stdin.destroyed) continue;
      if (event.body !== undefined && event.body.byteLength > 0 && !stdin.write(event.body))
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stdin.off('drain', done);
            stdin.off('close', done);
            resolve();
          };
          stdin.on('drain', done);
          stdin.on('close', done);
        });
      if (event.more !== true) {
        stdin.end();
        return;
      }
    }
  } catch {
    terminate();
  }
}

function logStderr(child: ChildProcessWithoutNullStreams, script: string, logger: LegacyLogger): void {
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    pending += text;
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      logger(`CGI ${script} stderr: ${pending.slice(0, Math.min(nl, STDERR_LINE_MAX))}`);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
    if (pending.length > STDERR_LINE_MAX) {
      logger(`CGI ${script} stderr: ${pending.slice(0, STDERR_LINE_MAX)}`);
      pending = '';
    }
  });
  child.stderr.on('end', () => {
    if (pending !== '') logger(`CGI ${script} stderr: ${pending}`);
  });
}

/** The scope of a local redirect: same mount, new path and query, a GET without body. */
function redirected(scope: HttpScope, location: string): HttpScope {
  const q = location.indexOf('?');
  const rawPath = q === -1 ? location : location.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  return {
    ...scope,
    method: 'GET',
    path,
    raw_path: rawPath,
    query_string: q === -1 ? '' : location.slice(q + 1),
    headers: scope.headers.filter(([name]) => name !== 'content-length' && name !== 'content-type'),
  };
}

function sendError(send: Send<'http'>, status: 502 | 504): Promise<void> {
  return sendPlain(send, status, status === 502 ? 'Bad Gateway' : 'Gateway Timeout');
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`fromCGI: option '${name}' must be a positive number, got ${String(value)}`);
  return value;
}

function ignore(): void {}
