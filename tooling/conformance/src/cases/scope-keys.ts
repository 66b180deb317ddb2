import type { ConnectionScope } from '@pagi/spec';

/** The scope keys every connection scope shares (protocol.md §3.1), copied out for comparison. */
export function commonKeys(scope: ConnectionScope) {
  return {
    type: scope.type,
    pagi: { version: scope.pagi.version, spec_version: scope.pagi.spec_version },
    http_version: scope.http_version,
    scheme: scope.scheme,
    path: scope.path,
    raw_path: scope.raw_path,
    query_string: scope.query_string,
    root_path: scope.root_path,
    headers: scope.headers.map(([n, v]): [string, string] => [n, v]),
    extensions: scope.extensions,
    stateMarker: scope.state?.marker,
    hasTransport: typeof scope['pagi.transport'] === 'object',
    /** `[host, port]` pairs reduced to their types: the values differ by transport. */
    addressTypes: [scope.client, scope.server].map((pair) => pair?.map((part) => typeof part).join(',')),
  };
}
