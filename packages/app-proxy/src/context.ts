/** What every scope handler of one proxy shares: its options and its undici dispatcher. */
import { Agent, type Dispatcher } from 'undici';
import type { ResolvedOptions } from './options.js';

export class ProxyContext {
  private agent: Dispatcher | undefined;

  constructor(readonly options: ResolvedOptions) {}

  /** The dispatcher given in the options, or this proxy's own Agent, made on first use. */
  dispatcher(): Dispatcher {
    if (this.options.dispatcher !== undefined) return this.options.dispatcher;
    this.agent ??= new Agent({
      connect: { timeout: this.options.connectTimeout },
      headersTimeout: this.options.headersTimeout,
      bodyTimeout: this.options.idleTimeout,
    });
    return this.agent;
  }

  /** Closes this proxy's own Agent (lifespan shutdown); a given dispatcher is the caller's to close. */
  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (agent !== undefined) await agent.close();
  }
}
