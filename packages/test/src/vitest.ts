/**
 * `@pagi/test/vitest`: the shared middleware checks as a vitest suite. Kept in its own entry so
 * that `@pagi/test` itself never imports vitest (an optional peer dependency).
 */
import { describe, it } from 'vitest';
import {
  MIDDLEWARE_CHECKS,
  MiddlewareCheckError,
  type MiddlewareCheckOptions,
  runMiddlewareCheck,
} from './middleware-checks.js';
import type { Middleware } from '@pagi/spec';

/**
 * Declares a `describe(name)` block with one test per shared middleware check (skipped ones show
 * as skipped); a failing check fails its test with a {@link MiddlewareCheckError} saying why.
 *
 * @example
 * import { describeMiddlewareChecks } from '@pagi/test/vitest';
 * describeMiddlewareChecks('cors', (app) => cors(app, { origin: '*' }));
 */
export function describeMiddlewareChecks(
  name: string,
  mw: Middleware,
  options: MiddlewareCheckOptions = {},
): void {
  const skip = new Set(options.skip ?? []);
  describe(name, () => {
    for (const check of MIDDLEWARE_CHECKS) {
      it.skipIf(skip.has(check))(check, async () => {
        const result = await runMiddlewareCheck(check, mw, options);
        if (!result.ok) throw new MiddlewareCheckError([result]);
      });
    }
  });
}
