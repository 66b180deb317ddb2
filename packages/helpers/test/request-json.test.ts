import type { App } from '@pagi/spec';
import { UnsupportedScopeError } from '@pagi/spec';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.js';
import { REQUEST_DEFAULTS, Request, type RequestOptions } from '../src/request/request.js';
import { Response } from '../src/response/response.js';

/** An app that answers with the parsed JSON body, or with the HttpError's status and detail. */
function jsonApp(options?: RequestOptions, call: Parameters<Request['json']>[0] = {}): App {
  return async (scope, receive, send) => {
    if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
    try {
      const value = await new Request(scope, receive, options).json(call);
      await Response.json(value).send(scope, receive, send);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      await Response.text(error.detail, { status: error.status }).send(scope, receive, send);
    }
  };
}

const post = (client: TestClient, contentType: string, body: string | Buffer) =>
  client.post('/', { headers: { 'content-type': contentType }, body });

describe('Request.json(): charset (RFC 8259 §8.1)', () => {
  it('accepts no charset and every label of UTF-8', async () => {
    const client = new TestClient(jsonApp());
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset="UTF-8"',
      'application/json;charset=utf8',
      'application/problem+json; charset=unicode-1-1-utf-8',
    ]) {
      const res = await post(client, type, '{"é":[1]}');
      expect(res.status, type).toBe(200);
      expect(res.json()).toEqual({ é: [1] });
    }
  });

  it('answers 415 for any other charset, known or not, like text() does for an unknown one', async () => {
    const client = new TestClient(jsonApp());
    for (const charset of ['iso-8859-1', 'utf-16', 'utf-16le', 'us-ascii', 'nope', '']) {
      const res = await post(client, `application/json; charset=${charset}`, '1');
      expect(res.status, charset).toBe(415);
      expect(res.text).toMatch(/^expected charset utf-8 for a JSON body, got '/);
    }
    // anyContentType skips the media type check only: the bytes are still decoded as UTF-8.
    const loose = new TestClient(jsonApp({}, { anyContentType: true }));
    expect((await post(loose, 'text/plain; charset=latin1', Buffer.from('"caf\xe9"', 'latin1'))).status).toBe(
      415,
    );
    expect((await post(loose, 'text/plain; charset=utf-8', '"café"')).json()).toBe('café');
  });

  it('refuses the charset before reading the body', async () => {
    let pulled = false;
    const app = jsonApp();
    const res = await new TestClient(async (scope, receive, send) =>
      app(
        scope,
        async () => {
          pulled = true;
          return receive();
        },
        send,
      ),
    ).post('/', { headers: { 'content-type': 'application/json; charset=utf-16' }, body: '1' });
    expect(res.status).toBe(415);
    expect(pulled).toBe(false);
  });
});

describe('Request.json(): nesting depth', () => {
  const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

  it('parses bodies up to the default depth of 128 and answers 400 beyond', async () => {
    expect(REQUEST_DEFAULTS.maxJsonDepth).toBe(128);
    const client = new TestClient(jsonApp());
    expect((await post(client, 'application/json', nested(128))).status).toBe(200);
    const deep = await post(client, 'application/json', nested(129));
    expect(deep.status).toBe(400);
    expect(deep.text).toBe('expected a JSON body nested at most 128 deep, got deeper');
    const objects = `${'{"a":'.repeat(129)}1${'}'.repeat(129)}`;
    expect((await post(client, 'application/json', objects)).status).toBe(400);
  });

  it('takes maxJsonDepth from the constructor and per call, and counts nothing inside strings', async () => {
    const narrow = new TestClient(jsonApp({ maxJsonDepth: 2 }));
    expect((await post(narrow, 'application/json', '[{"a":"[[[[{{{{\\"[["}]')).json()).toEqual([
      { a: '[[[[{{{{"[[' },
    ]);
    expect((await post(narrow, 'application/json', '[[[1]]]')).status).toBe(400);
    const perCall = new TestClient(jsonApp({ maxJsonDepth: 2 }, { maxJsonDepth: 3 }));
    expect((await post(perCall, 'application/json', '[[[1]]]')).json()).toEqual([[[1]]]);
  });

  it('refuses a 1 MiB [[[…]]] body without handing it to JSON.parse', async () => {
    const body = nested(512 * 1024);
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
      parsed++;
      return parse(...args);
    }) as typeof JSON.parse;
    try {
      const res = await post(new TestClient(jsonApp()), 'application/json', body);
      expect(res.status).toBe(400);
    } finally {
      JSON.parse = parse;
    }
    expect(parsed).toBe(0);
  });
});
