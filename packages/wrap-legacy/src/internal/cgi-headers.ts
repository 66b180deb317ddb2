import type { HeaderList } from '@pagi/spec';
import { WrapLegacyError } from '../errors.js';

/** The parsed header block of a CGI response (RFC 3875 §6.2, §6.3). */
export interface CgiHead {
  status: number;
  headers: HeaderList;
  /** The `Location` value when there is one. */
  location: string | undefined;
  /** true when a `Status` header was given. */
  explicitStatus: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Finds the end of the header block in `buffer`: the index of the first body byte, or -1 when
 * the blank line has not arrived yet. §6.2 lines end in LF; CRLF is accepted too.
 */
export function headerBlockEnd(buffer: Buffer): number {
  for (let i = buffer.indexOf(0x0a); i !== -1; i = buffer.indexOf(0x0a, i + 1)) {
    const next = buffer[i + 1];
    if (next === 0x0a) return i + 2;
    if (next === 0x0d && buffer[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/**
 * Parses the header block (without the blank line). `Status: 404 Not Found` sets the status;
 * without it the status is 302 when there is a `Location` (§6.3.3: a client redirect) and
 * 200 otherwise. Names are lowercased (D-2); a line that is not `name: value` with a token name
 * is a {@link WrapLegacyError} `PAGI_ERR_CGI_HEADERS`, as is a non-3-digit status.
 */
export function parseCgiHead(block: string): CgiHead {
  const headers: HeaderList = [];
  let status: number | undefined;
  let location: string | undefined;
  for (const rawLine of block.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim().toLowerCase();
    if (!TOKEN.test(name))
      throw new WrapLegacyError(
        'PAGI_ERR_CGI_HEADERS',
        `expected a 'Name: value' header line from the CGI program, got ${JSON.stringify(line.slice(0, 80))}`,
      );
    const value = line.slice(colon + 1).trim();
    if (name === 'status') {
      const match = /^([1-5][0-9]{2})(?:\s|$)/.exec(value);
      if (match === null)
        throw new WrapLegacyError(
          'PAGI_ERR_CGI_HEADERS',
          `expected 'Status: <3-digit code> [reason]' from the CGI program, got ${JSON.stringify(value.slice(0, 80))}`,
        );
      status = Number(match[1]);
      continue;
    }
    if (name === 'location') location = value;
    headers.push([name, value]);
  }
  return {
    status: status ?? (location !== undefined ? 302 : 200),
    headers,
    location,
    explicitStatus: status !== undefined,
  };
}
