import type { HttpScope } from '@pagi/spec';

/**
 * The CGI/1.1 meta-variables of one request (RFC 3875 §4.1). Request headers become
 * `HTTP_*` variables (§4.1.18) except:
 * - `Content-Type`/`Content-Length`, which have their own variables;
 * - `Proxy`, never: `HTTP_PROXY` would be read as the proxy setting by the program's HTTP
 *   client (the "httpoxy" vulnerability, CVE-2016-5385);
 * - `Authorization`, unless `passAuthorization` (§4.1.18 lets the server withhold it);
 * - names containing `_`: `X_Forwarded_For` and `X-Forwarded-For` would map to the same
 *   variable, so a client could forge what a proxy added (nginx drops them for the same reason).
 * Repeated headers are joined with `, ` (`; ` for `Cookie`), as §4.1.18 asks.
 */
export function cgiEnvironment(
  scope: HttpScope,
  base: Record<string, string>,
  passAuthorization: boolean,
): Record<string, string> {
  const env: Record<string, string> = { ...base };
  const root = scope.root_path;
  let pathInfo = scope.path;
  if (root !== '' && pathInfo.startsWith(root)) pathInfo = pathInfo.slice(root.length);
  let host: string | undefined;
  for (const [name, value] of scope.headers) {
    if (name === 'content-type') env.CONTENT_TYPE = value;
    else if (name === 'content-length') env.CONTENT_LENGTH = value;
    else if (name === 'proxy' || name.includes('_')) continue;
    else if (name === 'authorization' && !passAuthorization) continue;
    else {
      if (name === 'host') host = value;
      const key = `HTTP_${name.toUpperCase().replaceAll('-', '_')}`;
      const previous = env[key];
      env[key] = previous === undefined ? value : `${previous}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
  }
  env.GATEWAY_INTERFACE = 'CGI/1.1';
  env.REQUEST_METHOD = scope.method;
  env.SCRIPT_NAME = root;
  env.PATH_INFO = pathInfo;
  env.QUERY_STRING = scope.query_string;
  env.SERVER_PROTOCOL = scope.http_version === '2' ? 'HTTP/2' : `HTTP/${scope.http_version}`;
  env.SERVER_SOFTWARE = 'pagi-wrap-legacy';
  env.REQUEST_SCHEME = scope.scheme;
  if (scope.scheme === 'https') env.HTTPS = 'on';
  const server = scope.server;
  // §4.1.14: SERVER_NAME is the host part of the request URI (Host header), else the address.
  env.SERVER_NAME = host !== undefined ? hostname(host) : (server?.[0] ?? 'localhost');
  env.SERVER_PORT = String(server?.[1] ?? (scope.scheme === 'https' ? 443 : 80));
  const client = scope.client;
  if (client !== undefined) {
    env.REMOTE_ADDR = client[0];
    env.REMOTE_PORT = String(client[1]);
  }
  return env;
}

function hostname(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
