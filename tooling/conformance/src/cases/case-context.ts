import type { App } from '@pagi/spec';
import type { ConformanceClient } from '../transport.js';

/** What a group of cases gets: a way to host its app, and `it` (which knows divergences). */
export interface CaseContext {
  /** Installs `app` on the transport and returns the client that reaches it. */
  serve(app: App): ConformanceClient;
  it(name: string, fn: () => Promise<void>): void;
  /** The `http_version` the transport's scopes carry ('1.1' or '2'). */
  readonly httpVersion: string;
}
