/**
 * RFC 6750 §3 answers: the `WWW-Authenticate: Bearer` challenge with its `error`,
 * `error_description` and `scope` attributes, and the status each error code goes with.
 */
import { checkHeader, PagiValidationError } from '@pagi/spec';

/** RFC 6750 §3.1 error codes. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** §3.1: the status each error code is answered with. */
export const ERROR_STATUS: Readonly<Record<BearerErrorCode, number>> = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
};

// §3: error_description and scope values are limited to %x20-21 / %x23-5B / %x5D-7E (no `"`,
// no `\`), so they need no escaping; the descriptions below are fixed strings that satisfy it.
const ATTRIBUTE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `realm` as an RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped. */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** Builds challenges for one realm; validated once, at factory time. */
export function challengeFor(
  realm: string | undefined,
): (error?: BearerErrorCode, description?: string, scope?: string) => string {
  const head = realm === undefined ? 'Bearer' : `Bearer realm=${quoted(realm)}`;
  checkHeader('www-authenticate', head); // refuses CR, LF and control characters in the realm
  return (error, description, scope) => {
    if (error === undefined) return head;
    const parts = [`error="${error}"`];
    if (description !== undefined) parts.push(`error_description="${description}"`);
    if (scope !== undefined) parts.push(`scope="${scope}"`);
    return realm === undefined ? `Bearer ${parts.join(', ')}` : `${head}, ${parts.join(', ')}`;
  };
}

/** Checks a value that goes into an error_description or scope attribute (factory time). */
export function checkAttribute(owner: string, what: string, value: string): void {
  if (!ATTRIBUTE.test(value)) {
    throw new PagiValidationError(
      `${owner}(): expected ${what} to be printable ASCII without '"' or '\\' (RFC 6750 §3), got ${JSON.stringify(value)}`,
    );
  }
}
