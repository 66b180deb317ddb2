import { type HeaderList, toBytes } from '@pagi/spec';

/**
 * An ordinary HTTP answer given in place of a WebSocket (denial, §4.3) or an SSE stream
 * (decline, §4.4.3): a start event, then body events collected until `more` is not true.
 */
export interface BufferedAnswer {
  status: number;
  headers: HeaderList;
  parts: Buffer[];
}

/** From `websocket.http.response.start` / `sse.http.response.start`. */
export function startAnswer(ev: Record<string, unknown>): BufferedAnswer {
  return {
    status: ev.status as number,
    headers: ((ev.headers as HeaderList | undefined) ?? []).map(([n, v]): [string, string] => [n, v]),
    parts: [],
  };
}

/** Adds one `*.http.response.body` event; true when it was the last one. */
export function appendAnswer(answer: BufferedAnswer, ev: Record<string, unknown>): boolean {
  answer.parts.push(Buffer.from(toBytes(ev.body as Uint8Array | string | undefined)));
  return ev.more !== true;
}
