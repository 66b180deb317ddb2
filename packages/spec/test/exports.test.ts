import { expect, it } from 'vitest';
import * as spec from '../src/index.js';
import * as kit from '../src/middleware/index.js';
import * as kitNode from '../src/middleware/node.js';

// Guards the public surface (house style rule 12): adding or removing an export must be a
// deliberate change to this list.
it('exports exactly the documented runtime names', () => {
  expect(Object.keys(spec).sort()).toEqual(
    [
      'AsyncQueue',
      'CloseCode',
      'HttpError',
      'LifespanStartupError',
      'DISCONNECT_REASONS',
      'ExtensionKeys',
      'HttpEvents',
      'LifespanEvents',
      'MAX_CLOSE_REASON_BYTES',
      'PAGI_SPEC_VERSION',
      'PAGI_VERSION',
      'PagiError',
      'PagiStateError',
      'PagiUnknownEventError',
      'PagiValidationError',
      'SseEvents',
      'UnsupportedScopeError',
      'WebSocketEvents',
      'acceptsEncoding',
      'acceptsEventStream',
      'appendHeader',
      'appendVary',
      'checkHeader',
      'concatBytes',
      'formatSseComment',
      'formatSseMessage',
      'statusPhrase',
      'toHeaderList',
      'compose',
      'createSendValidator',
      'decodePath',
      'deleteHeader',
      'getHeader',
      'getHeaderValues',
      'hasHeader',
      'isDisconnectReason',
      'isPagiError',
      'isReportableCloseCode',
      'isSendableCloseCode',
      'parseSubprotocols',
      'preferredEncoding',
      'setHeader',
      'splitTarget',
      'toBytes',
      'validateHeaderList',
      'validateScope',
      'wrapReceive',
      'wrapSend',
    ].sort(),
  );
});

it('exports exactly the kit names from @pagi/spec/middleware and /middleware/node', () => {
  expect(Object.keys(kit).sort()).toEqual(
    [
      'HttpError',
      'SCOPE_KEYS_SLOT',
      'acceptsEncoding',
      'ScopeKey',
      'appendHeader',
      'appendVary',
      'bufferBody',
      'compose',
      'defineMiddleware',
      'deleteHeader',
      'editHeaders',
      'getHeader',
      'getHeaderValues',
      'hasHeader',
      'isUntransformable',
      'mount',
      'named',
      'preferredEncoding',
      'readBody',
      'respond',
      'scopeKey',
      'setHeader',
      'statusPhrase',
      'transformBody',
      'when',
      'withKey',
      'wrapReceive',
      'wrapSend',
    ].sort(),
  );
  expect(Object.keys(kitNode).sort()).toEqual(['FILE_CHUNK_SIZE', 'readFileBody']);
});
