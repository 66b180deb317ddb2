import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { PagiError } from '@pagi/spec';
import { EXIT_CODE_HELP } from '../cluster/exit-codes.js';
import { DEFAULT_OPTIONS, type ServerOptions } from '../options.js';

/** Thrown for a bad command line; the CLI prints it with the usage and exits 2. */
export class UsageError extends PagiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAGI_ERR_USAGE', message, options);
  }
}

type Key = keyof typeof DEFAULT_OPTIONS;

/** Options given in seconds on the command line and in milliseconds in the API. */
function isSeconds(key: string): boolean {
  return /Timeout$|Interval$/.test(key);
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const CHOICES: Partial<Record<Key, readonly string[]>> = {
  lifespan: ['auto', 'on', 'off'],
  logLevel: ['debug', 'info', 'warn', 'error', 'silent'],
  accessLog: ['combined', 'common', 'json', 'off'],
  tlsVerifyClient: ['none', 'optional', 'require'],
  tlsMinVersion: ['TLSv1.2', 'TLSv1.3'],
};

/** Options the master sets for each worker (resolved, never typed by a user): no flag, not in --help. */
const INTERNAL: ReadonlySet<string> = new Set(['workerNum']);

/** What the command line asked for. */
export interface CliRequest {
  help: boolean;
  version: boolean;
  /** `<module>[:export]` as given. */
  target: string | undefined;
  options: ServerOptions;
}

/**
 * Parses `pagi-server` arguments with `node:util` `parseArgs`. Every server option is available
 * as `--kebab-case`; timeouts and intervals are in seconds (fractions allowed), sizes in bytes.
 * Throws {@link UsageError}.
 *
 * @example
 * parseCliArgs(['--port', '0', '--headers-timeout', '0.5', 'app.mjs:handler'])
 * // { target: 'app.mjs:handler', options: { port: 0, headersTimeout: 500, accessLog: 'common' }, … }
 */
export function parseCliArgs(argv: string[]): CliRequest {
  const spec: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
    'no-lifespan': { type: 'boolean' },
  };
  for (const [key, def] of Object.entries(DEFAULT_OPTIONS)) {
    if (INTERNAL.has(key)) continue;
    if (typeof def === 'boolean') {
      spec[kebab(key)] = { type: 'boolean' };
      spec[`no-${kebab(key)}`] = { type: 'boolean' };
    } else if (Array.isArray(def)) spec[kebab(key)] = { type: 'string', multiple: true };
    else spec[kebab(key)] = { type: 'string' };
  }
  const internal = argv.find((a) =>
    [...INTERNAL].some((k) => a === `--${kebab(k)}` || a.startsWith(`--${kebab(k)}=`)),
  );
  if (internal !== undefined) {
    throw new UsageError(
      `${internal.split('=')[0]} is set by the master for each worker, not on the command line; use --workers N to choose how many`,
    );
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(
      `expected one <module>[:export], got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  // The CLI logs requests by default (the API does not).
  const options: ServerOptions = { accessLog: 'common' };
  const out = options as Record<string, unknown>;
  for (const [key, def] of Object.entries(DEFAULT_OPTIONS)) {
    if (INTERNAL.has(key)) continue;
    const flag = kebab(key);
    if (typeof def === 'boolean') {
      if (values[flag] === true) out[key] = true;
      if (values[`no-${flag}`] === true) out[key] = false;
      continue;
    }
    const raw = values[flag];
    if (raw === undefined) continue;
    // `--workers auto`: one worker per core.
    if (key === 'workers' && raw === 'auto') {
      out[key] = availableParallelism();
      continue;
    }
    if (Array.isArray(def)) {
      // Repeatable options (`--listen a --listen b`) keep every value in order.
      out[key] = raw;
      continue;
    }
    if (typeof raw !== 'string') throw new UsageError(`--${flag} expects a value`);
    const choices = CHOICES[key as Key];
    if (choices !== undefined) {
      if (!choices.includes(raw))
        throw new UsageError(`--${flag} expects one of ${choices.join(', ')}, got '${raw}'`);
      out[key] = raw;
    } else if (typeof def === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
        throw new UsageError(
          `--${flag} expects a non-negative number${isSeconds(key) ? ' of seconds' : ''}, got '${raw}'`,
        );
      }
      if (isSeconds(key)) out[key] = Math.round(n * 1000);
      else if (!Number.isInteger(n)) throw new UsageError(`--${flag} expects a whole number, got '${raw}'`);
      else out[key] = n;
    } else {
      out[key] = raw;
    }
  }
  if (values['no-lifespan'] === true) options.lifespan = 'off';
  if (options.port !== undefined && options.port > 65535)
    throw new UsageError(`--port expects 0-65535, got ${options.port}`);
  // --listen replaces host:port (as uvicorn's --uds/--fd do); a --host/--port next to it would be
  // silently ignored, so it is refused. Several listeners: repeat --listen HOST:PORT.
  const ignored = ['host', 'port'].filter((f) => values[f] !== undefined).map((f) => `--${f}`);
  if (options.listen !== undefined && options.listen.length > 0 && ignored.length > 0) {
    throw new UsageError(
      `${ignored.join(' and ')} cannot be combined with --listen (--listen replaces --host/--port); use --listen HOST:PORT for a TCP listener`,
    );
  }
  return {
    help: values.help === true,
    version: values.version === true,
    target: positionals[0],
    options,
  };
}

/** The `--help` text, generated from the option table so it cannot drift. */
export function usage(): string {
  const lines = [
    'Usage: pagi-server [options] <module>[:export]',
    '',
    'Serves the PAGI app exported by <module> (ESM or CommonJS; the default export unless :export names one).',
    '',
    'Options (timeouts and intervals in seconds, sizes in bytes):',
    '  -h, --help                      show this help',
    '  -v, --version                   print the version',
    '      --no-lifespan               same as --lifespan off',
  ];
  for (const [key, def] of Object.entries(DEFAULT_OPTIONS)) {
    if (INTERNAL.has(key)) continue;
    const flag = kebab(key);
    const choices = CHOICES[key as Key];
    let shown: string;
    if (typeof def === 'boolean') {
      lines.push(`${`      --${flag} / --no-${flag}`.padEnd(33)} (default ${def ? 'on' : 'off'})`);
      continue;
    }
    if (key === 'accessLog') shown = 'common';
    else if (typeof def === 'number' && isSeconds(key)) shown = `${def / 1000}`;
    else shown = JSON.stringify(def);
    const arg = choices !== undefined ? choices.join('|') : typeof def === 'number' ? 'N' : 'VALUE';
    if (Array.isArray(def)) shown = 'none; repeatable';
    lines.push(`${`      --${flag} ${arg}`.padEnd(33)} (default ${shown})`);
  }
  lines.push('', 'Exit codes:', ...EXIT_CODE_HELP);
  return `${lines.join('\n')}\n`;
}
