import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { expandOptional, parsePattern, signature } from './pattern.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('parsePattern', () => {
  test('splits static segments, keeping the empty segment of a trailing slash', () => {
    expect(parsePattern('/').segments).toEqual([{ kind: 'static', value: '' }]);
    expect(parsePattern('/a/b/').segments.map((s) => s.kind === 'static' && s.value)).toEqual(['a', 'b', '']);
  });

  test('reads plain, typed, regex and optional parameters', () => {
    const { segments, paramNames } = parsePattern('/u/:id<int>/:tag(\\d+|x)/:lang?/:slug<slug>');
    expect(paramNames).toEqual(['id', 'tag', 'lang', 'slug']);
    expect(segments[1]).toMatchObject({
      kind: 'param',
      name: 'id',
      key: '<int>',
      int: true,
      optional: false,
    });
    expect(segments[2]).toMatchObject({ kind: 'param', name: 'tag', key: '(\\d+|x)', int: false });
    expect(segments[3]).toMatchObject({ kind: 'param', name: 'lang', key: '', optional: true, test: null });
    expect(segments[4]).toMatchObject({ kind: 'param', key: '<slug>' });
  });

  test('a regex constraint is anchored to the whole value and may hold nested groups, classes and slashes', () => {
    const seg = parsePattern('/:v((a|b)[)/]+)').segments[0];
    expect(seg?.kind).toBe('param');
    if (seg?.kind !== 'param') return;
    expect(seg.test?.('a)/)')).toBe(true);
    expect(seg.test?.('xa)')).toBe(false);
  });

  test('wildcards and <path> are rest segments', () => {
    expect(parsePattern('/f/*rest').segments[1]).toMatchObject({ kind: 'rest', name: 'rest', key: '*' });
    expect(parsePattern('/f/:p<path>').segments[1]).toMatchObject({ kind: 'rest', name: 'p', key: '<path>' });
  });

  test('a colon after the first character of a segment is literal text', () => {
    expect(parsePattern('/things:batch').segments).toEqual([{ kind: 'static', value: 'things:batch' }]);
  });

  test.each([
    ['users', 'no leading slash'],
    ['/:1abc', 'bad parameter name'],
    ['/:', 'empty parameter name'],
    ['/*', 'wildcard without name'],
    ['/:id<float>', 'unknown type'],
    ['/:id<int', 'unclosed type'],
    ['/:id(\\d+', 'unclosed regex'],
    ['/:id()', 'empty regex'],
    ['/:id([)', 'invalid regex'],
    ['/*rest/x', 'wildcard not last'],
    ['/:p<path>/x', '<path> not last'],
    ['/:p<path>?', 'optional <path>'],
    ['/:a/:a', 'duplicate name'],
    ['/:id.json', 'text after a parameter'],
    ['/:a?/:b?/:c?/:d?/:e?/:f?/:g?', 'too many optional parameters'],
  ])('rejects %s (%s) with PAGI_ERR_ROUTE_SYNTAX', (pattern) => {
    expect(codeOf(() => parsePattern(pattern))).toBe('PAGI_ERR_ROUTE_SYNTAX');
  });

  test('the error message names what was expected and what came', () => {
    expect(() => parsePattern('/:id<float>')).toThrow(
      /expected a parameter type int, uuid, slug or path, got '<float>'/,
    );
  });
});

describe('expandOptional', () => {
  test('gives the form with the parameter first, then the form without it', () => {
    const forms = expandOptional(parsePattern('/:lang?/docs').segments).map(signature);
    expect(forms).toEqual(['/p/sdocs', '/sdocs']);
  });

  test('a pattern of optional parameters only can collapse to /', () => {
    const forms = expandOptional(parsePattern('/:a?').segments).map(signature);
    expect(forms).toEqual(['/p', '/s']);
  });
});

describe('parsePattern properties', () => {
  test('any input either parses or throws a RouterError with PAGI_ERR_ROUTE_SYNTAX, never anything else', () => {
    const alphabet = fc.constantFrom(
      '/',
      ':',
      '*',
      '?',
      '<',
      '>',
      '(',
      ')',
      '[',
      ']',
      '\\',
      'a',
      'id',
      'int',
      '1',
      '.',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(alphabet, { maxLength: 20 }).map((a) => `/${a.join('')}`),
        ),
        (input) => {
          try {
            parsePattern(input);
          } catch (err) {
            expect((err as { name?: string }).name).toBe('RouterError');
            expect((err as { code?: string }).code).toBe('PAGI_ERR_ROUTE_SYNTAX');
          }
        },
      ),
    );
  });

  test('patterns assembled from tokens parse back into those tokens', () => {
    const token = fc.oneof(
      fc.stringMatching(/^[a-z0-9._~-]{1,6}$/).map((text) => ({ text, kind: 'static' })),
      fc.constantFrom('', '<int>', '<uuid>', '<slug>', '(\\d+)').map((t) => ({ text: t, kind: 'param' })),
    );
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 6 }), fc.boolean(), (tokens, withRest) => {
        let source = '';
        tokens.forEach((t, i) => {
          source += t.kind === 'static' ? `/${t.text}` : `/:p${i}${t.text}`;
        });
        if (withRest) source += '/*rest';
        const { segments } = parsePattern(source);
        expect(segments).toHaveLength(tokens.length + (withRest ? 1 : 0));
        tokens.forEach((t, i) => {
          const seg = segments[i]!;
          if (t.kind === 'static') expect(seg).toEqual({ kind: 'static', value: t.text });
          else expect(seg).toMatchObject({ kind: 'param', name: `p${i}`, key: t.text });
        });
        if (withRest) expect(segments.at(-1)).toMatchObject({ kind: 'rest', name: 'rest', key: '*' });
      }),
    );
  });
});
