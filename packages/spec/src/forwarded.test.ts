import { describe, expect, it } from 'vitest';
import { PagiValidationError } from './errors.js';
import { forwardedInfo, parseTrustedProxies, trustedForwardedInfo } from './forwarded.js';

// The parser's full suite (fast-check included) runs in @pagi/server (src/net/*.test.ts), which
// imports these; this file covers what spec adds: the label and the public entry points.
describe('forwarded (spec entry points)', () => {
  it('parseTrustedProxies names the option given as label, as a PagiValidationError', () => {
    expect(() => parseTrustedProxies(['10.0.0.0/33'], 'myOption')).toThrow(PagiValidationError);
    expect(() => parseTrustedProxies(['nope'], 'myOption')).toThrow(/^myOption: expected an IP address/);
    expect(() => parseTrustedProxies('x' as never)).toThrow(/trustedProxies must be an array/);
  });

  it('the client is the right-most untrusted hop; untrusted peers are ignored', () => {
    const trusted = parseTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    const headers: [string, string][] = [['x-forwarded-for', '6.6.6.6, 1.2.3.4, 10.0.0.5']];
    expect(forwardedInfo(headers, trusted)).toEqual({ client: ['1.2.3.4', 0], secure: undefined });
    expect(trustedForwardedInfo(trusted, ['fd00::1', 1], headers)?.client).toEqual(['1.2.3.4', 0]);
    expect(trustedForwardedInfo(trusted, ['8.8.8.8', 1], headers)).toBeUndefined();
  });
});
