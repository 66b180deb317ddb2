import { AsyncQueue as SpecAsyncQueue } from '@pagi/spec';
import { TestTimeoutError } from '../errors.js';

/** The spec's queue, with reads that time out as a {@link TestTimeoutError} naming what was awaited. */
export class AsyncQueue<T> extends SpecAsyncQueue<T> {
  constructor() {
    super({ timeoutError: (what, timeoutMs) => new TestTimeoutError(what, timeoutMs) });
  }
}
