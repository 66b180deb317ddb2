/**
 * `@pagi/helpers`: camelCase helpers over PAGI's `scope/receive/send` — Request, Response,
 * WebSocket, EventStream (SSE), Lifespan hooks and Starlette-style endpoint classes.
 */
export {
  ClientDisconnectError,
  HttpError,
  type HttpErrorOptions,
  statusPhrase,
  WebSocketError,
} from './errors.js';
export type { HeaderInit } from './internal/headers.js';
export { FormData, type FormValue } from './request/form-data.js';
export type { FormLimits } from './request/form-parser.js';
export {
  type AcceptEntry,
  negotiateEncoding,
  negotiateLanguage,
  negotiateType,
  normalizeType,
  parseAccept,
} from './request/negotiate.js';
export {
  type JsonLimits,
  REQUEST_DEFAULTS,
  Request,
  type RequestOptions,
  request,
} from './request/request.js';
export { UploadedFile } from './request/uploaded-file.js';
// Range parsing lives in @pagi/spec (one definition, shared with the middleware); re-exported.
export { type ByteRange, parseRange } from '@pagi/spec';
export { type CookieOptions, Response, type ResponseInit } from './response/response.js';
export type { FileOptions } from './response/send-file.js';
export {
  type AcceptOptions,
  parseJsonMessage,
  WebSocket,
  type WebSocketMessage,
  type WebSocketState,
} from './websocket/websocket.js';
export { EventStream, type EventStreamState, type ServerSentEvent } from './sse/event-stream.js';
export { Lifespan, type LifespanHook, type LifespanHooks, lifespan } from './lifespan/lifespan.js';
export {
  type HandlerResult,
  HttpEndpoint,
  type HttpHandler,
  httpErrorResponse,
  toApp,
} from './endpoint/http-endpoint.js';
export { type WebSocketEncoding, WebSocketEndpoint } from './endpoint/websocket-endpoint.js';
export { SseEndpoint } from './endpoint/sse-endpoint.js';
