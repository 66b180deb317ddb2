// @pagi/server with fileApp of @pagi/middleware-static for file.mjs: the app sends a `file` body
// event (with validators and safe-path checks), the server streams it.
import { fileApp } from '@pagi/middleware-static';
import { createServer } from '@pagi/server';
import { serving } from './_cpu.mjs';

const server = createServer(fileApp(process.env.BENCH_FILE_ROOT), {
  host: '127.0.0.1',
  port: 0,
  lifespan: 'off',
  logLevel: 'silent',
});
await server.listen();
serving(server.port);
