/** WebSocket close codes (RFC 6455 §7.4) and the rules for which ones an app may send. */

export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  /** Reported locally when a Close frame had no code; never sent. */
  noStatus: 1005,
  /** Reported locally on an abnormal loss; never sent. */
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  mandatoryExtension: 1010,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  badGateway: 1014,
} as const;

/** The longest close reason: a control frame carries ≤ 125 bytes, 2 of them the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * true when an endpoint may put `code` in a Close frame: 1000–1003, 1007–1014 and the
 * registered/private range 3000–4999. 1004, 1005, 1006 and 1015 are reserved (RFC 6455 §7.4.1).
 */
export function isSendableCloseCode(code: unknown): code is number {
  if (typeof code !== 'number' || !Number.isInteger(code)) return false;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** true for any code a `websocket.disconnect` may report, including 1005 and 1006. */
export function isReportableCloseCode(code: unknown): code is number {
  return isSendableCloseCode(code) || code === 1005 || code === 1006 || code === 1015;
}
