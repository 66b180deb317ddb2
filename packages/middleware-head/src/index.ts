export { head, type HeadOptions } from './head.js';
