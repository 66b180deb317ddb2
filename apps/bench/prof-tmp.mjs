import { Session } from 'node:inspector/promises';
import { spawn } from 'node:child_process';
import { createServer as createHttp } from 'node:http';
const which = process.argv[2];
let url, close;
if (which === 'node') {
  const srv = createHttp((_q, res) => { res.writeHead(200, ['content-type', 'text/plain', 'content-length', '13']); res.end('Hello, World!'); });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${srv.address().port}/`; close = () => srv.close();
} else {
  const { createServer } = await import('@pagi/server');
  const headers = [['content-type', 'text/plain']];
  const app = async (scope, _r, send) => {
    await send({ type: 'http.response.start', status: 200, headers });
    await send({ type: 'http.response.body', body: 'Hello, World!' });
  };
  const server = createServer(app, { port: 0, lifespan: 'off' });
  await server.listen(); url = server.url + '/'; close = () => server.close();
}
const s = new Session(); s.connect();
await s.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const out = await new Promise((r) => { let o=''; const c = spawn('wrk', ['-t1', '-c50', '-d2s', url]); c.stdout.on('data', d => o += d); c.on('exit', () => r(o)); });
const { profile } = await s.post('HeapProfiler.stopSampling');
const reqs = Number(/(\d+) requests in/.exec(out)[1]);
const m = new Map(); let total = 0;
(function walk(n) { const self = n.selfSize; total += self; const k = `${n.callFrame.functionName||'(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; m.set(k,(m.get(k)??0)+self); for (const c of n.children) walk(c); })(profile.head);
console.log(which, 'bytes/request', (total / reqs).toFixed(0));
if (process.argv[3]) for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((t/reqs).toFixed(0).padStart(6), k);
await close(); process.exit(0);
