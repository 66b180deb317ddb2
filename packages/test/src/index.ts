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
