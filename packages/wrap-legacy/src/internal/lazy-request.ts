/**
 * A `Request` that is only built when the handler needs more than `url` and `method`.
 *
 * Why: constructing a WHATWG `Request` (with its `Headers`, `AbortSignal` and body stream) costs
 * more than a whole hello-world route in Hono, which reads only `url` and `method` to route.
 * This object inherits from `Request.prototype` (`instanceof Request` holds) and answers `url`,
 * `method` and `signal` itself; any other property or method builds the real `Request` once and
 * forwards to it.
 */
const kReal = Symbol('pagi.realRequest');
const kInit = Symbol('pagi.requestInit');
const kUrl = Symbol('pagi.url');

interface LazyInit {
  method: string;
  signal: AbortSignal;
  /** Builds the headers and body only when the real Request is needed. */
  build(): RequestInit & { duplex?: 'half' };
}

interface LazyRequestShape {
  [kUrl]: string;
  [kInit]: LazyInit;
  [kReal]: Request | undefined;
}

function real(self: LazyRequestShape): Request {
  let request = self[kReal];
  if (request === undefined) {
    request = new Request(self[kUrl], self[kInit].build());
    self[kReal] = request;
  }
  return request;
}

const proto: object = Object.create(Request.prototype);
for (const name of Object.getOwnPropertyNames(Request.prototype)) {
  if (name === 'constructor' || name === 'url' || name === 'method' || name === 'signal') continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, name);
  if (descriptor === undefined) continue;
  if (typeof descriptor.value === 'function') {
    Object.defineProperty(proto, name, {
      value(this: LazyRequestShape, ...args: unknown[]) {
        const request = real(this) as unknown as Record<string, (...a: unknown[]) => unknown>;
        return request[name]?.(...args);
      },
      writable: true,
      configurable: true,
    });
  } else if (descriptor.get !== undefined) {
    Object.defineProperty(proto, name, {
      get(this: LazyRequestShape) {
        return (real(this) as unknown as Record<string, unknown>)[name];
      },
      configurable: true,
    });
  }
}
Object.defineProperties(proto, {
  url: {
    get(this: LazyRequestShape) {
      return this[kUrl];
    },
    configurable: true,
  },
  method: {
    get(this: LazyRequestShape) {
      return this[kInit].method;
    },
    configurable: true,
  },
  signal: {
    get(this: LazyRequestShape) {
      return this[kInit].signal;
    },
    configurable: true,
  },
});

/** A `Request` for `url` whose real object is built by `init.build()` on first need. */
export function lazyRequest(url: string, init: LazyInit): Request {
  const self = Object.create(proto) as LazyRequestShape;
  self[kUrl] = url;
  self[kInit] = init;
  self[kReal] = undefined;
  return self as unknown as Request;
}
