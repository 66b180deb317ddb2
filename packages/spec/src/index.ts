export * from './types.js';
export * from './errors.js';
export * from './event-types.js';
export * from './disconnect.js';
export * from './close-codes.js';
export * from './path.js';
