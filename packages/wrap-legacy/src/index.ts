export { fromNodeHandler, type NodeHandler, type FromNodeHandlerOptions } from './from-node-handler.js';
export { WrapLegacyError, type WrapLegacyErrorCode } from './errors.js';
export { consoleLogger, type LegacyLogger } from './logger.js';
export { fromFetchHandler, type FetchHandler, type FromFetchHandlerOptions } from './from-fetch-handler.js';
export { toFetchHandler, type ToFetchHandlerOptions } from './to-fetch-handler.js';
export { fromCGI, type FromCgiOptions } from './from-cgi.js';
export { installFastResponse } from './install-fast-response.js';
