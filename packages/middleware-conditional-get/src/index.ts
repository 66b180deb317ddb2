export { conditionalGet, type ConditionalGetOptions } from './conditional-get.js';
