import { ProcessOptionError } from './errors.js';

/** Development mode (`--reload`, `--reload-dir`, `--reload-include`, `--reload-exclude`). */
export interface ReloadOptions {
  /**
   * Watch the app's files and restart the workers gracefully when one changes (a master with
   * `workers` workers, even for 1): the new worker listens before the old one drains, and code
   * that fails to load leaves the old worker serving. For development. Default false.
   */
  reload?: boolean;
  /** Directories watched, recursively. Default: the app module's directory (the CLI) or the cwd. */
  reloadDir?: string[];
  /** File-name globs that trigger a reload, added to `*.mjs *.js *.cjs *.ts *.mts *.cts *.json`. Default []. */
  reloadInclude?: string[];
  /** Globs of names (files or directories) never watched, added to `.* *~ *.swp *.tmp`. Default []. */
  reloadExclude?: string[];
}

export const RELOAD_DEFAULTS: Required<ReloadOptions> = {
  reload: false,
  reloadDir: [],
  reloadInclude: [],
  reloadExclude: [],
};

/** Checks the reload options of a resolved options object; throws {@link ProcessOptionError}. */
export function validateReloadOptions(o: Required<ReloadOptions>): void {
  if (typeof o.reload !== 'boolean') {
    throw new ProcessOptionError(`server option 'reload' must be a boolean, got ${JSON.stringify(o.reload)}`);
  }
  for (const key of ['reloadDir', 'reloadInclude', 'reloadExclude'] as const) {
    const list = o[key];
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s !== '')) {
      throw new ProcessOptionError(
        `server option '${key}' must be an array of non-empty strings, got ${JSON.stringify(list)}`,
      );
    }
  }
}
