import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/parse-args.js';

describe('pagi-server flags for the production options', () => {
  it('maps every production flag to its option (seconds to ms for the heartbeat)', () => {
    const { options } = parseCliArgs([
      '--workers',
      'auto',
      '--heartbeat-timeout',
      '2.5',
      '--max-requests',
      '1000',
      '--max-requests-jitter',
      '50',
      '--pid-file',
      '/run/p.pid',
      '--listen',
      '127.0.0.1:0',
      '--listen',
      'unix:/run/a.sock',
      '--socket-mode',
      '0660',
      '--tls-cert',
      'c.pem',
      '--tls-key',
      'k.pem',
      '--tls-ca',
      'ca.pem',
      '--tls-verify-client',
      'optional',
      'app.mjs',
    ]);
    expect(options).toMatchObject({
      workers: availableParallelism(),
      heartbeatTimeout: 2500,
      maxRequests: 1000,
      maxRequestsJitter: 50,
      pidFile: '/run/p.pid',
      listen: ['127.0.0.1:0', 'unix:/run/a.sock'],
      socketMode: '0660',
      tlsCert: 'c.pem',
      tlsKey: 'k.pem',
      tlsCa: 'ca.pem',
      tlsVerifyClient: 'optional',
    });
  });

  it('rejects an unknown --tls-verify-client mode and a non-numeric --workers', () => {
    expect(() => parseCliArgs(['--tls-verify-client', 'maybe', 'app.mjs'])).toThrow(
      /none, optional, require/,
    );
    expect(() => parseCliArgs(['--workers', 'many', 'app.mjs'])).toThrow(/--workers/);
  });
});
