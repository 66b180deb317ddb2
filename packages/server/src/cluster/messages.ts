import type { BoundAddressText } from './types.js';

/** Worker → master. */
export type WorkerMessage =
  | { pagi: 'heartbeat' }
  | { pagi: 'ready'; url: BoundAddressText }
  | { pagi: 'recycle'; served: number }
  | { pagi: 'startup-failed'; message: string };

/** Master → worker. */
export type MasterMessage = { pagi: 'retire' };

/** Narrows an IPC message to one of ours (cluster also delivers its own internal messages). */
export function isPagiMessage(message: unknown): message is WorkerMessage | MasterMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { pagi?: unknown }).pagi === 'string'
  );
}
