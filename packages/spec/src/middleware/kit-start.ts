/**
 * An `http.response.start` the kit made itself: the start `bufferBody` sends once it has the
 * whole body, and `editHeaders`' copies of such a start. All its fields are known, so a copy
 * with new headers is a constructor call, where an event from an app has to be spread (it may
 * carry fields the kit does not know): a spread of a start cost ~165 instructions per copy
 * (`CloneObjectIC`), a construction a few dozen. Its own enumerable fields are those of the
 * plain event: `type`, `status`, `headers`, `trailers`.
 */
import type { HeaderList, HttpResponseStartEvent } from '../types.js';

export class KitResponseStart implements HttpResponseStartEvent {
  // Declared, assigned in the constructor: field initializers would define each field (a
  // slower store and a shape change more per field) before the constructor sets it.
  declare readonly type: 'http.response.start';
  declare status: number;
  declare headers: HeaderList;
  declare trailers: boolean | undefined;

  constructor(status: number, headers: HeaderList, trailers: boolean | undefined) {
    (this as { type: string }).type = 'http.response.start';
    this.status = status;
    this.headers = headers;
    this.trailers = trailers;
  }
}
