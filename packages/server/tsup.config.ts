import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts keeps its `#!/usr/bin/env node` line; esbuild preserves a leading hashbang.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  target: 'node20',
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
});
