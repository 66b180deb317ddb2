// The floor for proxy.mjs: bare node:http forwarding each GET with undici (no header handling,
// no limits), the least any undici-based proxy can do per request.
import { createServer } from 'node:http';
import { Agent } from 'undici';
import { serving } from './_cpu.mjs';

const agent = new Agent();
const origin = process.env.PROXY_BENCH_TARGET;
const server = createServer({ keepAliveTimeout: 60_000 }, async (req, res) => {
  const up = await agent.request({ origin, path: req.url, method: req.method });
  res.writeHead(up.statusCode, [
    'content-type',
    up.headers['content-type'],
    'content-length',
    up.headers['content-length'],
  ]);
  for await (const chunk of up.body) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
  res.end();
});
server.listen(0, '127.0.0.1', () => serving(server.address().port));
