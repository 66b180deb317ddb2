import express from 'express';
import { expect, test } from 'vitest';
import { fromNodeHandler } from '../src/index.js';
import { serve } from './support/serve.js';

test('smoke', async () => {
  const web = express();
  web.get('/', (_req, res) => { res.send('hello'); });
  web.post('/json', express.json(), (req, res) => { res.json({ got: req.body }); });
  const { url, close } = await serve(fromNodeHandler(web));
  try {
    const r = await fetch(`${url}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('hello');
    console.log([...r.headers]);
    const j = await fetch(`${url}/json`, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } });
    expect(await j.json()).toEqual({ got: { a: 1 } });
    const n = await fetch(`${url}/nope`);
    expect(n.status).toBe(404);
  } finally { await close(); }
});
