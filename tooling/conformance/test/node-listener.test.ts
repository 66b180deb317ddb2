import { describeConformance } from '../src/describe-conformance.js';
import { nodeListener } from '../src/node-listener.js';

describeConformance('node listener (@pagi/server createNodeAdapter in node:http)', nodeListener, {
  knownDivergences: {},
});
