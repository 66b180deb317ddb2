// The line formats live once in @pagi/spec, shared with @pagi/middleware-access-log.
export { clfTime, formatAccessLog } from '@pagi/spec';
