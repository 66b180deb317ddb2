import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, resolveOptions } from '../options.js';
import { decodeWorkerOptions, encodeWorkerOptions } from './worker-options.js';

describe('worker options', () => {
  it('carry every option across, none back at its default (server-parity §2.3)', () => {
    // A non-default value for every option that has one.
    const custom: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(DEFAULT_OPTIONS)) {
      if (typeof value === 'number') custom[key] = value + 7;
      else if (typeof value === 'boolean') custom[key] = !value;
    }
    Object.assign(custom, {
      host: '0.0.0.0',
      rootPath: '/api',
      lifespan: 'on',
      logLevel: 'warn',
      accessLog: 'json',
      listen: ['127.0.0.1:0', 'unix:/tmp/x.sock'],
      socketMode: '0660',
      tlsCert: '/c.pem',
      tlsKey: '/k.pem',
      tlsCa: '/ca.pem',
      tlsVerifyClient: 'optional',
      tlsMinVersion: 'TLSv1.3',
      tlsCiphers: 'ECDHE+AESGCM',
      forwardedAllowIps: ['10.0.0.0/8', 'unix'],
      pidFile: '/tmp/p.pid',
      accessLogFile: '/tmp/access.log',
      workers: 4,
      workerNum: null,
      reloadDir: ['/srv/app'],
      reloadInclude: ['*.html'],
      reloadExclude: ['dist'],
    });
    // resolveOptions validates file-free; TLS files are only read at listen().
    const resolved = resolveOptions(custom);
    const back = resolveOptions(decodeWorkerOptions(encodeWorkerOptions(resolved), 3));
    const { accessLogStream: _a, logStream: _b, ...expected } = resolved;
    const { accessLogStream: _c, logStream: _d, ...got } = back;
    expect(got).toEqual({ ...expected, workerNum: 3 });
    for (const key of Object.keys(DEFAULT_OPTIONS)) {
      if (key === 'workerNum') continue;
      expect((got as Record<string, unknown>)[key], key).not.toEqual(
        (DEFAULT_OPTIONS as Record<string, unknown>)[key],
      );
    }
  });
});
