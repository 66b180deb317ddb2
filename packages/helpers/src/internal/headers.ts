/**
 * The header rules come from `@pagi/spec` (one lookup and one validation rule for every package,
 * toolkit-parity §8 item 2: the *first* value wins); the names here are the ones this package's
 * modules import.
 */
export {
  checkHeader,
  type HeaderInit,
  toHeaderList,
  getHeader as firstHeader,
  getHeaderValues as allHeaders,
} from '@pagi/spec';
