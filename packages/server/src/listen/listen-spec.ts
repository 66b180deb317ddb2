import { ListenSpecError } from './errors.js';

/** One place to accept connections. */
export type ListenSpec =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'fd'; fd: number };

function parsePort(text: string, spec: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new ListenSpecError(`expected a port 0-65535 in --listen '${spec}', got '${text}'`);
  }
  return Number(text);
}

/**
 * Parses one `--listen` value. The kind is decided by an explicit prefix first, so a Unix path
 * containing colons is never misread as host:port (server-parity.md §5.5 item 11):
 * `unix:/path` (also a bare `/path` or `./path`), `fd:N`, `[v6addr]:port`, `host:port`.
 *
 * @example
 * parseListenSpec('[::1]:8080'); // { kind: 'tcp', host: '::1', port: 8080 }
 * parseListenSpec('unix:/run/app.sock'); // { kind: 'unix', path: '/run/app.sock' }
 */
export function parseListenSpec(spec: string): ListenSpec {
  if (spec.startsWith('unix:')) {
    const path = spec.slice(5);
    if (path === '') throw new ListenSpecError(`expected a path after 'unix:' in --listen, got '${spec}'`);
    return { kind: 'unix', path };
  }
  if (spec.startsWith('/') || spec.startsWith('./') || spec.startsWith('../'))
    return { kind: 'unix', path: spec };
  if (spec.startsWith('fd:')) {
    const text = spec.slice(3);
    if (!/^\d{1,9}$/.test(text))
      throw new ListenSpecError(`expected a descriptor number after 'fd:', got '${spec}'`);
    return { kind: 'fd', fd: Number(text) };
  }
  if (spec.startsWith('[')) {
    const close = spec.indexOf(']');
    if (close < 2 || spec[close + 1] !== ':') {
      throw new ListenSpecError(`expected '[ipv6]:port' in --listen, got '${spec}'`);
    }
    return { kind: 'tcp', host: spec.slice(1, close), port: parsePort(spec.slice(close + 2), spec) };
  }
  const colon = spec.lastIndexOf(':');
  if (colon <= 0 || spec.indexOf(':') !== colon) {
    throw new ListenSpecError(
      `expected host:port, [ipv6]:port, unix:/path or fd:N in --listen, got '${spec}'`,
    );
  }
  return { kind: 'tcp', host: spec.slice(0, colon), port: parsePort(spec.slice(colon + 1), spec) };
}

/** The canonical text of a spec (inverse of {@link parseListenSpec} for its canonical forms). */
export function formatListenSpec(spec: ListenSpec): string {
  switch (spec.kind) {
    case 'tcp':
      return spec.host.includes(':') ? `[${spec.host}]:${spec.port}` : `${spec.host}:${spec.port}`;
    case 'unix':
      return `unix:${spec.path}`;
    case 'fd':
      return `fd:${spec.fd}`;
  }
}

/**
 * Parses `--socket-mode`: exactly an octal `0NNN` (server-parity.md §5.5 item 11: ambiguous values).
 *
 * @example
 * parseSocketMode('0660'); // 0o660
 */
export function parseSocketMode(text: string): number {
  if (!/^0[0-7]{3}$/.test(text))
    throw new ListenSpecError(`expected --socket-mode as octal 0NNN (e.g. 0660), got '${text}'`);
  return Number.parseInt(text, 8);
}
