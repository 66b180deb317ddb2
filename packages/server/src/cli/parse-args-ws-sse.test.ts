import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError, usage } from './parse-args.js';

describe('parseCliArgs: WebSocket and SSE limits', () => {
  it('maps --ws-max-fragments (a count) and the idle timeouts (seconds → ms)', () => {
    const r = parseCliArgs([
      '--ws-max-fragments',
      '100',
      '--ws-idle-timeout',
      '0.5',
      '--sse-idle-timeout',
      '30',
      'app.mjs',
    ]);
    expect(r.options).toMatchObject({ wsMaxFragments: 100, wsIdleTimeout: 500, sseIdleTimeout: 30_000 });
  });

  it.each([[['--ws-max-fragments', '1.5', 'a.mjs']], [['--ws-idle-timeout', '-1', 'a.mjs']]])(
    'rejects %j with a UsageError',
    (args) => {
      expect(() => parseCliArgs(args)).toThrow(UsageError);
    },
  );

  it('lists the flags with their defaults in --help', () => {
    const help = usage();
    expect(help).toMatch(/--ws-max-fragments N\s+\(default 16384\)/);
    expect(help).toMatch(/--ws-idle-timeout N\s+\(default 0\)/);
    expect(help).toMatch(/--sse-idle-timeout N\s+\(default 0\)/);
  });
});
