import { createServer, type PagiServer } from '@pagi/server';
import type { App } from '@pagi/spec';

/** Starts `app` under @pagi/server on port 0. */
export async function serve(
  app: App,
): Promise<{ url: string; port: number; server: PagiServer; close: () => Promise<void> }> {
  const server = createServer(app, { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
  await server.listen();
  const url = String(server.url).replace(/\/$/, '');
  return { url, port: Number(new URL(url).port), server, close: () => server.close() };
}
