export { notFound, type NotFoundBody, type NotFoundOptions } from './not-found.js';
