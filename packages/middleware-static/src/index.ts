export { serveStatic, staticApp, type StaticOptions } from './serve-static.js';
export { serveFile, containedRealPath, type Precompressed, type ServeFileOptions } from './serve-file.js';
export { splitRequestPath, type PathVerdict } from './safe-path.js';
export { directoryApp, fileApp, type DirectoryOptions } from './directory.js';
export type { Listing, ListingEntry } from './listing.js';
