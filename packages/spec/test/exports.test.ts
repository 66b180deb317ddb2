import { expect, it } from 'vitest';
import * as spec from '../src/index.js';

// Guards the public surface (house style rule 12): adding or removing an export must be a
// deliberate change to this list.
it('exports exactly the documented runtime names', () => {
  expect(Object.keys(spec).sort()).toEqual(
    [
      'CloseCode',
      'DISCONNECT_REASONS',
      'ExtensionKeys',
      'HttpEvents',
      'HttpSendOrder',
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
      'acceptsEventStream',
      'appendHeader',
      'compose',
      'createSendValidator',
      'decodePath',
      'deleteHeader',
      'getHeader',
      'getHeaderValues',
      'hasHeader',
      'httpSendNext',
      'httpSendOrderError',
      'isDisconnectReason',
      'isPagiError',
      'isReportableCloseCode',
      'isSendableCloseCode',
      'parseSubprotocols',
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
