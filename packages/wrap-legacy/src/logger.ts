/**
 * Where a bridge reports what went wrong in the code it wraps: handler exceptions, CGI stderr,
 * timeouts. One call per problem; `error` is a {@link WrapLegacyError} when there is one.
 */
export type LegacyLogger = (message: string, error?: unknown) => void;

/** The default logger: `console.error`. */
export const consoleLogger: LegacyLogger = (message, error) => {
  if (error === undefined) console.error(message);
  else console.error(message, error);
};
