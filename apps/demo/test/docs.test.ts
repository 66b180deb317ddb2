import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every `<!-- file: path -->` marker followed by a fenced block: [path, block text]. */
function embeddedFiles(markdown: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /<!-- file: (\S+) -->\n```[a-z]*\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(re)) out.push([m[1]!, m[2]!]);
  return out;
}

describe('docs/writing-middleware.md', () => {
  const doc = readFileSync(join(root, 'docs/writing-middleware.md'), 'utf8');

  it('shows the example middleware exactly as they are tested', () => {
    const files = embeddedFiles(doc);
    expect(files.map(([path]) => path)).toEqual([
      'apps/demo/middleware/security-headers.mjs',
      'apps/demo/middleware/request-timing.mjs',
      'apps/demo/middleware/cors.ts',
      'apps/demo/middleware/gzip.ts',
      'apps/demo/middleware/session.ts',
    ]);
    for (const [path, block] of files) expect(block).toBe(readFileSync(join(root, path), 'utf8'));
  });
});
