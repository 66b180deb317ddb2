import { describeConformance } from '../src/describe-conformance.js';
import { http2 } from '../src/http2.js';

// No known divergences: the scope cases assert the transport's own `http_version` ('2').
describeConformance('http2 (@pagi/server --http2, h2c)', http2);
