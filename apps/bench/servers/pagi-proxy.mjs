// @pagi/server (built dist) running @pagi/app-proxy in front of PROXY_BENCH_TARGET.
import { proxy } from '@pagi/app-proxy';
import { createServer } from '@pagi/server';
import { serving } from './_cpu.mjs';

const app = proxy({ target: process.env.PROXY_BENCH_TARGET, onError: () => {} });
const server = createServer(app, { host: '127.0.0.1', port: 0, lifespan: 'off', keepAliveTimeout: 60_000 });
await server.listen();
serving(server.port);
