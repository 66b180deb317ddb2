import { HttpError } from '@pagi/spec/middleware';
import { addEntry, type FormBody, emptyForm } from './types.js';

const utf8 = new TextDecoder('utf-8');

const AMPERSAND = 0x26;

/**
 * Parses an `application/x-www-form-urlencoded` body (WHATWG URL §5.1: `+` is a space) with
 * `URLSearchParams`. 413 past `maxFields` pairs, counted on the bytes first: `URLSearchParams`
 * builds its whole list before it can be iterated, so a 1 MiB `a&a&a…` would otherwise cost
 * half a million entries before the limit could refuse it.
 */
export function parseUrlencoded(body: Uint8Array, maxFields: number): FormBody {
  if (countPairs(body) > maxFields) {
    throw new HttpError(413, { detail: `expected at most ${maxFields} form fields, got more` });
  }
  const form = emptyForm();
  for (const [name, value] of new URLSearchParams(utf8.decode(body))) addEntry(form.fields, name, value);
  return form;
}

/** The number of non-empty `&`-separated sequences: the pairs `URLSearchParams` will produce. */
function countPairs(body: Uint8Array): number {
  let count = 0;
  let inPair = false;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === AMPERSAND) inPair = false;
    else if (!inPair) {
      inPair = true;
      count++;
    }
  }
  return count;
}
