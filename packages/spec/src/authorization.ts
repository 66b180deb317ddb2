/**
 * Parsing of `Authorization` header values: Basic credentials (RFC 7617) and Bearer tokens
 * (RFC 6750 §2.1). One definition for the auth middleware and `@pagi/helpers`' Request.
 */

export interface BasicCredentials {
  username: string;
  password: string;
}

/** A Basic header longer than this is not a credential anyone sends; refused before decoding. */
const MAX_HEADER = 4096;
/** Bearer tokens (JWTs with many claims) are longer; still bounded before the regex runs. */
const MAX_BEARER = 8192;
// `Basic` (any case, RFC 7617 §2 / RFC 9110 §11.1), one or more spaces, then strict base64
// (RFC 4648 §4, padding required): token68 would allow more, but Basic credentials are base64.
const BASIC = /^basic +((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?) *$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });
// RFC 7617 §2: user-id and password MUST NOT contain control characters.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses an `Authorization` header value as Basic credentials; `undefined` for any other scheme,
 * bad base64, bytes that are not UTF-8, no `:`, or a control character. The split is at the
 * FIRST `:` (a user-id cannot contain one; a password can). An empty password is allowed.
 *
 * @example
 * parseBasicCredentials('Basic YWxhZGRpbjpvcGVuc2VzYW1l') // { username: 'aladdin', password: 'opensesame' }
 */
export function parseBasicCredentials(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined || header.length > MAX_HEADER) return undefined;
  const match = BASIC.exec(header);
  if (match === null || match[1] === '') return undefined;
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(match[1]!, 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0 || CONTROL.test(decoded)) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, b64token = 1*( ALPHA / DIGIT / "-" / "."
// / "_" / "~" / "+" / "/" ) *"="; the scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` value (RFC 6750 §2.1), or `undefined` for
 * another scheme, an empty token, a character outside the b64token set (a space, a comma, a
 * quote: no auth-params), or a value over 8192 characters.
 *
 * @example
 * parseBearerToken('Bearer mF_9.B5f-4.1JqM') // 'mF_9.B5f-4.1JqM'
 */
export function parseBearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length > MAX_BEARER) return undefined;
  return BEARER.exec(header)?.[1];
}
