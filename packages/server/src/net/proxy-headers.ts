/**
 * Reverse-proxy header parsing lives once, in `@pagi/spec` (shared with the reverse-proxy
 * middleware); the server imports it from here.
 */
export {
  type ForwardedHop,
  type ForwardedInfo,
  MAX_HOPS,
  forwardedInfo,
  parseForwarded,
  parseNode,
  parseXForwardedFor,
  trustedForwardedInfo,
} from '@pagi/spec';
