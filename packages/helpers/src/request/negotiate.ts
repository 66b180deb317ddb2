/**
 * Content negotiation over `Accept`, `Accept-Encoding` and `Accept-Language`
 * (RFC 9110 §12.5). Pure functions, fed raw header values; never throw.
 */
import mime from 'mime-types';

/** One entry of an Accept-style header: the range (lowercase), its weight and its position. */
export interface AcceptEntry {
  value: string;
  q: number;
  index: number;
}

/**
 * Splits an Accept-style header into entries. `q` is clamped to [0, 1]; a malformed `q` counts
 * as 1 (lenient, like browsers); empty elements are skipped.
 *
 * @example
 * parseAccept('text/html;q=0.5, application/json') // [{value:'text/html',q:0.5,index:0}, {value:'application/json',q:1,index:1}]
 */
export function parseAccept(header: string): AcceptEntry[] {
  const out: AcceptEntry[] = [];
  let index = 0;
  for (const element of header.split(',')) {
    const parts = element.split(';');
    const value = (parts[0] ?? '').trim().toLowerCase();
    if (!value) continue;
    let q = 1;
    for (const p of parts.slice(1)) {
      const eq = p.indexOf('=');
      if (eq === -1) continue;
      if (p.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const n = Number(p.slice(eq + 1).trim());
      if (p.slice(eq + 1).trim() !== '' && Number.isFinite(n)) q = Math.min(1, Math.max(0, n));
    }
    out.push({ value, q, index: index++ });
  }
  return out;
}

/**
 * Expands shortcuts (`json`, `html`, `png`) to a media type; full types pass through lowercased.
 *
 * @example
 * normalizeType('json') // 'application/json'
 */
export function normalizeType(type: string): string {
  const t = type.trim().toLowerCase();
  if (t.includes('/')) return t.split(';')[0]!.trim();
  const found = mime.lookup(t);
  return found === false ? `application/${t}` : found;
}

// How specific a media range is for a given type: exact 3, type/* 2, */* 1, no match 0.
function mediaSpecificity(range: string, type: string): number {
  if (range === type) return 3;
  const [rt, rs] = range.split('/');
  const [tt] = type.split('/');
  if (rs === '*' && rt === tt) return 2;
  if (range === '*/*' || range === '*') return 1;
  return 0;
}

interface Candidate<T> {
  offer: T;
  q: number;
  specificity: number;
  offerIndex: number;
}

// The q-value for one offer is the q of the most specific matching range (RFC 9110 §12.5.1),
// so `text/html;q=0, */*` rejects html while still accepting anything else.
function rank<T>(
  offers: readonly T[],
  entries: AcceptEntry[],
  match: (range: string, offer: T) => number,
): Candidate<T> | undefined {
  let best: Candidate<T> | undefined;
  offers.forEach((offer, offerIndex) => {
    let q = -1;
    let specificity = 0;
    for (const e of entries) {
      const s = match(e.value, offer);
      if (s > specificity) {
        specificity = s;
        q = e.q;
      }
    }
    if (q <= 0) return;
    if (!best || q > best.q || (q === best.q && specificity > best.specificity)) {
      best = { offer, q, specificity, offerIndex };
    }
  });
  return best;
}

/**
 * The offered type the client prefers, as the caller spelled it, or `false` when none is
 * acceptable. A missing header accepts anything (the first offer wins).
 *
 * @example
 * negotiateType('text/html;q=0.9, application/json', ['html', 'json']) // 'json'
 */
export function negotiateType(header: string | undefined, offers: readonly string[]): string | false {
  if (offers.length === 0) return false;
  if (header === undefined || header.trim() === '') return offers[0]!;
  const normalized = offers.map(normalizeType);
  const best = rank(
    offers.map((_, i) => i),
    parseAccept(header),
    (range, i) => mediaSpecificity(range, normalized[i]!),
  );
  return best === undefined ? false : offers[best.offer]!;
}

/**
 * The preferred content coding. `identity` is acceptable unless the header rejects it
 * explicitly (`identity;q=0` or `*;q=0`), per RFC 9110 §12.5.3.
 *
 * @example
 * negotiateEncoding('gzip;q=0.5, br', ['gzip', 'br']) // 'br'
 */
export function negotiateEncoding(header: string | undefined, offers: readonly string[]): string | false {
  if (offers.length === 0) return false;
  if (header === undefined) return offers[0]!;
  const entries = parseAccept(header);
  if (!entries.some((e) => e.value === 'identity' || e.value === '*')) {
    entries.push({ value: 'identity', q: 0.001, index: entries.length });
  }
  const best = rank(offers, entries, (range, offer) => {
    const o = offer.toLowerCase();
    if (range === o) return 2;
    return range === '*' ? 1 : 0;
  });
  return best === undefined ? false : best.offer;
}

/**
 * The preferred language, using RFC 4647 basic filtering: the range `en` matches the tag
 * `en-GB`, a more specific range wins, `*` matches anything.
 *
 * @example
 * negotiateLanguage('fr;q=0.5, en', ['fr', 'en-GB']) // 'en-GB'
 */
export function negotiateLanguage(header: string | undefined, offers: readonly string[]): string | false {
  if (offers.length === 0) return false;
  if (header === undefined || header.trim() === '') return offers[0]!;
  const best = rank(offers, parseAccept(header), (range, offer) => {
    const tag = offer.toLowerCase();
    if (range === tag) return 1000;
    if (tag.startsWith(`${range}-`)) return range.length + 1;
    return range === '*' ? 1 : 0;
  });
  return best === undefined ? false : best.offer;
}
