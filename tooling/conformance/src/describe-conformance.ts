import type { App } from '@pagi/spec';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { http10Cases } from './cases/http-10.js';
import { httpBodyCases } from './cases/http-body.js';
import { httpConnectionCases } from './cases/http-connection.js';
import { httpErrorCases } from './cases/http-errors.js';
import { httpFileCases } from './cases/http-files.js';
import { httpResponseCases } from './cases/http-response.js';
import { httpViolationCases } from './cases/http-violations.js';
import { httpScopeCases } from './cases/scope-http.js';
import { websocketSseScopeCases } from './cases/scope-websocket-sse.js';
import { sseDetectionCases } from './cases/sse-detection.js';
import { sseCases } from './cases/sse.js';
import { sseViolationCases } from './cases/sse-violations.js';
import { websocketCases } from './cases/websocket.js';
import { websocketViolationCases } from './cases/websocket-violations.js';
import type { CaseContext } from './cases/case-context.js';
import type { ConformanceClient, Transport } from './transport.js';

/** Options for one run of the suite. */
export interface ConformanceOptions {
  /**
   * Case names this transport is known to get wrong, each with the divergence in words. They are
   * registered with `it.fails`, so the suite stays green while the gap stays visible, and a fix
   * turns them red until the entry is removed.
   */
  knownDivergences?: Record<string, string>;
}

/**
 * Registers every conformance case against one transport. Call it once per test file; the
 * transport is created and started before the first case and stopped after the last.
 *
 * @example
 * import { describeConformance, inProcess } from '@pagi/conformance';
 * describeConformance('in-process', inProcess);
 */
export function describeConformance(
  transportName: string,
  createTransport: () => Transport,
  options: ConformanceOptions = {},
): void {
  const divergences = options.knownDivergences ?? {};
  const used = new Set<string>();
  describe(`conformance over ${transportName}`, () => {
    let transport: Transport | undefined;
    beforeAll(async () => {
      transport = createTransport();
      await transport.start();
    });
    afterAll(async () => {
      await transport?.stop();
    });
    const ctx: CaseContext = {
      get httpVersion(): string {
        return transport?.httpVersion ?? '1.1';
      },
      serve(app: App): ConformanceClient {
        if (transport === undefined) throw new Error('expected a started transport, got none');
        return transport.serve(app);
      },
      it(name, fn) {
        if (name in divergences) {
          used.add(name);
          it.fails(name, fn);
        } else {
          it(name, fn);
        }
      },
    };
    httpScopeCases(ctx);
    websocketSseScopeCases(ctx);
    sseDetectionCases(ctx);
    httpBodyCases(ctx);
    httpResponseCases(ctx);
    httpErrorCases(ctx);
    httpFileCases(ctx);
    httpViolationCases(ctx);
    httpConnectionCases(ctx);
    http10Cases(ctx);
    websocketCases(ctx);
    websocketViolationCases(ctx);
    sseCases(ctx);
    sseViolationCases(ctx);
    // A divergence naming no case is a typo that would silently mark nothing.
    it('lists only known divergences that name real cases', ({ expect }) => {
      expect(Object.keys(divergences).filter((name) => !used.has(name))).toEqual([]);
    });
  });
}
