/**
 * Storing a response head's fields into an object keyed by name (node:http's header map, HTTP/2's
 * header object), one store site per place.
 *
 * A store whose key changes from call to call is a megamorphic keyed store (a hash-table probe and
 * a map transition looked up anew: ~175–230 instructions per field under callgrind), while an app
 * or a middleware stack sends the same names in the same places response after response. So each
 * of the first {@link FIELD_PLACES} places has a site of its own ({@link storeAtPlace}); each sees
 * one name and V8 compiles it to a plain (transitioning) field store (in process, a head of 7
 * fields + the length: 9,891 → 9,417 instructions against three such sites and a loop). Later
 * places, and a name repeated in the head ({@link seenBefore}), take the caller's general path.
 */

/** How many leading places of a head have a store site of their own. */
export const FIELD_PLACES = 16;

/**
 * Whether `name` is among the names of the flat `[name, value, …]` list `flat` before index
 * `end`: a repeated field told by comparing names (a few pointer compares), not by reading the
 * target object first (a keyed load of a name it does not hold goes to V8's generic lookup).
 */
export function seenBefore(flat: readonly string[], end: number, name: string): boolean {
  for (let j = 0; j < end; j += 2) if (flat[j] === name) return true;
  return false;
}

/** Stores `value` under `name` in `target` from the site of place `place` (see the file comment). */
export function storeAtPlace<V>(target: Record<string, V>, place: number, name: string, value: V): void {
  switch (place) {
    case 0:
      target[name] = value;
      return;
    case 1:
      target[name] = value;
      return;
    case 2:
      target[name] = value;
      return;
    case 3:
      target[name] = value;
      return;
    case 4:
      target[name] = value;
      return;
    case 5:
      target[name] = value;
      return;
    case 6:
      target[name] = value;
      return;
    case 7:
      target[name] = value;
      return;
    case 8:
      target[name] = value;
      return;
    case 9:
      target[name] = value;
      return;
    case 10:
      target[name] = value;
      return;
    case 11:
      target[name] = value;
      return;
    case 12:
      target[name] = value;
      return;
    case 13:
      target[name] = value;
      return;
    case 14:
      target[name] = value;
      return;
    default:
      target[name] = value;
  }
}
