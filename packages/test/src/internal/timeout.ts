import { TestTimeoutError } from '../errors.js';

/**
 * Races `promise` against a timer of `ms`; on expiry rejects with a {@link TestTimeoutError}
 * naming `what`. The timer is always cleared, so a passing suite leaves no handles behind.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TestTimeoutError(what, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Marks a promise as handled without changing what its awaiters see: callers that `await` it
 * still get the rejection, but a caller that ignores it does not crash the process.
 */
export function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
