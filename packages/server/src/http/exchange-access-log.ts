import { now } from '../internal/clock.js';
import type { ExchangeState } from './exchange-state.js';

/** One access-log line for a finished exchange (the format lives in @pagi/spec). */
export function writeExchangeAccessLog(ex: ExchangeState): void {
  const req = ex.req;
  let referer: string | undefined;
  let userAgent: string | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 7 && name.toLowerCase() === 'referer') referer = raw[i + 1];
    else if (name.length === 10 && name.toLowerCase() === 'user-agent') userAgent = raw[i + 1];
  }
  ex.ctx.accessLog({
    // The scope's client: the real one behind a trusted proxy (--proxy-headers).
    client: ex.scope.client?.[0] ?? '-',
    method: req.method ?? '-',
    target: req.url ?? '-',
    httpVersion: req.httpVersion,
    status: ex.status,
    bytes: ex.bytesSent,
    durationMs: now() - ex.startTime,
    referer,
    userAgent,
    protocol: 'http',
  });
}
