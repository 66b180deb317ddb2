export { createServer, PagiServer } from './server.js';
export { resolveOptions, DEFAULT_OPTIONS } from './options.js';
export type {
  ServerOptions,
  ResolvedServerOptions,
  AccessLogFormat,
  LogLevel,
  LifespanMode,
} from './options.js';
export { LifespanStartupError } from '@pagi/spec';
export type { ServerContext, LongLivedConnection, AccessLogEntry, Logger } from './internal/context.js';
export { createNodeAdapter, toNodeListener, toNodeUpgradeListener } from './listener/node-adapter.js';
export type {
  NodeAdapter,
  NodeListenerOptions,
  NodeRequestListener,
  NodeUpgradeListener,
} from './listener/node-adapter.js';
