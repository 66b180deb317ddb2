/** Internal hooks between the client and its result classes; not part of the public API. */
export const kCollect: unique symbol = Symbol('pagi.test.collect');
