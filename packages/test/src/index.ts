export { TestClient, type TestableApp } from './test-client.js';
export { TestResponse } from './test-response.js';
export { TestStreamResponse } from './test-stream.js';
export {
  LifespanShutdownError,
  LifespanStartupError,
  TestTimeoutError,
  TestUnexpectedError,
  WebSocketClosedError,
} from './errors.js';
export type {
  BodyInit,
  DisconnectPoint,
  HeaderInit,
  QueryInit,
  RequestOptions,
  SseOptions,
  TestClientOptions,
  WebSocketOptions,
} from './options.js';
export { TestWebSocket } from './test-websocket.js';
export { TestSse, type SseEvent } from './test-sse.js';
export { CookieJar, type CookieSetOptions, type StoredCookie } from './cookie-jar.js';
export { TooManyRedirectsError } from './errors.js';
export type { FileField } from './options.js';
export type { FlowStats } from './internal/flow-gate.js';
export {
  MIDDLEWARE_CHECKS,
  MiddlewareCheckError,
  type MiddlewareCheckName,
  type MiddlewareCheckOptions,
  type MiddlewareCheckResult,
  type MiddlewareScopeType,
  checkMiddleware,
  runMiddlewareCheck,
  runMiddlewareChecks,
} from './middleware-checks.js';
