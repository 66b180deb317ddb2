import type { Options } from 'tsup';
export declare function pagiTsup(overrides?: Options): Options;
