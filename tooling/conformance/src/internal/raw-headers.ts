import type { HeaderList } from '@pagi/spec';

/** Turns Node's flat `rawHeaders` (`[name, value, name, value, …]`) into lowercase pairs. */
export function fromRawHeaders(raw: string[]): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2)
    out.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
  return out;
}

/** Turns a header record (undici's response shape) into lowercase pairs; arrays repeat the name. */
export function fromHeaderRecord(record: Record<string, string | string[] | undefined>): HeaderList {
  const out: HeaderList = [];
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name.toLowerCase(), v]);
  }
  return out;
}
