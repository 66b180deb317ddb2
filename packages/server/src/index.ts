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
