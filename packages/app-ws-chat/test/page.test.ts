import { createHash } from 'node:crypto';
import { TestClient } from '@pagi/test';
import { describe, expect, it } from 'vitest';
import { chatPage } from '../src/index.js';

describe('chatPage', () => {
  it('serves the page with a CSP that allows exactly its own inline script and style', async () => {
    const client = new TestClient(chatPage({ title: 'Team <chat> & "co"', socket: '/chat/ws' }));
    const res = await client.get('/');
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<title>Team &lt;chat&gt; &amp; &quot;co&quot;</title>');
    expect(res.text).toContain('data-socket="/chat/ws"');
    const csp = res.header('content-security-policy') ?? '';
    const script = /<script>([\s\S]*)<\/script>/.exec(res.text)?.[1] ?? '';
    const digest = createHash('sha256').update(script).digest('base64');
    expect(csp).toContain(`script-src 'sha256-${digest}'`);
    expect(csp).toContain("default-src 'none'");
    // Peers' text is only ever set with textContent / text nodes.
    expect(script).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
  });

  it('answers HEAD without a body, other methods 405, WebSocket 404; refuses unknown options', async () => {
    const client = new TestClient(chatPage());
    const head = await client.request('HEAD', '/');
    expect([head.status, head.text]).toEqual([200, '']);
    const post = await client.post('/', { body: 'x' });
    expect(post.status).toBe(405);
    expect(post.header('allow')).toBe('GET, HEAD');
    expect((await client.websocket('/')).accepted).toBe(false);
    expect(() => chatPage({ room: 'x' } as never)).toThrow(/unknown option 'room'/);
  });
});
