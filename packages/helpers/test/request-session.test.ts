import type { App } from '@pagi/spec';
import { SESSION, type Session, withKey } from '@pagi/spec/middleware';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { Request } from '../src/request/request.js';
import { Response } from '../src/response/response.js';

/** A stand-in for a session middleware: anything that sets the spec's SESSION key. */
function withSession(session: Session, app: App): App {
  return (scope, receive, send) => app(withKey(scope, SESSION, session), receive, send);
}

const showUser: App = async (scope, receive, send) => {
  if (scope.type !== 'http') return;
  const req = new Request(scope, receive);
  // Typed: Session | undefined, no cast.
  const user = req.session?.get<string>('user') ?? null;
  await Response.json({ user, has: req.session !== undefined }).send(scope, receive, send);
};

describe('Request: session', () => {
  it('is the session the outer middleware set under SESSION', async () => {
    const data = new Map<string, unknown>([['user', 'alice']]);
    const session = { id: 'x', get: (k: string) => data.get(k) } as unknown as Session;
    const res = await new TestClient(withSession(session, showUser)).get('/');
    expect(res.json()).toEqual({ user: 'alice', has: true });
  });

  it('is undefined without a session middleware', async () => {
    const res = await new TestClient(showUser).get('/');
    expect(res.json()).toEqual({ user: null, has: false });
  });
});
