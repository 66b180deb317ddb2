import { type HeaderList, validateHeaderList } from '@pagi/spec';

// One header lookup, check and conversion rule for every package: `@pagi/spec`'s.
export {
  getHeader as firstHeader,
  getHeaderValues as allHeaders,
  hasHeader,
  toHeaderList,
} from '@pagi/spec';

/** Every header of `base` whose name `override` does not set, followed by all of `override`. */
export function overrideHeaders(base: HeaderList, override: HeaderList): HeaderList {
  const names = new Set(override.map(([n]) => n));
  return [...base.filter(([n]) => !names.has(n)), ...override];
}

/**
 * Finishes a request header list the way the server builds `scope.headers` (protocol.md §3.7):
 * several `cookie` entries are joined with `"; "` into exactly one, kept where the first was.
 * Then checks byte safety, so a test can never hand the app headers no server would produce.
 */
export function normalizeRequestHeaders(list: HeaderList): HeaderList {
  const cookies = list.filter(([n]) => n === 'cookie').map(([, v]) => v);
  let out = list;
  if (cookies.length > 1) {
    out = [];
    let placed = false;
    for (const entry of list) {
      if (entry[0] !== 'cookie') out.push(entry);
      else if (!placed) {
        out.push(['cookie', cookies.join('; ')]);
        placed = true;
      }
    }
  }
  validateHeaderList(out, 'request header');
  return out;
}
