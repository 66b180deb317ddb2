import type { Server as HttpServer } from 'node:http';
import type { App } from '@pagi/spec';
import type { ResolvedServerOptions, ServerOptions } from '../options.js';

/** What the process runner needs from a server (`PagiServer` satisfies it). */
export interface ServerLike {
  listen(): Promise<void>;
  close(): Promise<void>;
  readonly connectionCount: number;
  /** Connections `close()` had to cut at the shutdown timeout (the process then exits 4). */
  readonly cutOnShutdown?: number;
  readonly httpServer: HttpServer;
  readonly url: string;
}

/** Everything {@link runServer} needs: resolved options and how to get an app and a server. */
export interface RunConfig {
  options: ResolvedServerOptions;
  /** Imports the app. Called once per process; each worker imports it afresh (new code on SIGHUP). */
  loadApp(): Promise<App>;
  createServer(app: App, options: ServerOptions): ServerLike;
  /** Where the runner's own lines go. Default: the server log stream. */
  log?: (line: string) => void;
}
