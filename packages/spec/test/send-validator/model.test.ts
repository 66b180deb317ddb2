/**
 * Model-based property tests: random event sequences run through the validator and through a
 * plain transition table written from protocol.md §5.1–§5.4; every step must agree on the
 * outcome ('send', 'ignore' or the error code), the state name and `finished`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSendValidator, isPagiError, type Scope } from '../../src/index.js';
import { denialScope, httpScope, lifespanScope, sseScope, webSocketScope } from '../fixtures/scopes.js';

type Outcome = 'send' | 'ignore' | 'STATE' | 'UNKNOWN';
/** For each model state and symbol: the outcome, and the next model state when it is 'send'. */
type Table = Record<string, Record<string, Outcome | [Outcome, string]>>;

interface Model {
  scope: () => Scope;
  events: Record<string, object>;
  table: Table;
  initial: string;
  /** The validator's state name for a model state (models may split a state in two). */
  name: (state: string) => string;
  finished: readonly string[];
}

function outcome(run: () => string): Outcome {
  try {
    return run() as Outcome;
  } catch (error) {
    if (!isPagiError(error)) throw error;
    if (error.code === 'PAGI_ERR_STATE') return 'STATE';
    if (error.code === 'PAGI_ERR_UNKNOWN_EVENT') return 'UNKNOWN';
    throw error;
  }
}

function checkModel(model: Model): void {
  const symbols = Object.keys(model.events);
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...symbols), { maxLength: 14 }), (sequence) => {
      const v = createSendValidator(model.scope());
      let state = model.initial;
      for (const symbol of sequence) {
        const rule = model.table[state]![symbol]!;
        const [expected, next] = Array.isArray(rule) ? rule : [rule, state];
        expect(
          outcome(() => v.check(model.events[symbol])),
          `${symbol} in ${state}`,
        ).toBe(expected);
        if (expected === 'send') state = next;
        expect(v.state).toBe(model.name(state));
        expect(v.finished).toBe(model.finished.includes(state));
      }
    }),
    { numRuns: 400 },
  );
}

function row(all: readonly string[], fill: Outcome, overrides: Table[string]): Table[string] {
  const out: Table[string] = {};
  for (const s of all) out[s] = overrides[s] ?? fill;
  return out;
}

