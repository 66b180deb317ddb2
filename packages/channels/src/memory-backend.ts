import type {
  BackendEntry,
  BackendHistory,
  BackendListener,
  BackendStatus,
  ChannelBackend,
} from './backend.js';
import { ChannelError } from './errors.js';

interface ChannelState {
  lastId: number;
  history: BackendEntry[];
  listening: boolean;
}

/**
 * The default backend: everything lives in this process (one server worker). Messages are
 * delivered synchronously inside `publish()`. A channel's state (its id counter and history) is
 * dropped once nobody listens and it keeps no history, so publishing to many one-off channels
 * does not grow memory; with `historySize > 0` each channel keeps at most that many entries.
 */
class MemoryBackend implements ChannelBackend {
  readonly kind = 'memory';
  #status: BackendStatus = 'ready';
  #channels = new Map<string, ChannelState>();
  #groups = new Map<string, Set<string>>();
  #onMessage: BackendListener | undefined;

  get status(): BackendStatus {
    return this.#status;
  }

  attach(onMessage: BackendListener): void {
    if (this.#onMessage) {
      throw new ChannelError(
        'PAGI_ERR_CHANNEL_OPTION',
        'expected a fresh backend, got one already used by another layer',
      );
    }
    this.#onMessage = onMessage;
  }

  #state(channel: string): ChannelState {
    let state = this.#channels.get(channel);
    if (!state) {
      state = { lastId: 0, history: [], listening: false };
      this.#channels.set(channel, state);
    }
    return state;
  }

  #forgetIfIdle(channel: string, state: ChannelState): void {
    if (!state.listening && state.history.length === 0) this.#channels.delete(channel);
  }

  async publish(channel: string, payload: string, historySize: number): Promise<number> {
    const state = this.#state(channel);
    const entry: BackendEntry = { id: ++state.lastId, payload };
    if (historySize > 0) {
      state.history.push(entry);
      if (state.history.length > historySize) state.history.splice(0, state.history.length - historySize);
    }
    if (state.listening) this.#onMessage?.(channel, entry);
    else this.#forgetIfIdle(channel, state);
    return entry.id;
  }

  async listen(channel: string): Promise<void> {
    this.#state(channel).listening = true;
  }

  async unlisten(channel: string): Promise<void> {
    const state = this.#channels.get(channel);
    if (!state) return;
    state.listening = false;
    this.#forgetIfIdle(channel, state);
  }

  async history(channel: string, since: number): Promise<BackendHistory> {
    const state = this.#channels.get(channel);
    if (!state) return { entries: [], lastId: 0 };
    return { entries: state.history.filter((entry) => entry.id > since), lastId: state.lastId };
  }

  async lastId(channel: string): Promise<number> {
    return this.#channels.get(channel)?.lastId ?? 0;
  }

  async groupAdd(group: string, member: string): Promise<void> {
    let members = this.#groups.get(group);
    if (!members) {
      members = new Set();
      this.#groups.set(group, members);
    }
    members.add(member);
  }

  async groupDiscard(group: string, member: string): Promise<void> {
    const members = this.#groups.get(group);
    if (!members) return;
    members.delete(member);
    if (members.size === 0) this.#groups.delete(group);
  }

  async groupMembers(group: string): Promise<string[]> {
    return [...(this.#groups.get(group) ?? [])];
  }

  async close(): Promise<void> {
    this.#status = 'closed';
    this.#channels.clear();
    this.#groups.clear();
  }
}

/**
 * The in-process backend (the default of `createChannelLayer`). Use it for one process; with
 * several server workers or machines, use {@link redisBackend} so a publish reaches them all.
 *
 * @example
 * const layer = createChannelLayer({ backend: memoryBackend() });
 */
export function memoryBackend(): ChannelBackend {
  return new MemoryBackend();
}
