export interface BundleFixtureOptions {
  /** The calling package's root: the bundle is written below its node_modules/.cache. */
  packageRoot: string;
  /** Packages left out of the bundle (resolved at run time from the package's node_modules). */
  external?: string[];
  /** File-name stem of the bundle; default the entry's base name. */
  name?: string;
}
/** Bundles `entry` into one .mjs a child process can run; resolves to its path. */
export declare function bundleFixture(entry: string, options: BundleFixtureOptions): Promise<string>;
