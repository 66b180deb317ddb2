import { IncomingMessage } from 'node:http';
import { rawFieldValue } from './raw-field.js';

/**
 * `req.headers` built only when something other than node's `Expect` check reads it.
 *
 * node's request handler reads `req.headers.expect` on every HTTP/1.1 request, and that first read
 * builds the whole lowercase-keyed headers object from `rawHeaders` (about 4k instructions for a
 * browser's 13 fields). The server builds the scope's header list from `rawHeaders` itself and
 * never reads that object on the plain HTTP path. So until something asks for more, `req.headers`
 * is a proxy that answers `expect` by scanning `rawHeaders` (same value node would see: the
 * fields joined with ', ', RFC 9110 §5.3) and builds node's real object, through node's own getter,
 * on any other use; from then on `req.headers` is node's object itself.
 */
const nodeHeaders = Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'headers');

const kReal: unique symbol = Symbol('pagi.node-headers');

/** The proxy's target: only the request it stands for. */
class Pending {
  constructor(readonly req: IncomingMessage) {}
}

function real(target: Pending): Record<string, string | string[] | undefined> {
  const req = target.req as IncomingMessage & { [kReal]?: boolean };
  req[kReal] = true;
  return nodeHeaders!.get!.call(req) as Record<string, string | string[] | undefined>;
}

const handler: ProxyHandler<Pending> = {
  get(target, key) {
    if (key === 'expect' && (target.req as { [kReal]?: boolean })[kReal] !== true)
      return rawFieldValue(target.req.rawHeaders, 'expect', ', ');
    return real(target)[key as string];
  },
  has: (target, key) => key in real(target),
  ownKeys: (target) => Reflect.ownKeys(real(target)),
  getOwnPropertyDescriptor: (target, key) => Reflect.getOwnPropertyDescriptor(real(target), key),
  set: (target, key, value) => Reflect.set(real(target), key, value),
  deleteProperty: (target, key) => Reflect.deleteProperty(real(target), key),
  defineProperty: (target, key, descriptor) => Reflect.defineProperty(real(target), key, descriptor),
  getPrototypeOf: (target) => Reflect.getPrototypeOf(real(target)),
};

const kPending: unique symbol = Symbol('pagi.headers-pending');

/** Installs the lazy `headers` accessor on `proto` (the server's IncomingMessage class). */
export function installLazyHeaders(proto: object): void {
  if (nodeHeaders?.get === undefined || nodeHeaders.set === undefined) return; // not node's shape: leave node's accessor
  Object.defineProperty(proto, 'headers', {
    configurable: true,
    enumerable: false,
    get(this: IncomingMessage & { [kReal]?: boolean; [kPending]?: object }) {
      if (this[kReal] === true) return nodeHeaders.get!.call(this);
      let pending = this[kPending];
      if (pending === undefined) {
        pending = new Proxy(new Pending(this), handler);
        this[kPending] = pending;
      }
      return pending;
    },
    set(this: IncomingMessage & { [kReal]?: boolean }, value: unknown) {
      this[kReal] = true;
      nodeHeaders.set!.call(this, value);
    },
  });
}
