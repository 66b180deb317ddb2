/**
 * The SSE `id:` of a stream over one or more channels: the last id seen on each channel, in the
 * order the channels were named, joined with `.` (`"17"` for one channel, `"17.0.4"` for three).
 * A reconnecting `EventSource` sends the last one back as `Last-Event-ID`, which is all it takes
 * to resume every channel where it stopped.
 */

/** Longest `Last-Event-ID` looked at: more is not an id this app wrote. */
const MAX_ID_LENGTH = 512;
const PART = /^\d{1,15}$/;

/** The per-channel ids in `header`, or undefined when it is absent or not one of ours for `count` channels. */
export function parseStreamId(header: string | undefined, count: number): number[] | undefined {
  if (header === undefined || header.length > MAX_ID_LENGTH) return undefined;
  const parts = header.split('.');
  if (parts.length !== count || !parts.every((part) => PART.test(part))) return undefined;
  return parts.map(Number);
}

export function formatStreamId(ids: readonly number[]): string {
  return ids.join('.');
}
