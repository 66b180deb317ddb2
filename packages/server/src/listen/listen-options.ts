import { ListenSpecError } from './errors.js';
import { parseListenSpec, parseSocketMode } from './listen-spec.js';

/** Listener options (`--listen`, `--socket-mode`). */
export interface ListenOptions {
  /**
   * Where to accept connections, each `host:port`, `[v6]:port`, `unix:/path` or `fd:N`. Empty
   * (default): systemd socket activation if `LISTEN_FDS` is set, else `host:port`.
   */
  listen?: string[];
  /** Mode of every Unix socket, as octal text `0NNN` (default null: what the umask gives). */
  socketMode?: string | null;
}

export const LISTEN_DEFAULTS: Required<ListenOptions> = { listen: [], socketMode: null };

/** Parses every spec once so a typo fails at construction, not at `listen()`. */
export function validateListenOptions(o: Required<ListenOptions>): void {
  if (!Array.isArray(o.listen)) {
    throw new ListenSpecError(
      `server option 'listen' must be an array of strings, got ${JSON.stringify(o.listen)}`,
    );
  }
  for (const spec of o.listen) {
    if (typeof spec !== 'string')
      throw new ListenSpecError(`server option 'listen' must hold strings, got ${JSON.stringify(spec)}`);
    parseListenSpec(spec);
  }
  if (o.socketMode !== null) parseSocketMode(o.socketMode);
}
