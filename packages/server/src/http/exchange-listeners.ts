import type { DisconnectReason } from '@pagi/spec';

/**
 * What an app registered on `pagi.connection` (protocol.md §3.8): its `on_disconnect` and
 * `on_complete` callbacks and its `disconnect_future`. Made on the first registration: most
 * requests register nothing, and the exchange then carries one empty field instead of four
 * (bytes allocated per request, issue 12).
 */
export class ExchangeListeners {
  disconnect: Array<(reason: DisconnectReason) => void> | undefined = undefined;
  complete: Array<() => void> | undefined = undefined;
  future: Promise<DisconnectReason> | undefined = undefined;
  resolveFuture: ((reason: DisconnectReason) => void) | undefined = undefined;
}
