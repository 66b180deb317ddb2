export { serveStatic, staticApp, type StaticOptions } from './serve-static.js';
export { serveFile, containedRealPath, type Precompressed, type ServeFileOptions } from './serve-file.js';
export { splitRequestPath, type PathVerdict } from './safe-path.js';
