// Shared Vitest settings: resolve workspace packages to their TypeScript source through the
// "@pagi/source" export condition, so tests never depend on a stale dist/ build.
export const pagiVitest = {
  resolve: { conditions: ['@pagi/source'] },
  ssr: { resolve: { conditions: ['@pagi/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
};
