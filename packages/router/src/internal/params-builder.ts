/**
 * The function that turns a route's captured values into its params object, made once per
 * concrete pattern when the route is registered.
 *
 * Why generated: a params object built by one shared loop (`params[names[i]] = v`) starts empty
 * and grows a key at a time, and that one keyed store sees every route's names, so V8 takes its
 * megamorphic path (~120 instructions per request for one route, ~360 once several routes
 * share it). An object literal with the names written in (`{ "id": v[0] }`) gets a fixed hidden
 * class per route. The names are safe to write into source: the pattern parser accepts only
 * `[A-Za-z_][A-Za-z0-9_]*`, and each is quoted with `JSON.stringify` anyway.
 *
 * Where strings cannot be compiled (`--disallow-code-generation-from-strings`, a CSP), and for
 * a parameter named `__proto__` (a literal would set the prototype), the plain loop is used.
 */
import type { RouteParams } from '../params.js';

/** Builds the params object from the captured values (only the first `names.length` are read). */
export type ParamsBuilder = (values: readonly string[]) => RouteParams;

/**
 * The builder for a concrete pattern with these parameter names (capture order); `ints[i]`
 * converts value `i` to a number (`<int>`).
 *
 * @example
 * paramsBuilder(['id'], [true])(['42']); // { id: 42 }
 */
export function paramsBuilder(names: readonly string[], ints: readonly boolean[]): ParamsBuilder {
  if (!names.includes('__proto__')) {
    const fields = names.map(
      (name, i) => `${JSON.stringify(name)}: ${ints[i] ? `Number(v[${i}])` : `v[${i}]`}`,
    );
    try {
      // `Number` is passed in so the generated code reads a closure variable, not a global.
      return new Function('Number', `return (v) => ({ ${fields.join(', ')} });`)(Number) as ParamsBuilder;
    } catch {
      // Code generation from strings is disallowed here: fall through to the loop.
    }
  }
  return (values) => {
    const params: RouteParams = {};
    for (let i = 0; i < names.length; i++) {
      const v = values[i]!;
      params[names[i]!] = ints[i] ? Number(v) : v;
    }
    return params;
  };
}
