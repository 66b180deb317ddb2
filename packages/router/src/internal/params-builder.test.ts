import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { paramsBuilder } from './params-builder.js';

const NAME = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((n) => n !== '__proto__');

/** What the builder must return: the reference loop. */
function reference(names: readonly string[], ints: readonly boolean[], values: readonly string[]) {
  const params: Record<string, string | number> = {};
  names.forEach((name, i) => {
    params[name] = ints[i] ? Number(values[i]) : values[i]!;
  });
  return params;
}

describe('paramsBuilder', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  test('builds the same object as the reference loop, ints converted, extra values ignored', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(NAME, fc.boolean(), fc.string()), { selector: ([n]) => n, maxLength: 5 }),
        (entries) => {
          const names = entries.map(([n]) => n);
          const ints = entries.map(([, i]) => i);
          const values = [...entries.map(([, , v]) => v), 'extra'];
          const got = paramsBuilder(names, ints)(values);
          expect(got).toStrictEqual(reference(names, ints, values));
          expect(Object.keys(got)).toEqual(names);
        },
      ),
    );
  });

  test('a fresh object per call', () => {
    const build = paramsBuilder(['id'], [true]);
    const a = build(['42']);
    expect(a).toStrictEqual({ id: 42 });
    expect(build(['42'])).not.toBe(a);
  });

  test('works where code generation from strings is disallowed', () => {
    // What `new Function(...)` does under --disallow-code-generation-from-strings.
    vi.stubGlobal('Function', function disallowed() {
      throw new EvalError('Code generation from strings disallowed for this context');
    });
    const build = paramsBuilder(['a', 'b'], [false, true]);
    expect(build(['x', '7'])).toStrictEqual({ a: 'x', b: 7 });
  });

  test('a parameter named __proto__ never sets the prototype', () => {
    const params = paramsBuilder(['__proto__', 'id'], [false, false])(['x', '1']);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(params.id).toBe('1');
  });
});
