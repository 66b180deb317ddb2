/**
 * How an upstream failure is answered (RFC 9110 §15.6.3, §15.6.5): the backend did not answer in
 * time → 504 Gateway Timeout; it refused, reset, or sent something that is not HTTP → 502 Bad
 * Gateway. Only before the response started; after, the client's response is aborted instead.
 */

const TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'PROXY_WS_HANDSHAKE_TIMEOUT',
]);

/** 504 for a timeout, 502 for anything else. */
export function gatewayStatus(error: unknown): 502 | 504 {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TIMEOUTS.has(code) ? 504 : 502;
}

/** Raised when a request body read from the client ends because the client left. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client disconnected while its request body was being forwarded');
    this.name = 'ClientGoneError';
  }
}
