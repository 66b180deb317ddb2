import { pagiTsup } from '@pagi/tsconfig/tsup';
import { defineConfig } from 'tsup';

export default defineConfig(
  pagiTsup({
    // cli.ts keeps its `#!/usr/bin/env node` line; esbuild preserves a leading hashbang.
    entry: ['src/index.ts', 'src/cli.ts'],
    dts: { entry: 'src/index.ts' },
  }),
);
