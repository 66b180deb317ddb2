import { PagiStateError } from '@pagi/spec';

/**
 * The chat room the lifespan startup hook put into the state. The server copies the lifespan
 * state shallowly into every scope, so `scope.state.room` is the one shared room object.
 *
 * @example
 * const room = roomOf(scope);
 */
export function roomOf(scope) {
  const room = scope.state?.room;
  if (room === undefined) {
    throw new PagiStateError(
      'expected scope.state.room from the lifespan startup hook, got none (is the server running with lifespan off?)',
    );
  }
  return room;
}
