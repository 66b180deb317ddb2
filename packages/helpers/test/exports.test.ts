import { expect, it } from 'vitest';
import * as helpers from '../src/index.js';

it('keeps the public export surface stable', () => {
  expect(Object.keys(helpers).sort()).toMatchInlineSnapshot(`
    [
      "ClientDisconnectError",
      "EventStream",
      "FormData",
      "HttpEndpoint",
      "HttpError",
      "Lifespan",
      "REQUEST_DEFAULTS",
      "Request",
      "Response",
      "SseEndpoint",
      "UploadedFile",
      "WebSocket",
      "WebSocketEndpoint",
      "WebSocketError",
      "httpErrorResponse",
      "lifespan",
      "negotiateEncoding",
      "negotiateLanguage",
      "negotiateType",
      "normalizeType",
      "parseAccept",
      "parseJsonMessage",
      "parseRange",
      "request",
      "statusPhrase",
      "toApp",
    ]
  `);
});
