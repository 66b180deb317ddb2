export { contentLength, type ContentLengthOptions } from './content-length.js';
