// The two legacy hello worlds of legacy.mjs, built the same way for their native server and for
// @pagi/server through @pagi/wrap-legacy.
import express from 'express';
import { Hono } from 'hono';

export function expressHello() {
  const app = express();
  app.get('/', (_req, res) => {
    res.send('Hello, World!');
  });
  return app;
}

export function honoHello() {
  const app = new Hono();
  app.get('/', (c) => c.text('Hello, World!'));
  return app;
}

/** Reports the port to the parent (IPC) and exits on SIGTERM, as every bench server does. */
export function announce(port) {
  process.send?.({ port });
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}
