import { PagiError } from '@pagi/spec';

/**
 * The request's deadline passed after its response had started: thrown out of the middleware so
 * the server aborts the response (protocol D-12) and the client sees it incomplete.
 */
export class RequestTimeoutError extends PagiError {
  /** The deadline, in milliseconds. */
  readonly timeout: number;
  constructor(timeout: number) {
    super(
      'PAGI_ERR_REQUEST_TIMEOUT',
      `request deadline of ${timeout} ms passed after the response started: expected it to finish in time, the response is aborted`,
    );
    this.timeout = timeout;
  }
}
