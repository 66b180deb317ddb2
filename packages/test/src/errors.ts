/**
 * Errors the test client throws itself. Errors the app throws, and protocol violations caught by
 * the send validator (`PagiStateError`, …), are passed through unchanged so tests see the original.
 */
import { PagiError } from '@pagi/spec';

/**
 * A wait for the app took longer than the client's `timeout`: the message names what the client
 * was waiting for (response start, next chunk, a WebSocket message, …) so a hang reads as a bug.
 *
 * @example
 * await expect(client.get('/slow')).rejects.toMatchObject({ code: 'PAGI_ERR_TEST_TIMEOUT' });
 */
export class TestTimeoutError extends PagiError {
  /** What the client was waiting for. */
  readonly waitingFor: string;
  readonly timeout: number;
  constructor(waitingFor: string, timeout: number) {
    super('PAGI_ERR_TEST_TIMEOUT', `timed out after ${timeout} ms waiting for ${waitingFor}`);
    this.waitingFor = waitingFor;
    this.timeout = timeout;
  }
}

/** Re-exported: one definition, in `@pagi/spec` (the server rejects with the same class). */
export { LifespanStartupError } from '@pagi/spec';

/**
 * The app answered `lifespan.shutdown` with `lifespan.shutdown.failed`; `message` is the app's text.
 *
 * @example
 * await expect(client.shutdown()).rejects.toMatchObject({ code: 'PAGI_ERR_LIFESPAN_SHUTDOWN' });
 */
export class LifespanShutdownError extends PagiError {
  constructor(message: string) {
    super('PAGI_ERR_LIFESPAN_SHUTDOWN', message === '' ? 'lifespan shutdown failed' : message);
  }
}

/**
 * The test read from, or wrote to, a WebSocket the app has closed (or that was never accepted).
 * `closeCode`/`closeReason` are what the app sent.
 *
 * @example
 * await expect(ws.receiveText()).rejects.toMatchObject({ code: 'PAGI_ERR_TEST_WS_CLOSED', closeCode: 1000 });
 */
export class WebSocketClosedError extends PagiError {
  readonly closeCode: number;
  readonly closeReason: string;
  constructor(action: string, code: number, reason: string) {
    super(
      'PAGI_ERR_TEST_WS_CLOSED',
      `cannot ${action}: expected an open WebSocket, got one closed with code ${code}${reason ? ` ('${reason}')` : ''}`,
    );
    this.closeCode = code;
    this.closeReason = reason;
  }
}

/**
 * The app sent something other than what the test asked for: `receiveText()` got a binary message,
 * `receiveJson()` got text that is not JSON, `json()` on a body that is not JSON, …
 *
 * @example
 * await expect(ws.receiveText()).rejects.toMatchObject({ code: 'PAGI_ERR_TEST_UNEXPECTED' });
 */
export class TestUnexpectedError extends PagiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAGI_ERR_TEST_UNEXPECTED', message, options);
  }
}

/**
 * A request with `followRedirects` met more redirects than `maxRedirects` allows (a loop, most
 * likely); `history` holds the responses followed so far.
 *
 * @example
 * await expect(client.get('/loop', { followRedirects: true })).rejects.toMatchObject({
 *   code: 'PAGI_ERR_TEST_TOO_MANY_REDIRECTS',
 * });
 */
export class TooManyRedirectsError extends PagiError {
  readonly history: readonly { status: number; url: string }[];
  constructor(max: number, history: readonly { status: number; url: string }[]) {
    super(
      'PAGI_ERR_TEST_TOO_MANY_REDIRECTS',
      `expected at most ${max} redirects, got more: ${history.map((h) => `${h.status} ${h.url}`).join(' -> ')}`,
    );
    this.history = history;
  }
}
