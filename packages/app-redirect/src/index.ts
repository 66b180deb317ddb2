export { redirect, type RedirectOptions, type RedirectStatus, type RedirectTarget } from './redirect.js';
