import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidHost } from './host-header.js';

/** Hosts RFC 3986 allows: reg-names (domains), IPv4, [IPv6], [vX.future], each with an optional port. */
const ipvFuture = fc
  .tuple(
    fc.constantFrom('v', 'V'),
    fc.stringMatching(/^[0-9A-Fa-f]{1,4}$/),
    fc.stringMatching(/^[A-Za-z0-9\-._~!$&'()*+,;=:]{1,12}$/),
    fc.option(fc.nat(65535), { nil: undefined }),
  )
  .map(([v, hex, rest, port]) => `[${v}${hex}.${rest}]${port === undefined ? '' : `:${port}`}`);
const validHost = fc.oneof(
  fc.webAuthority({ withIPv4: true, withIPv6: true, withIPv4Extended: false, withPort: true }),
  ipvFuture,
);

/** Characters that may appear nowhere in `uri-host [":" port]`. */
const forbidden = fc.constantFrom(
  ' ',
  '\t',
  '"',
  '#',
  '/',
  '<',
  '>',
  '?',
  '@',
  '\\',
  '^',
  '`',
  '{',
  '|',
  '}',
  '\u0000',
  '\u007f',
  '\u00e9',
);

describe('isValidHost (RFC 9112 §3.2, RFC 3986 §3.2.2)', () => {
  it('accepts every host and port the grammar generates', () => {
    fc.assert(fc.property(validHost, (host) => isValidHost(host)));
  });

  it('refuses any host with a character the grammar forbids, wherever it is', () => {
    fc.assert(
      fc.property(validHost, forbidden, fc.nat(), (host, bad, at) => {
        const i = at % (host.length + 1);
        return !isValidHost(host.slice(0, i) + bad + host.slice(i));
      }),
    );
  });

  it('refuses a port that is not all digits, and a second colon after a name', () => {
    fc.assert(
      fc.property(fc.domain(), fc.nat(65535), fc.constantFrom('x', ':', '-1', '.5'), (name, port, tail) => {
        return isValidHost(`${name}:${port}`) && !isValidHost(`${name}:${port}${tail}`);
      }),
    );
  });

  it('refuses a percent sign not followed by two hex digits', () => {
    fc.assert(
      fc.property(
        fc.domain(),
        fc.constantFrom('%', '%a', '%zz', '%g0'),
        (name, pct) => !isValidHost(name + pct),
      ),
    );
    expect(isValidHost('caf%C3%A9.example')).toBe(true);
  });

  it.each([
    ['[::1]', true],
    ['[::1]:8080', true],
    ['[::ffff:192.0.2.1]', true],
    ['[v7.a:b]', true],
    ['', true],
    [':80', true],
    ['example.com:', true],
    ['::1', false],
    ['[::1', false],
    ['::1]', false],
    ['[fe80::1%25eth0]', false],
    ['[fe80::1%eth0]', false],
    ['[not-an-ip]', false],
    ['[v.x]', false],
    ['[::1]x', false],
    ['[::1]:80:80', false],
    ['a b', false],
  ])('%j → %s', (host, ok) => {
    expect(isValidHost(host)).toBe(ok);
  });
});
