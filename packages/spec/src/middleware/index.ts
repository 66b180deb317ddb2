/**
 * `@pagi/spec/middleware`: the kit every middleware is built on, with no runtime dependencies.
 * One shape (`name(options?)` returns `(app) => app`), composed once with {@link compose}.
 */
export { compose } from '../compose.js';
export { wrapReceive, wrapSend } from '../wrap.js';
export {
  appendHeader,
  appendVary,
  concatHeader,
  concatHeaders,
  deleteHeader,
  getHeader,
  getHeaderValues,
  hasHeader,
  setHeader,
} from '../header-list.js';
export { acceptsEncoding, preferredEncoding, preferredMediaType } from '../accept.js';
export { HttpError, type HttpErrorOptions, statusPhrase } from '../http-error.js';
export { named } from './named.js';
export { defineMiddleware, type ScopeHandler, type ScopeHandlers } from './define.js';
export { when } from './when.js';
export { mount } from './mount.js';
export { respond, type ConnectionType, type RespondOptions } from './respond.js';
export { refuseScope } from './refuse-scope.js';
export { editHeaders, type StartEvent } from './edit-headers.js';
export { HeaderListMemo } from './header-memo.js';
export { scopeKey, withKey, ScopeKey, SCOPE_KEYS_SLOT, type ScopeKeyEntry } from './scope-key.js';
export {
  transformBody,
  type BodyTransform,
  type Chunks,
  type FileBodyEvent,
  type FileBodyReader,
  type TransformPlan,
  type TransformBodyOptions,
} from './transform-body.js';
export { bufferBody, type BufferBodyOptions, type BufferedResponse } from './buffer-body.js';
export { readBody, type ReadBody, type ReadBodyOptions } from './read-body.js';
export { isUntransformable } from './response-skip.js';
export { SESSION, type Session, type SessionData } from './keys/session.js';
export { AUTH, type AuthInfo } from './keys/auth.js';
export { pathPrefixMatcher } from './path-prefix.js';
