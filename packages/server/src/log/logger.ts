import type { Logger } from '../internal/context.js';
import type { LogLevel } from '../options.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function describe(detail: unknown): string {
  if (detail === undefined) return '';
  if (detail instanceof Error) return `\n${detail.stack ?? `${detail.name}: ${detail.message}`}`;
  if (typeof detail === 'string') return ` ${detail}`;
  try {
    return ` ${JSON.stringify(detail)}`;
  } catch {
    return ` ${String(detail)}`;
  }
}

/**
 * A leveled logger writing one line per message (`pagi-server <level>: <message>`) to a stream.
 * Lines below `level` cost one comparison and nothing else.
 *
 * @example
 * const log = createLogger('info', process.stderr);
 * log.warn('request body exceeded maxBodySize (10000000 bytes)');
 */
export function createLogger(level: LogLevel, stream: NodeJS.WritableStream): Logger {
  const min = RANK[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, message: string, detail?: unknown): void => {
    if (RANK[lvl] < min) return;
    try {
      stream.write(`pagi-server ${lvl}: ${message}${describe(detail)}\n`);
    } catch {
      // A broken log stream must never take the server down.
    }
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
