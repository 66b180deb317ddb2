/**
 * Model-based property test of the matcher: random route tables and random request paths,
 * compared with a naive reference that checks every route and picks the most specific match
 * (static < constrained < plain parameter < wildcard, compared segment by segment).
 */
import { decodePath } from '@pagi/spec';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { Router } from './router.js';

type Kind = 'static' | 'int' | 'plain' | 'rest';
interface Seg {
  kind: Kind;
  text: string;
}

const RANK: Record<Kind, number> = { static: 0, int: 1, plain: 2, rest: 3 };

const segArb: fc.Arbitrary<Seg> = fc.oneof(
  // '' (an empty segment); 'café', '100%' and '%61' need decoding to be equalled (a raw '%61'
  // is 'a'); 'c'…'j' make nodes
  // wider than the in-place list (8 labels), so the first-character buckets are used too.
  fc
    .constantFrom('a', 'b', '1', 'a b', '', 'café', '100%', '%61', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j')
    .map((text) => ({ kind: 'static' as const, text })),
  fc.constant({ kind: 'int' as const, text: '' }),
  fc.constant({ kind: 'plain' as const, text: '' }),
  fc.constant({ kind: 'rest' as const, text: '' }),
);

const routeArb = fc
  .array(segArb, { minLength: 1, maxLength: 4 })
  // A wildcard must be last: cut the route after the first one.
  .map((segs) => {
    const i = segs.findIndex((s) => s.kind === 'rest');
    return i === -1 ? segs : segs.slice(0, i + 1);
  });

function toPattern(segs: Seg[]): string {
  return segs
    .map((s, i) => {
      if (s.kind === 'static') return `/${s.text}`;
      if (s.kind === 'int') return `/:p${i}<int>`;
      if (s.kind === 'plain') return `/:p${i}`;
      return `/*p${i}`;
    })
    .join('');
}

const rawSegArb = fc.constantFrom(
  'a',
  'b',
  '1',
  '22',
  '-3',
  '',
  'a%20b',
  '%61',
  'x%2Fy',
  '%zz',
  'caf%C3%A9',
  'caf\u00e9',
  '100%',
  '100%25',
  '%2561',
  'c',
  'j',
  '%6A',
);
const pathArb = fc.array(rawSegArb, { minLength: 1, maxLength: 5 }).map((segs) => `/${segs.join('/')}`);

/** The reference: does `segs` match the raw path? Returns the rank vector, or undefined. */
function reference(segs: Seg[], raw: string): number[] | undefined {
  const parts = raw.slice(1).split('/');
  const ranks: number[] = [];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (i >= parts.length) return undefined;
    if (s.kind === 'rest') {
      ranks.push(RANK.rest);
      return ranks;
    }
    const value = decodePath(parts[i]!);
    if (s.kind === 'static' && value !== s.text) return undefined;
    if (s.kind === 'plain' && value === '') return undefined;
    if (s.kind === 'int' && !/^-?\d+$/.test(value)) return undefined;
    ranks.push(RANK[s.kind]);
  }
  return segs.length === parts.length ? ranks : undefined;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function matchesModel(routes: fc.Arbitrary<Seg[][]>, paths: fc.Arbitrary<string[]>): void {
  fc.assert(
    fc.property(routes, paths, (routes, paths) => {
      const router = new Router();
      const registered = new Map<string, Seg[]>();
      for (const segs of routes) {
        const pattern = toPattern(segs);
        // Routes that only differ by parameter names conflict; keep the first of each shape.
        const shape = segs.map((s) => `${s.kind}:${s.text}`).join('/');
        if ([...registered.values()].some((r) => r.map((s) => `${s.kind}:${s.text}`).join('/') === shape))
          continue;
        router.get(pattern, async () => {});
        registered.set(pattern, segs);
      }
      for (const path of paths) {
        let best: { pattern: string; ranks: number[] } | undefined;
        for (const [pattern, segs] of registered) {
          const ranks = reference(segs, path);
          if (ranks !== undefined && (best === undefined || compareRanks(ranks, best.ranks) < 0))
            best = { pattern, ranks };
        }
        expect(router.match('GET', path)?.route.pattern, path).toBe(best?.pattern);
      }
    }),
    { numRuns: 500 },
  );
}

test('the tree finds exactly the most specific matching route', () => {
  matchesModel(fc.array(routeArb, { minLength: 1, maxLength: 24 }), fc.array(pathArb, { maxLength: 10 }));
});

test('wide nodes (more static children than the in-place list) match as the model', () => {
  const text = fc.constantFrom('', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', '%61', 'café');
  const seg: fc.Arbitrary<Seg> = fc.oneof(
    { weight: 4, arbitrary: text.map((t) => ({ kind: 'static' as const, text: t })) },
    fc.constant({ kind: 'plain' as const, text: '' }),
  );
  const raw = fc.constantFrom('', 'a', 'b', 'j', 'k', 'l', '%61', '%2561', 'caf%C3%A9', '%6A');
  matchesModel(
    fc.array(fc.array(seg, { minLength: 1, maxLength: 3 }), { minLength: 8, maxLength: 40 }),
    fc.array(
      fc.array(raw, { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`),
      { maxLength: 20 },
    ),
  );
});
