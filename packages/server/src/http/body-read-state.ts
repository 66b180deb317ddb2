/** What the app's `receive()` resolves with on an `http` scope (protocol.md §4.1.1). */
export type ReceiveEvent =
  | { type: 'http.request'; body: Uint8Array; more: boolean }
  | { type: 'http.disconnect' };

/**
 * The request-body side of one exchange, made on the app's first `receive()`: an app that never
 * reads the body (a hello world, a JSON GET) builds none, and the exchange it hangs off stays
 * seven fields smaller (bytes allocated per request, issue 12).
 */
export class BodyReadState {
  /** The final body event (more: false) has been delivered or is ready. */
  done = false;
  bytes = 0;
  sent100 = false;
  attached = false;
  stallTimer: NodeJS.Timeout | undefined = undefined;
  pending: Promise<ReceiveEvent> | undefined = undefined;
  resolvePending: ((event: ReceiveEvent) => void) | undefined = undefined;
}
