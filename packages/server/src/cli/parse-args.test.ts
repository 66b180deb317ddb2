import { describe, expect, it } from 'vitest';
import { splitTarget } from './load-app.js';
import { parseCliArgs, UsageError, usage } from './parse-args.js';

describe('parseCliArgs', () => {
  it('maps kebab-case flags to options: seconds to ms, bytes as given, access log common by default', () => {
    const r = parseCliArgs([
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--headers-timeout',
      '0.25',
      '--max-body-size',
      '1024',
      '--log-level',
      'warn',
      '--no-fullflush',
      'app.mjs:handler',
    ]);
    expect(r.target).toBe('app.mjs:handler');
    expect(r.options).toEqual({
      host: '0.0.0.0',
      port: 0,
      headersTimeout: 250,
      maxBodySize: 1024,
      logLevel: 'warn',
      fullflush: false,
      accessLog: 'common',
    });
  });

  it('treats --no-lifespan as --lifespan off', () => {
    expect(parseCliArgs(['--no-lifespan', 'a.mjs']).options.lifespan).toBe('off');
  });

  it.each([
    [['--port', '-1', 'a.mjs']],
    [['--port', '70000', 'a.mjs']],
    [['--max-body-size', '1.5', 'a.mjs']],
    [['--access-log', 'fancy', 'a.mjs']],
    [['a.mjs', 'b.mjs']],
    [['--nope']],
  ])('rejects %j with a UsageError', (args) => {
    expect(() => parseCliArgs(args)).toThrow(UsageError);
  });

  it('takes the slow-client, proxy and TLS flags (seconds for timeouts, repeatable and comma lists for trusted proxies)', () => {
    const r = parseCliArgs([
      '--request-read-timeout',
      '90',
      '--send-timeout',
      '0.5',
      '--max-connections-per-address',
      '20',
      '--proxy-headers',
      '--forwarded-allow-ips',
      '10.0.0.0/8,fd00::/8',
      '--forwarded-allow-ips',
      'unix',
      '--tls-min-version',
      'TLSv1.3',
      '--tls-ciphers',
      'ECDHE+AESGCM',
      '--tls-handshake-timeout',
      '5',
      'a.mjs',
    ]);
    expect(r.options).toMatchObject({
      requestReadTimeout: 90_000,
      sendTimeout: 500,
      maxConnectionsPerAddress: 20,
      proxyHeaders: true,
      forwardedAllowIps: ['10.0.0.0/8,fd00::/8', 'unix'],
      tlsMinVersion: 'TLSv1.3',
      tlsCiphers: 'ECDHE+AESGCM',
      tlsHandshakeTimeout: 5000,
    });
    expect(() => parseCliArgs(['--tls-min-version', 'TLSv1.1', 'a.mjs'])).toThrow(/TLSv1\.2, TLSv1\.3/);
  });

  it('documents every option in --help', () => {
    expect(usage()).toContain('--keep-alive-timeout N');
    expect(usage()).toContain('--access-log combined|common|json|off');
  });
});

describe('splitTarget', () => {
  it('splits a trailing :identifier and leaves drive letters and plain paths alone', () => {
    expect(splitTarget('app.mjs:handler')).toEqual({ module: 'app.mjs', exportName: 'handler' });
    expect(splitTarget('./dir/app.mjs')).toEqual({ module: './dir/app.mjs', exportName: undefined });
    expect(splitTarget('C:app')).toEqual({ module: 'C:app', exportName: undefined });
  });
});
