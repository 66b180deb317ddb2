import { PagiError, type PagiErrorOptions } from '@pagi/spec';

/** Every stable code a {@link ChannelError} carries. Codes are never reused once retired. */
export type ChannelErrorCode =
  /** The backend (Redis) cannot be reached: a publish, history read, group change or new subscription failed. */
  | 'PAGI_ERR_CHANNEL_UNAVAILABLE'
  /** A message that cannot be carried: not a string, bytes or JSON value, or over `maxMessageBytes`. */
  | 'PAGI_ERR_CHANNEL_MESSAGE'
  /** A subscriber fell `bufferSize` messages behind under the `'disconnect'` policy; its iterator ends with this. */
  | 'PAGI_ERR_CHANNEL_SLOW_CONSUMER'
  /** A call on a layer after `close()`. */
  | 'PAGI_ERR_CHANNEL_CLOSED'
  /** A bad option or argument: an empty or overlong channel/group name, a non-integer `bufferSize`, … */
  | 'PAGI_ERR_CHANNEL_OPTION';

/**
 * The one error class of `@pagi/channels`. Detect it by `code` with `isPagiError`, not with
 * `instanceof` alone (two copies of the package may be installed).
 *
 * @example
 * try {
 *   await layer.publish('news', { title: 'hello' });
 * } catch (err) {
 *   if (isPagiError(err) && err.code === 'PAGI_ERR_CHANNEL_UNAVAILABLE') res.status = 503;
 *   else throw err;
 * }
 */
export class ChannelError extends PagiError {
  declare readonly code: ChannelErrorCode;

  constructor(code: ChannelErrorCode, message: string, options?: PagiErrorOptions) {
    super(code, message, options);
  }
}
