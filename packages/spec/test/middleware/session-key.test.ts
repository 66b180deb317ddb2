import { describe, expect, it } from 'vitest';
import { SESSION, type Session, scopeKey, withKey } from '../../src/middleware/index.js';

describe('SESSION scope key', () => {
  it('is the registered pagi.session key, so any package naming it reads the same value', () => {
    expect(SESSION).toBe(scopeKey<Session>('pagi.session'));
    expect(SESSION.name).toBe('pagi.session');
  });

  it('reads what a middleware set with withKey, undefined otherwise', () => {
    const session = { id: 'x' } as Session;
    const scope = { type: 'http', 'pagi.keys': null };
    expect(SESSION.get(scope)).toBeUndefined();
    expect(SESSION.get(withKey(scope, SESSION, session))).toBe(session);
  });
});
