import { type FSWatcher, watch } from 'node:fs';
import { resolve, sep } from 'node:path';
import { type ReloadMatcher, reloadMatcher } from './reload-match.js';

/** Quiet time after the last change before reloading: an editor's save is several writes. */
export const RELOAD_DEBOUNCE_MS = 150;

export interface ReloadWatcherConfig {
  dirs: readonly string[];
  include: readonly string[];
  exclude: readonly string[];
  /** Called once per burst of changes, with the changed paths (relative to their watched dir). */
  onChange(files: string[]): void;
  log(line: string): void;
}

/**
 * Watches directories recursively (`fs.watch` with `recursive`, native on Linux since Node 20)
 * and reports bursts of relevant changes, debounced. One timer per burst, none per event.
 */
export class ReloadWatcher {
  readonly #config: ReloadWatcherConfig;
  readonly #matcher: ReloadMatcher;
  readonly #watchers: FSWatcher[] = [];
  readonly #changed = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(config: ReloadWatcherConfig) {
    this.#config = config;
    this.#matcher = reloadMatcher(config.include, config.exclude);
  }

  /** Starts watching; a directory that cannot be watched is logged and skipped. */
  start(): void {
    for (const dir of this.#config.dirs) {
      const root = resolve(dir);
      try {
        const watcher = watch(root, { recursive: true }, (_event, name) => {
          if (name === null) return;
          const relative = sep === '/' ? String(name) : String(name).split(sep).join('/');
          if (!this.#matcher.matches(relative)) return;
          this.#changed.add(relative);
          if (this.#timer !== undefined) clearTimeout(this.#timer);
          this.#timer = setTimeout(() => this.#flush(), RELOAD_DEBOUNCE_MS);
        });
        watcher.on('error', (error) => this.#config.log(`reload: watching ${root} failed: ${error.message}`));
        this.#watchers.push(watcher);
      } catch (error) {
        this.#config.log(`reload: cannot watch ${root}: ${(error as Error).message}`);
      }
    }
  }

  #flush(): void {
    this.#timer = undefined;
    const files = [...this.#changed].sort();
    this.#changed.clear();
    if (files.length > 0) this.#config.onChange(files);
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#watchers) w.close();
    this.#watchers.length = 0;
  }
}
