/** One message as a backend stores and delivers it: the per-channel id and the wire string. */
export interface BackendEntry {
  readonly id: number;
  readonly payload: string;
}

/** What `history()` returns: entries newer than `since` (oldest first) and the channel's last id. */
export interface BackendHistory {
  readonly entries: BackendEntry[];
  /** The newest id the channel has handed out (0 if none): lets the layer spot a `since` from before a reset. */
  readonly lastId: number;
}

/** Connection state of a backend; the in-memory backend is always `'ready'` until closed. */
export type BackendStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** Called by a backend for every message on a channel the layer listens to, in id order. */
export type BackendListener = (channel: string, entry: BackendEntry) => void;

/**
 * The interface between a {@link ChannelLayer} and where messages travel. A layer listens at
 * most once per channel and fans out to its own subscribers, so a backend sees one listener per
 * channel per process, however many subscribers there are.
 *
 * Contract (checked by the shared behavioural suite over every backend):
 * - `publish` allocates the next id of the channel (1, 2, 3, … with no gaps), keeps the entry in
 *   the channel's history when `historySize > 0` (the newest `historySize` entries), and
 *   delivers it to every process listening to the channel. It rejects with
 *   `PAGI_ERR_CHANNEL_UNAVAILABLE` in bounded time when it cannot.
 * - `listen` resolves once messages published afterwards are certain to arrive.
 * - After an outage, the backend re-listens by itself and then calls `onStatus('ready')`.
 */
export interface ChannelBackend {
  readonly kind: string;
  readonly status: BackendStatus;
  /** Installs the layer's callbacks; called once, by `createChannelLayer`. */
  attach(onMessage: BackendListener, onStatus: (status: BackendStatus, cause?: unknown) => void): void;
  publish(channel: string, payload: string, historySize: number): Promise<number>;
  listen(channel: string): Promise<void>;
  unlisten(channel: string): Promise<void>;
  history(channel: string, since: number): Promise<BackendHistory>;
  /** The newest id the channel has handed out (0 if none). */
  lastId(channel: string): Promise<number>;
  groupAdd(group: string, member: string): Promise<void>;
  groupDiscard(group: string, member: string): Promise<void>;
  groupMembers(group: string): Promise<string[]>;
  close(): Promise<void>;
}
