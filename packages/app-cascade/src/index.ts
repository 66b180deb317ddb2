export { cascade, type CascadeOptions } from './cascade.js';
