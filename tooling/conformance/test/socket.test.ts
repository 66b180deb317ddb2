import { describeConformance } from '../src/describe-conformance.js';
import { socket } from '../src/socket.js';

describeConformance('socket (@pagi/server)', socket, {
  knownDivergences: {},
});
