import { describeConformance } from '../src/describe-conformance.js';
import { http2 } from '../src/http2.js';

describeConformance('http2 (@pagi/server --http2, h2c)', http2, {
  knownDivergences: {
    // The cases assert HTTP/1.1's version; over HTTP/2 every scope says '2' (protocol.md §3.2).
    'http scope: keys, path decoding, query, headers, cookie join, version': "http_version is '2'",
    'websocket scope: keys, subprotocols, handshake headers, extensions': "http_version is '2'",
    'sse scope: keys, method, accept header, no pagi.connection': "http_version is '2'",
  },
});
