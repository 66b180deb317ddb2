import { PagiValidationError } from './errors.js';
import { validateHeaderList } from './headers-validate.js';
import { describe } from './internal/describe.js';
import { isToken } from './internal/token.js';
import type { Scope } from './types.js';

type Rec = Record<string, unknown>;

function fail(key: string, expected: string, got: unknown): never {
  throw new PagiValidationError(`scope.${key}: expected ${expected}, got ${describe(got)}`);
}

function isObject(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(scope: Rec, key: string): void {
  if (typeof scope[key] !== 'string') fail(key, 'a string', scope[key]);
}

function optionalString(scope: Rec, key: string): void {
  if (scope[key] !== undefined && typeof scope[key] !== 'string') fail(key, 'a string', scope[key]);
}

/** D-2: `raw_path` and `query_string` hold bytes, one code unit ≤ 0xFF each. */
function checkByteString(scope: Rec, key: string, required: boolean): void {
  const value = scope[key];
  if (value === undefined && !required) return;
  if (typeof value !== 'string') fail(key, 'a byte string', value);
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0xff) fail(key, 'a byte string (code units ≤ 0xff)', value);
  }
}

function checkFunctions(
  owner: Rec,
  key: string,
  required: readonly string[],
  optional: readonly string[],
): void {
  for (const name of required) {
    if (typeof owner[name] !== 'function') fail(`${key}.${name}`, 'a function', owner[name]);
  }
  for (const name of optional) {
    if (owner[name] !== undefined && typeof owner[name] !== 'function') {
      fail(`${key}.${name}`, 'a function when present', owner[name]);
    }
  }
}

function checkPagi(scope: Rec, lifespan: boolean): void {
  const pagi = scope.pagi;
  if (!isObject(pagi)) fail('pagi', 'an object with a version', pagi);
  if (typeof pagi.version !== 'string') fail('pagi.version', "a string such as '0.3'", pagi.version);
  if (pagi.spec_version !== undefined && typeof pagi.spec_version !== 'string') {
    fail('pagi.spec_version', 'a string', pagi.spec_version);
  }
  if (!lifespan) return;
  if (pagi.is_worker !== undefined && typeof pagi.is_worker !== 'boolean') {
    fail('pagi.is_worker', 'a boolean (D-3)', pagi.is_worker);
  }
  const num = pagi.worker_num;
  if (num !== undefined && num !== null && !(Number.isSafeInteger(num) && (num as number) >= 1)) {
    fail('pagi.worker_num', 'an integer ≥ 1 or null', num);
  }
}

/** §6.1: every advertised extension is an object, possibly empty. */
function checkExtensions(scope: Rec): void {
  const extensions = scope.extensions;
  if (extensions === undefined) return;
  if (!isObject(extensions)) fail('extensions', 'an object', extensions);
  for (const key of Object.keys(extensions)) {
    const value = extensions[key];
    if (value !== undefined && (typeof value !== 'object' || value === null)) {
      fail(`extensions['${key}']`, 'an object', value);
    }
  }
}

function checkState(scope: Rec): void {
  if (scope.state !== undefined && !isObject(scope.state)) fail('state', 'an object', scope.state);
}

function checkEndpoint(scope: Rec, key: 'client' | 'server'): void {
  const value = scope[key];
  if (value === undefined) return;
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    ((typeof value[1] === 'number' && Number.isInteger(value[1]) && value[1] >= 0 && value[1] <= 65535) ||
      (key === 'server' && value[1] === null));
  if (!ok) fail(key, key === 'server' ? '[host, port] or [socketPath, null]' : '[host, port]', value);
}

function checkConnectionScope(scope: Rec): void {
  checkPagi(scope, false);
  requireString(scope, 'http_version');
  optionalString(scope, 'scheme');
  requireString(scope, 'path');
  checkByteString(scope, 'raw_path', false);
  checkByteString(scope, 'query_string', true);
  requireString(scope, 'root_path');
  validateHeaderList(scope.headers, 'scope header');
  checkEndpoint(scope, 'client');
  checkEndpoint(scope, 'server');
  checkState(scope);
  checkExtensions(scope);
  const transport = scope['pagi.transport'];
  if (transport !== undefined) {
    if (!isObject(transport)) fail('pagi.transport', 'an object', transport);
    checkFunctions(
      transport,
      'pagi.transport',
      ['buffered_amount'],
      ['high_water_mark', 'low_water_mark', 'on_high_water', 'on_drain'],
    );
  }
}

function checkMethod(scope: Rec): void {
  if (typeof scope.method !== 'string' || !isToken(scope.method)) {
    fail('method', 'a request method (an RFC 9110 token)', scope.method);
  }
}

/**
 * Asserts that `scope` has the keys protocol.md §3 requires for its type, with the right types,
 * and that optional keys have the right types when present. Meant for test harnesses, lint
 * middleware and servers under development; a server does not need it on its hot path.
 *
 * Checked: `type`; `pagi.version` (a string); for `http`/`websocket`/`sse` also `http_version`,
 * `path`, `query_string` (byte string), `root_path`, `headers` (a safe, lowercase
 * {@link HeaderList}), and when present `scheme`, `raw_path`, `client`, `server`, `state`,
 * `extensions`, `pagi.transport`; `method` for `http` and `sse`; the MUST methods of
 * `pagi.connection` for `http`; `subprotocols` (strings) for `websocket`; `is_worker`,
 * `worker_num`, `state` and `extensions` for `lifespan`. Extra keys are allowed (§2.3).
 *
 * @throws PagiValidationError naming the first bad key.
 * @example
 * validateScope({ type: 'lifespan', pagi: { version: '0.3' } }); // passes
 * validateScope({ type: 'http', pagi: { version: 0.3 } });
 * // throws PAGI_ERR_VALIDATION: scope.pagi.version: expected a string such as '0.3', got 0.3
 */
export function validateScope(scope: unknown): asserts scope is Scope {
  if (!isObject(scope)) throw new PagiValidationError(`scope: expected an object, got ${describe(scope)}`);
  switch (scope.type) {
    case 'http': {
      checkConnectionScope(scope);
      checkMethod(scope);
      const connection = scope['pagi.connection'];
      if (!isObject(connection)) fail("'pagi.connection'", 'an object (required for http)', connection);
      checkFunctions(
        connection,
        'pagi.connection',
        ['is_connected', 'disconnect_reason', 'on_disconnect', 'response_started'],
        ['on_complete', 'response_complete', 'disconnect_future'],
      );
      return;
    }
    case 'sse':
      checkConnectionScope(scope);
      checkMethod(scope);
      return;
    case 'websocket': {
      checkConnectionScope(scope);
      const list = scope.subprotocols;
      if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) {
        fail('subprotocols', 'an array of strings ([] when the client offered none)', list);
      }
      return;
    }
    case 'lifespan':
      checkPagi(scope, true);
      checkState(scope);
      checkExtensions(scope);
      return;
    default:
      fail('type', "one of 'http', 'websocket', 'sse', 'lifespan'", scope.type);
  }
}
