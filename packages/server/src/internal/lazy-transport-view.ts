import type { TransportState } from '@pagi/spec';

/** Whatever owns the real watermark state (every optional method present) and builds it on first call. */
export interface TransportSource {
  transport(): Required<TransportState>;
}

/**
 * `scope['pagi.transport']` as a one-field object: every method forwards to the owner's watermark
 * state, which the owner builds on first use, so a request or connection that never looks at flow
 * control builds none (CPU per request, memory per idle WebSocket). Shared by HTTP and WebSocket.
 *
 * @example
 * const scope = { ..., 'pagi.transport': new LazyTransportView(exchange) };
 */
export class LazyTransportView implements Required<TransportState> {
  readonly #source: TransportSource;
  constructor(source: TransportSource) {
    this.#source = source;
  }
  buffered_amount(): number {
    return this.#source.transport().buffered_amount();
  }
  high_water_mark(): number | undefined {
    return this.#source.transport().high_water_mark();
  }
  low_water_mark(): number | undefined {
    return this.#source.transport().low_water_mark();
  }
  on_high_water(cb: () => void): void {
    this.#source.transport().on_high_water(cb);
  }
  on_drain(cb: () => void): void {
    this.#source.transport().on_drain(cb);
  }
}
