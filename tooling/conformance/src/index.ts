export { describeConformance, type ConformanceOptions } from './describe-conformance.js';
export { inProcess } from './in-process.js';
export { nodeListener } from './node-listener.js';
export { socket } from './socket.js';
export type {
  ConformanceClient,
  ConformanceMessage,
  ConformanceRequestOptions,
  ConformanceResponse,
  ConformanceSse,
  ConformanceSseEvent,
  ConformanceStream,
  ConformanceWebSocket,
  Transport,
} from './transport.js';
