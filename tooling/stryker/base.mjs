// Shared StrykerJS settings for the per-package `stryker.config.mjs` files. Mutation testing is
// run by hand (`pnpm mutation`), never in CI: a full run takes minutes per package.
// See docs/mutation-testing.md for the scores, the equivalent mutants and how to run.

/**
 * @param {{ breakAt: number | null }} options `breakAt`: the score under which the run fails.
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function strykerConfig({ breakAt }) {
  return {
    testRunner: 'vitest',
    // pnpm does not hoist the runner next to @stryker-mutator/core, so name it explicitly.
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'vitest.config.ts' },
    // Sources only; src/index.ts is re-exports and tests live next to sources as *.test.ts.
    mutate: ['src/**/*.ts', '!src/**/*.test.ts', '!src/index.ts'],
    coverageAnalysis: 'perTest',
    // The machine is shared: 2 runners at most. Override with --concurrency.
    concurrency: 2,
    // Re-test only mutants whose code or covering tests changed since the last run.
    incremental: true,
    incrementalFile: 'reports/stryker-incremental.json',
    reporters: ['clear-text', 'progress-append-only', 'json'],
    jsonReporter: { fileName: 'reports/mutation.json' },
    thresholds: { high: 95, low: 90, break: breakAt },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
  };
}
