// Shared tsup settings for every publishable package: ESM for Node 20, declarations, source
// maps, a clean dist/. A package passes only what differs (usually its extra entries).
export function pagiTsup(overrides = {}) {
  return {
    entry: ['src/index.ts'],
    format: ['esm'],
    target: 'node20',
    dts: true,
    sourcemap: true,
    clean: true,
    ...overrides,
  };
}