describe('send validator agrees with the transition tables', () => {
  const httpEvents = {
    S: { type: 'http.response.start', status: 200 },
    ST: { type: 'http.response.start', status: 200, trailers: true },
    BM: { type: 'http.response.body', body: 'a', more: true },
    BF: { type: 'http.response.body', body: 'b' },
    F: { type: 'http.response.body', file: '/srv/x', more: true },
    T: { type: 'http.response.trailers', headers: [] },
    FF: { type: 'http.fullflush' },
  };
  const httpSyms = Object.keys(httpEvents);
  const httpTable = (flush: Outcome): Table => ({
    init: row(httpSyms, 'STATE', { S: ['send', 'started'], ST: ['send', 'started+t'], FF: flush }),
    started: row(httpSyms, 'STATE', {
      BM: 'send',
      BF: ['send', 'complete'],
      F: ['send', 'complete'],
      FF: flush,
    }),
    'started+t': row(httpSyms, 'STATE', {
      BM: 'send',
      BF: ['send', 'body-done'],
      F: ['send', 'body-done'],
      FF: flush,
    }),
    'body-done': row(httpSyms, 'STATE', { T: ['send', 'complete'], FF: flush }),
    complete: row(httpSyms, 'STATE', { FF: flush }),
  });
  const httpName = (s: string) => (s === 'started+t' ? 'started' : s);

  it('http with fullflush', () => {
    checkModel({
      scope: () => httpScope({ fullflush: {} }),
      events: httpEvents,
      table: httpTable('send'),
      initial: 'init',
      name: httpName,
      finished: ['complete'],
    });
  });

  it('http without fullflush', () => {
    checkModel({
      scope: () => httpScope(),
      events: httpEvents,
      table: httpTable('UNKNOWN'),
      initial: 'init',
      name: httpName,
      finished: ['complete'],
    });
  });

  const wsEvents = {
    A: { type: 'websocket.accept' },
    SND: { type: 'websocket.send', bytes: new Uint8Array([1]) },
    K: { type: 'websocket.keepalive', interval: 1 },
    C: { type: 'websocket.close', code: 1000 },
    DS: { type: 'websocket.http.response.start', status: 403 },
    DBM: { type: 'websocket.http.response.body', body: 'x', more: true },
    DB: { type: 'websocket.http.response.body', body: 'y' },
  };
  const wsSyms = Object.keys(wsEvents);
  const wsTable = (denial: boolean): Table => {
    const d = (o: Outcome | [Outcome, string]) => (denial ? o : 'UNKNOWN');
    return {
      connecting: row(wsSyms, 'STATE', {
        A: ['send', 'open'],
        C: ['send', 'closed-r'],
        DS: d(['send', 'denying']),
        DBM: d('STATE'),
        DB: d('STATE'),
      }),
      open: row(wsSyms, 'STATE', {
        SND: 'send',
        K: 'send',
        C: ['send', 'closed-a'],
        DS: d('ignore'),
        DBM: d('ignore'),
        DB: d('ignore'),
      }),
      'closed-a': row(wsSyms, 'STATE', { C: 'ignore', DS: d('ignore'), DBM: d('ignore'), DB: d('ignore') }),
      'closed-r': row(wsSyms, 'STATE', { C: 'ignore', DS: d('STATE'), DBM: d('STATE'), DB: d('STATE') }),
      denying: row(wsSyms, 'STATE', { DBM: d('send'), DB: d(['send', 'denied']) }),
      denied: row(wsSyms, 'STATE', { C: 'ignore', DS: d('STATE'), DBM: d('STATE'), DB: d('STATE') }),
    };
  };
  const wsName = (s: string) => (s.startsWith('closed') ? 'closed' : s);

  it('websocket with the denial extension', () => {
    checkModel({
      scope: () => denialScope(),
      events: wsEvents,
      table: wsTable(true),
      initial: 'connecting',
      name: wsName,
      finished: ['closed-a', 'closed-r', 'denied'],
    });
  });

  it('websocket without the denial extension', () => {
    checkModel({
      scope: () => webSocketScope(),
      events: wsEvents,
      table: wsTable(false),
      initial: 'connecting',
      name: wsName,
      finished: ['closed-a', 'closed-r', 'denied'],
    });
  });

  it('sse', () => {
    const events = {
      ST: { type: 'sse.start' },
      SE: { type: 'sse.send', data: 'x', id: '1' },
      CM: { type: 'sse.comment', comment: 'c' },
      K: { type: 'sse.keepalive', interval: 5 },
      CL: { type: 'sse.close' },
      DS: { type: 'sse.http.response.start', status: 204 },
      DBM: { type: 'sse.http.response.body', more: true },
      DB: { type: 'sse.http.response.body' },
      FF: { type: 'http.fullflush' },
    };
    const syms = Object.keys(events);
    const unknown = { FF: 'UNKNOWN' as const };
    checkModel({
      scope: () => sseScope({ fullflush: {} }),
      events,
      table: {
        init: row(syms, 'STATE', { ...unknown, ST: ['send', 'streaming'], DS: ['send', 'declining'] }),
        streaming: row(syms, 'STATE', {
          ...unknown,
          SE: 'send',
          CM: 'send',
          K: 'send',
          CL: ['send', 'closed'],
        }),
        closed: row(syms, 'STATE', { ...unknown, CL: 'ignore' }),
        declining: row(syms, 'STATE', { ...unknown, DBM: 'send', DB: ['send', 'done'] }),
        done: row(syms, 'STATE', unknown),
      },
      initial: 'init',
      name: (s) => s,
      finished: ['closed', 'done'],
    });
  });

  it('lifespan', () => {
    const events = {
      SC: { type: 'lifespan.startup.complete' },
      SF: { type: 'lifespan.startup.failed', message: 'x' },
      DC: { type: 'lifespan.shutdown.complete' },
      DF: { type: 'lifespan.shutdown.failed' },
      X: { type: 'lifespan.startup' },
    };
    const syms = Object.keys(events);
    checkModel({
      scope: () => lifespanScope(),
      events,
      table: {
        'startup-pending': row(syms, 'STATE', {
          SC: ['send', 'running'],
          SF: ['send', 'running'],
          X: 'UNKNOWN',
        }),
        running: row(syms, 'STATE', { DC: ['send', 'finished'], DF: ['send', 'finished'], X: 'UNKNOWN' }),
        finished: row(syms, 'STATE', { X: 'UNKNOWN' }),
      },
      initial: 'startup-pending',
      name: (s) => s,
      finished: ['finished'],
    });
  });
});
