import type { App } from '@pagi/spec';
import { HttpError } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { describeMiddlewareChecks } from '@pagi/test/vitest';
import { describe, expect, it } from 'vitest';
import { type ErrorReport, errorHandler } from '../src/index.js';

class SecretError extends Error {}

const throwing =
  (error: unknown): App =>
  async () => {
    throw error;
  };

function quiet(): { reports: ErrorReport[]; logged: string[]; logger: (m: string, r: ErrorReport) => void } {
  const reports: ErrorReport[] = [];
  const logged: string[] = [];
  const logger = (message: string, report: ErrorReport): void => {
    logged.push(message);
    reports.push(report);
  };
  return { reports, logged, logger };
}

const secret = new SecretError('db password is hunter2 <b>');

describe('errorHandler: before the response started', () => {
  it('production: a generic JSON body with an error id, nothing of the error, and the id logged', async () => {
    const log = quiet();
    const res = await new TestClient(errorHandler({ logger: log.logger })(throwing(secret))).get('/x', {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(500);
    expect(res.header('content-type')).toBe('application/json; charset=utf-8');
    const body = res.json() as { error: { status: number; message: string; id: string; stack?: string } };
    expect(body.error).toEqual({ status: 500, message: 'Internal Server Error', id: expect.any(String) });
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toContain('SecretError');
    expect(log.logged).toHaveLength(1);
    expect(log.logged[0]).toContain(body.error.id);
    expect(log.reports[0]!.error).toBe(secret);
  });

  it('picks HTML, JSON or text by Accept; */* gets the first of `formats`', async () => {
    const client = new TestClient(errorHandler({ logger: false })(throwing(secret)));
    const html = await client.get('/', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(html.header('content-type')).toBe('text/html; charset=utf-8');
    expect(html.text).toContain('<h1>500 Internal Server Error</h1>');
    const text = await client.get('/', { headers: { accept: 'text/plain' } });
    expect(text.header('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.text.startsWith('500 Internal Server Error\nerror id: ')).toBe(true);
    expect((await client.get('/', { headers: { accept: '*/*' } })).header('content-type')).toMatch(
      /^application\/json/,
    );
    expect((await client.get('/', { headers: { accept: 'image/png' } })).header('content-type')).toMatch(
      /^application\/json/,
    );
    const htmlFirst = new TestClient(
      errorHandler({ logger: false, formats: ['html', 'text'] })(throwing(secret)),
    );
    const res = await htmlFirst.get('/', { headers: { accept: 'application/json' } });
    expect(res.header('content-type')).toMatch(/^text\/html/);
  });

  it('development: message and stack shown, HTML-escaped (no XSS through an error message)', async () => {
    const client = new TestClient(errorHandler({ development: true, logger: false })(throwing(secret)));
    const html = await client.get('/', { headers: { accept: 'text/html' } });
    expect(html.text).toContain('db password is hunter2 &lt;b&gt;');
    expect(html.text).not.toContain('<b>');
    expect(html.text).toMatch(/<pre>[^<]*error-handler\.test\.ts/);
    const json = await client.get('/', { headers: { accept: 'application/json' } });
    const body = json.json() as { error: { message: string; stack: string } };
    expect(body.error.message).toBe('Error: db password is hunter2 <b>');
    expect(body.error.stack).toContain('error-handler.test.ts');
  });

  it('honours an HttpError: its status, headers and detail; 4xx are not logged', async () => {
    const log = quiet();
    const error = new HttpError(429, { detail: 'slow down', headers: { 'retry-after': '7' } });
    const res = await new TestClient(errorHandler({ logger: log.logger })(throwing(error))).get('/', {
      headers: { accept: 'text/plain' },
    });
    expect(res.status).toBe(429);
    expect(res.header('retry-after')).toBe('7');
    expect(res.text).toContain('429 slow down');
    expect(log.logged).toHaveLength(0);
  });

  it('recognises an HttpError from another copy of @pagi/spec by its brand and code, not instanceof', async () => {
    const foreign = Object.assign(new Error('HTTP 404: gone'), {
      code: 'PAGI_ERR_HTTP',
      status: 404,
      detail: 'gone',
      headers: { 'x-why': 'moved' },
      [Symbol.for('pagi.error')]: true,
    });
    expect(foreign instanceof HttpError).toBe(false);
    const res = await new TestClient(errorHandler({ logger: false })(throwing(foreign))).get('/', {
      headers: { accept: 'text/plain' },
    });
    expect(res.status).toBe(404);
    expect(res.header('x-why')).toBe('moved');
    expect(res.text).toContain('404 gone');
  });

  it('uses `status` for errors that are not HttpErrors, and refuses a status outside 400–599', async () => {
    const res = await new TestClient(errorHandler({ status: 503, logger: false })(throwing(secret))).get('/');
    expect(res.status).toBe(503);
    expect(() => errorHandler({ status: 200 })).toThrow(/status 400–599/);
  });

  it('calls onError with the report; a throwing hook or logger does not replace the page', async () => {
    const seen: ErrorReport[] = [];
    const app = errorHandler({
      onError: (r) => {
        seen.push(r);
        throw new Error('hook failed');
      },
      logger: () => {
        throw new Error('logger failed');
      },
    })(throwing(secret));
    const res = await new TestClient(app).get('/p');
    expect(res.status).toBe(500);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ error: secret, status: 500, started: false });
    expect(seen[0]!.scope.path).toBe('/p');
  });
});

describe('errorHandler: after the response started', () => {
  // Upstream ErrorHandler swallowed the error once the response had started, leaving a truncated
  // body that looked complete; here it is re-thrown so the server aborts the response (D-12).
  it('re-throws so the server aborts, and logs it with started: true', async () => {
    const log = quiet();
    const boom = new Error('mid-stream');
    const midway: App = async (scope, _receive, send) => {
      if (scope.type !== 'http') return;
      await send({ type: 'http.response.start', status: 200 });
      await send({ type: 'http.response.body', body: 'part', more: true });
      throw boom;
    };
    await expect(new TestClient(errorHandler({ logger: log.logger })(midway)).get('/')).rejects.toBe(boom);
    expect(log.reports[0]).toMatchObject({ error: boom, started: true, status: undefined });
    expect(log.logged[0]).toContain('aborted');
  });
});

describe('errorHandler: WebSocket and SSE', () => {
  it('declines a WebSocket that failed before accept with 500 (denial extension)', async () => {
    const client = new TestClient(errorHandler({ logger: false })(throwing(secret)), {
      extensions: { 'websocket.http.response': {} },
    });
    const ws = await client.websocket('/ws');
    expect(ws.accepted).toBe(false);
    expect(ws.denial?.status).toBe(500);
  });

  it('closes an accepted WebSocket with 1011 when the app fails', async () => {
    const log = quiet();
    const app: App = async (scope, receive, send) => {
      if (scope.type !== 'websocket') return;
      await receive();
      await send({ type: 'websocket.accept' });
      await receive();
      throw secret;
    };
    const conn = await new TestClient(errorHandler({ logger: log.logger })(app)).websocket('/ws');
    await conn.sendText('go');
    expect((await conn.closed).code).toBe(1011);
    expect(log.reports[0]).toMatchObject({ started: true });
  });

  it('declines an SSE request that failed before sse.start with 500', async () => {
    const client = new TestClient(errorHandler({ logger: false })(throwing(secret)));
    const stream = await client.sse('/events');
    expect(stream.status).toBe(500);
  });
});

describe('errorHandler: options', () => {
  it('refuses unknown options and bad formats when applied', () => {
    expect(() => errorHandler({ developmnet: true } as never)).toThrow(/unknown option 'developmnet'/);
    expect(() => errorHandler({ formats: ['xml'] } as never)).toThrow(/expected formats/);
    expect(() => errorHandler({ formats: [] })).toThrow(/expected formats/);
  });

  it('names its functions for stack traces', () => {
    const mw = errorHandler();
    expect(mw.name).toBe('errorHandler');
    expect(mw(throwing(secret)).name).toBe('errorHandler');
  });
});

describeMiddlewareChecks('errorHandler: the shared middleware checks of @pagi/test', errorHandler(), {
  handles: ['http', 'websocket', 'sse'],
});
