import type { DisconnectReason } from './types.js';

/** The standard abnormal-end tokens (protocol.md §3.10). A normal completion has no reason. */
export const DISCONNECT_REASONS = [
  'client_closed',
  'client_timeout',
  'idle_timeout',
  'keepalive_timeout',
  'write_timeout',
  'write_error',
  'read_error',
  'protocol_error',
  'server_shutdown',
  'server_error',
  'body_too_large',
  'queue_overflow',
] as const satisfies readonly DisconnectReason[];

/** true for a standard token or a server-specific `x-` token. */
export function isDisconnectReason(value: unknown): value is DisconnectReason {
  return (
    typeof value === 'string' &&
    ((DISCONNECT_REASONS as readonly string[]).includes(value) || /^x-[a-z0-9_-]+$/.test(value))
  );
}
