import type { App } from '@pagi/spec';
import { type PagiServer, createServer } from '@pagi/server';

/** Starts `app` under @pagi/server on port 0; returns its base URL and a close function. */
export async function serve(
  app: App,
): Promise<{ url: string; server: PagiServer; close: () => Promise<void> }> {
  const server = createServer(app, { port: 0, logLevel: 'silent', lifespan: 'off' } as never);
  await server.listen();
  const url = String(server.url).replace(/\/$/, '');
  return { url, server, close: () => server.close() };
}

/** A logger that records what it was given. */
export function recordingLogger(): {
  lines: { message: string; error: unknown }[];
  logger: (m: string, e?: unknown) => void;
} {
  const lines: { message: string; error: unknown }[] = [];
  return { lines, logger: (message, error) => lines.push({ message, error }) };
}
