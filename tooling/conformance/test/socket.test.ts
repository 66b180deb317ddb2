import { describeConformance } from '../src/describe-conformance.js';
import { socket } from '../src/socket.js';

describeConformance('socket (@pagi/server)', socket, {
  knownDivergences: {
    // Divergence: D-15 says a receive() made while an earlier one is pending returns that same
    // promise. When body bytes are already buffered, the server's receive() hands back a fresh
    // already-resolved promise per call, so `const a = receive(); const b = receive();` gives two
    // different promises and two different events ('payload', then the empty final chunk): an app
    // that awaits only `b` loses the body. The in-process client returns `a` again.
    'D-15: receive() called twice back to back returns one promise and one event':
      'server: a second receive() before the first settled returns a new promise and the next event',
    // Divergence: protocol.md §4.1.1 says `more` is false on the last body chunk. With a
    // Content-Length body the server reads the final bytes before Node marks the request
    // complete, so it sends them with `more: true` and then an extra empty `http.request` with
    // `more: false`. Apps that read until `!more` still work; an app that reads one event for a
    // small body sees `more: true` and a stray empty event. The in-process client sends the data
    // with `more: false`.
    'http.request: the chunk that completes a content-length body says more false':
      'server: the last Content-Length bytes come with more: true, then an empty more: false event',
    // Divergence: the spec send validator (used by the in-process client, and by the server's
    // own WebSocket and SSE sessions) rejects an uppercase header name (§2.4: names MUST be
    // lowercase). The server's HTTP path has its own header check that accepts uppercase and
    // sends `X-Upper` on the wire, so one server treats the same header list two ways.
    '§2.4: an uppercase response header name rejects with PAGI_ERR_VALIDATION (strict case)':
      'server (http only): http.response.start accepts an uppercase header name; ws/sse reject it',
  },
});
