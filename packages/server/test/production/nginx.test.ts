import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ensureStopped, fixtureApp, type Spawned, spawnCli } from './harness.js';

function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v nginx']).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

const nginxBin = findNginx();
// A skipped describe block does not print its title in the default reporter: say why here.
if (nginxBin === undefined)
  console.warn('nginx test skipped: no nginx binary installed (apt-get install nginx)');

/** A port that was free a moment ago (nginx cannot bind port 0 and report it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function nginxConfig(dir: string, listenPort: number, upstreamPort: number): string {
  // The same proxy settings docs/deployment.md recommends.
  return `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream pagi { server 127.0.0.1:${upstreamPort}; keepalive 16; }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://pagi;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`;
}

/** Resolves once something accepts on the port, or rejects when nginx exits first. */
function reachable(port: number, child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    child.once('exit', (code) => {
      if (!done) reject(new Error(`nginx exited with ${code}`));
    });
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        done = true;
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        if (!done && child.exitCode === null) setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

describe.skipIf(nginxBin === undefined)('behind nginx (skipped: no nginx binary installed)', () => {
  let pagi: Spawned | undefined;
  let nginx: ChildProcess | undefined;
  let base = '';

  beforeAll(async () => {
    pagi = await spawnCli(['--port', '0', '--workers', '2', '--access-log', 'off', fixtureApp]);
    const upstream = Number(new URL(pagi.url).port);
    const dir = mkdtempSync(join(tmpdir(), 'pagi-nginx-'));
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
    // Retry on the (rare) collision where the probed port was taken before nginx bound it.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, upstream));
      const child = spawn(nginxBin!, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
      try {
        await reachable(port, child);
        nginx = child;
        base = `http://127.0.0.1:${port}`;
        return;
      } catch (error) {
        const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
        if (!/Address already in use/.test(log))
          throw new Error(`nginx failed: ${(error as Error).message}\n${log}`);
      }
    }
    throw new Error('nginx: no free port after 5 attempts');
  });

  afterAll(async () => {
    if (nginx !== undefined && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await ensureStopped(pagi);
  });

  it('passes HTTP through (with the forwarding headers)', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(`${base}/`);
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toMatch(/^hello \d+$/);
    }
    const echo = await request(`${base}/echo`, { method: 'POST', body: 'through the proxy' });
    expect(await echo.body.text()).toBe('through the proxy');
  });

  it('passes a WebSocket through (Upgrade and Connection forwarded)', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('ping through nginx');
    expect(await echoed).toBe('ping through nginx');
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
  });

  it('streams SSE through unbuffered: the first event arrives while the stream stays open', async () => {
    const res = await request(`${base}/events`, { headers: { accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    let text = '';
    for await (const chunk of res.body) {
      text += chunk.toString();
      if (text.includes('data: hello')) break;
    }
    expect(text).toContain('event: greeting');
    res.body.destroy();
  });
});
