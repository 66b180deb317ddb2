import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type App, PagiError } from '@pagi/spec';

/** The app module could not be loaded or exports no function; the CLI exits 2. */
export class AppLoadError extends PagiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAGI_ERR_APP_LOAD', message, options);
  }
}

/** Splits `path/to/app.mjs:name` into the module and the export name (a trailing `:identifier`). */
export function splitTarget(target: string): { module: string; exportName: string | undefined } {
  const m = /^(.+):([A-Za-z_$][\w$]*)$/.exec(target);
  if (m !== null && !/^[A-Za-z]$/.test(m[1]!)) return { module: m[1]!, exportName: m[2] };
  return { module: target, exportName: undefined };
}

/**
 * Imports `<module>[:export]` relative to `cwd` and returns the app function. ESM and CommonJS
 * both work: a CommonJS `module.exports = fn` arrives as the default export. Throws
 * {@link AppLoadError} with a one-line message.
 *
 * @example
 * const app = await loadApp('./app.mjs:handler', process.cwd());
 */
export async function loadApp(target: string, cwd: string): Promise<App> {
  const { module, exportName } = splitTarget(target);
  const path = isAbsolute(module) ? module : resolve(cwd, module);
  if (!existsSync(path)) throw new AppLoadError(`cannot load app module '${module}': no such file (${path})`);
  let ns: Record<string, unknown>;
  try {
    ns = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new AppLoadError(`cannot load app module '${module}': ${why}`);
  }
  const def = ns.default as Record<string, unknown> | undefined;
  let candidate: unknown;
  if (exportName !== undefined) {
    candidate = ns[exportName] ?? (def !== null && typeof def === 'object' ? def[exportName] : undefined);
    if (typeof candidate !== 'function') {
      throw new AppLoadError(
        `app module '${module}' has no function export '${exportName}' (got ${candidate === undefined ? 'nothing' : typeof candidate})`,
      );
    }
    return candidate as App;
  }
  candidate = ns.default;
  // A CommonJS module compiled from ESM exposes `exports.default`.
  if (
    candidate !== null &&
    typeof candidate === 'object' &&
    typeof (candidate as { default?: unknown }).default === 'function'
  ) {
    candidate = (candidate as { default: unknown }).default;
  }
  if (typeof candidate !== 'function') {
    throw new AppLoadError(
      `app module '${module}' exports no app function as its default export (got ${candidate === undefined ? 'nothing' : typeof candidate}); name one with '${module}:<export>'`,
    );
  }
  return candidate as App;
}
