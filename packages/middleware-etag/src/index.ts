export { etag, type EtagOptions } from './etag.js';
