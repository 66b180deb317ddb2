/**
 * JWT verification with `jose`: the key and algorithm allow-list are checked once at factory time,
 * so the classic mistakes cannot be configured (`none`, an HMAC algorithm beside a public-key one,
 * a PEM public key used as an HMAC secret, a short HMAC secret).
 */
import { createPublicKey, type JsonWebKey, type KeyObject, type webcrypto } from 'node:crypto';
import { PagiValidationError } from '@pagi/spec';
import {
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';

/** The JWS algorithms (RFC 7518 §3.1, RFC 8037) the allow-list may name. `none` is not one of them. */
export type JwsAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

const HMAC: ReadonlyMap<string, number> = new Map([
  ['HS256', 32],
  ['HS384', 48],
  ['HS512', 64],
]);
const ASYMMETRIC: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

export interface JwtSettings {
  algorithms?: readonly JwsAlgorithm[];
  secret?: string | Uint8Array;
  key?: KeyObject | webcrypto.CryptoKey | string | JsonWebKey;
  jwks?: JWTVerifyGetKey;
  jwksUrl?: string | URL;
  issuer?: string | readonly string[];
  audience?: string | readonly string[];
  clockTolerance?: number;
  /**
   * Claims every token must carry. Default `['exp']`: a token without an expiry stays valid
   * forever once leaked (RFC 8725 §3.10 advises short-lived tokens); `[]` accepts it.
   */
  requiredClaims?: readonly string[];
}

/** Why a token was refused, as the fixed RFC 6750 error_description the client sees. */
export type Verified =
  | { ok: true; claims: JWTPayload }
  | { ok: false; description: string }
  | { ok: 'unavailable' };

function fail(message: string): never {
  throw new PagiValidationError(`authBearer(): ${message}`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** The verification key (or key resolver) for `settings`, after the allow-list checks. */
function resolveKey(
  settings: JwtSettings,
  algorithms: readonly string[],
): Uint8Array | KeyObject | webcrypto.CryptoKey | JWTVerifyGetKey {
  const { secret, key, jwks, jwksUrl } = settings;
  const given = [secret, key, jwks, jwksUrl].filter((v) => v !== undefined).length;
  if (given !== 1) fail('expected exactly one of secret, key, jwks, jwksUrl or validate');
  const hmac = algorithms.filter((alg) => HMAC.has(alg));
  if (secret !== undefined) {
    // Algorithm confusion (an attacker's HS256 token "signed" with the public key) needs a
    // verifier that accepts both kinds for one key: a secret only ever verifies HMAC.
    if (hmac.length !== algorithms.length)
      fail('expected only HS256/HS384/HS512 in algorithms with a secret');
    const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    if (!(bytes instanceof Uint8Array)) fail('expected secret to be a string or a Uint8Array');
    if (new TextDecoder().decode(bytes.subarray(0, 64)).includes('-----BEGIN')) {
      fail(
        'expected an HMAC secret, got a PEM key (give a public key as key, with RS/PS/ES/EdDSA algorithms)',
      );
    }
    // RFC 7518 §3.2: a key of the same size as the hash output or larger MUST be used.
    const needed = Math.max(...hmac.map((alg) => HMAC.get(alg)!));
    if (bytes.byteLength < needed)
      fail(`expected a secret of at least ${needed} bytes for ${hmac.join(', ')}, got ${bytes.byteLength}`);
    return bytes;
  }
  if (hmac.length > 0)
    fail(`expected no HMAC algorithm (${hmac.join(', ')}) with a public key or JWKS: use secret`);
  if (jwks !== undefined) {
    if (typeof jwks !== 'function')
      fail('expected jwks to be a key resolver such as createRemoteJWKSet(url)');
    return jwks;
  }
  if (jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      fail(`expected jwksUrl to be an absolute URL, got ${JSON.stringify(String(jwksUrl))}`);
    }
    // Keys fetched in clear text could be replaced on the way: https only, loopback excepted.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      fail(`expected jwksUrl to use https (http only on loopback), got ${url.protocol}`);
    }
    return createRemoteJWKSet(url);
  }
  if (typeof key === 'string' || (key !== null && typeof key === 'object' && 'kty' in key)) {
    try {
      return createPublicKey(typeof key === 'string' ? key : { key: key as JsonWebKey, format: 'jwk' });
    } catch (cause) {
      throw new PagiValidationError(
        'authBearer(): expected key to be a public key (PEM SPKI, JWK or KeyObject)',
        { cause },
      );
    }
  }
  if (key !== null && typeof key === 'object' && (key as KeyObject).type === 'public')
    return key as KeyObject;
  fail(
    'expected key to be a public key (a KeyObject or webcrypto.CryptoKey of type public, PEM SPKI or a public JWK)',
  );
}

/**
 * Maps jose's refusals to fixed descriptions: nothing from the token is echoed back. With a
 * remote key set, an error that is not jose's (the fetch failed) means the keys are unavailable.
 */
function refusal(error: unknown, remote: boolean): Verified {
  if (error instanceof errors.JWTExpired) return { ok: false, description: 'The token has expired' };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return { ok: false, description: 'The token is not valid yet' };
    if (error.claim === 'iss') return { ok: false, description: 'The token has an unexpected issuer' };
    if (error.claim === 'aud') return { ok: false, description: 'The token has an unexpected audience' };
    if (error.reason === 'missing') return { ok: false, description: 'The token lacks a required claim' };
    return { ok: false, description: 'A claim of the token is invalid' };
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return { ok: false, description: 'The token algorithm is not allowed' };
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return { ok: false, description: 'The token signature is invalid' };
  if (error instanceof errors.JWKSNoMatchingKey)
    return { ok: false, description: 'No key matches the token' };
  // The key set could not be fetched: the token may well be fine, the server cannot tell now.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return { ok: 'unavailable' };
  if (error instanceof errors.JOSEError) return { ok: false, description: 'The token is malformed' };
  return remote ? { ok: 'unavailable' } : { ok: false, description: 'The token is invalid' };
}

/** A verifier `(token) => Verified` for settings validated once, here. */
export function jwtVerifier(settings: JwtSettings): (token: string) => Promise<Verified> {
  const { algorithms } = settings;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    fail(
      "expected algorithms, a non-empty allow-list such as ['RS256'] (required with a key, secret or JWKS)",
    );
  }
  for (const alg of algorithms) {
    if (!HMAC.has(alg) && !ASYMMETRIC.has(alg)) {
      fail(
        `expected algorithms from ${[...HMAC.keys(), ...ASYMMETRIC].join(', ')}, got ${JSON.stringify(alg)}${String(alg).toLowerCase() === 'none' ? ' (unsecured tokens are never accepted)' : ''}`,
      );
    }
  }
  const key = resolveKey(settings, algorithms);
  const clockTolerance = settings.clockTolerance ?? 5;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0) {
    fail(`expected clockTolerance to be a number of seconds ≥ 0, got ${clockTolerance}`);
  }
  const requiredClaims = settings.requiredClaims ?? ['exp'];
  if (!Array.isArray(requiredClaims) || requiredClaims.some((c) => typeof c !== 'string' || c === '')) {
    fail('expected requiredClaims to be an array of claim names');
  }
  const options: JWTVerifyOptions = {
    algorithms: [...algorithms],
    clockTolerance,
    requiredClaims: [...requiredClaims],
  };
  for (const name of ['issuer', 'audience'] as const) {
    const value = settings[name];
    if (value === undefined) continue;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
      fail(`expected ${name} to be a non-empty string or array of strings`);
    }
    options[name] = [...list];
  }
  const remote = typeof key === 'function';
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as Uint8Array, options);
      return { ok: true, claims: payload };
    } catch (error) {
      return refusal(error, remote);
    }
  };
}
