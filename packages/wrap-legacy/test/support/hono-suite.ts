/**
 * How frameworks-hono.test.ts builds its app: the default (the lightweight global Response), or
 * with `overrideGlobalResponse: false` (frameworks-hono-native.test.ts sets it before importing
 * the suite), so the same tests cover both response paths.
 */
export const honoSuite: { overrideGlobalResponse?: boolean } = {};
