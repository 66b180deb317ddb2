import { describeConformance } from '../src/describe-conformance.js';
import { inProcess } from '../src/in-process.js';

describeConformance('in-process (@pagi/test)', inProcess, {
  knownDivergences: {
    // Divergence (test client): D-14 makes only a GET an sse scope, and the server follows it, so
    // a POST carrying `Accept: text/event-stream` reaches the app as http. `TestClient.sse(path,
    // { method: 'POST' })` still builds an sse scope, so a test can pass in-process for a stream
    // no server would ever open. Not fixed here: packages/helpers' tests use POST sse() today.
    'D-14: only a GET becomes an sse scope, also for an SSE client using POST':
      'TestClient.sse() with a non-GET method builds an sse scope; the server gives http',
  },
});
