import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { findImportCycles } from '../../../../tooling/scripts/check-import-cycles.mjs';

describe('packages/server/src', () => {
  it('has no import cycles (type-only imports included), so every file reads top to bottom', () => {
    const src = fileURLToPath(new URL('../../src', import.meta.url));
    expect(findImportCycles(src) as string[][]).toEqual([]);
  });
});
