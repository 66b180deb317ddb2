/** RFC 7617 credentials parsing: `Authorization: Basic base64(user-id ":" password)`. */

export interface BasicCredentials {
  username: string;
  password: string;
}

/** A header longer than this is not a credential anyone sends; refused before decoding. */
const MAX_HEADER = 4096;
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
 * basicAuth('Basic YWxhZGRpbjpvcGVuc2VzYW1l') // { username: 'aladdin', password: 'opensesame' }
 */
export function basicAuth(header: string | undefined): BasicCredentials | undefined {
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
