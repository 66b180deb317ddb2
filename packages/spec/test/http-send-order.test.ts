import { describe, expect, it } from 'vitest';
import { HttpSendOrder as O, PagiStateError, httpSendNext, httpSendOrderError } from '../src/index.js';

/** protocol.md §5.1 written out as prose rules, to hold the compiled table to. */
function reference(state: number, event: number, trailers: boolean): number {
  if (event === O.START) return state === O.INIT ? O.STARTED : -1;
  if (event === O.BODY) return state === O.STARTED ? O.STARTED : -1;
  if (event === O.FINAL_BODY) return state === O.STARTED ? (trailers ? O.BODY_DONE : O.COMPLETE) : -1;
  return trailers && state === O.BODY_DONE ? O.COMPLETE : -1;
}

describe('httpSendNext', () => {
  it('agrees with §5.1 for every state, event and trailers flag', () => {
    for (const trailers of [false, true])
      for (let state = 0; state < 4; state++)
        for (let event = 0; event < 4; event++)
          expect([state, event, trailers, httpSendNext(state, event, trailers)]).toEqual([
            state,
            event,
            trailers,
            reference(state, event, trailers),
          ]);
  });

  it('names what was expected for every refused transition', () => {
    expect(httpSendOrderError(O.INIT, O.BODY, false).message).toBe(
      "expected 'http.response.start' before 'http.response.body' (state: init)",
    );
    expect(httpSendOrderError(O.STARTED, O.TRAILERS, true).message).toMatch(/final 'http.response.body'/);
    expect(httpSendOrderError(O.STARTED, O.TRAILERS, false).message).toMatch(/declared trailers: true/);
    expect(httpSendOrderError(O.COMPLETE, O.START, false)).toBeInstanceOf(PagiStateError);
  });
});
