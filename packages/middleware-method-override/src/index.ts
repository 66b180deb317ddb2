import { checkHeader, type HttpScope, type Middleware, PagiValidationError } from '@pagi/spec';
import { defineMiddleware, getHeader, readBody, scopeKey, withKey } from '@pagi/spec/middleware';

/** The method the client really sent (`POST`), for inner apps whose request was overridden. */
export const ORIGINAL_METHOD = scopeKey<string>('original_method');

export interface MethodOverrideOptions {
  /** Header naming the method; `false` to ignore headers. Default `x-http-method-override`. */
  header?: string | false;
  /** Form field naming the method in `application/x-www-form-urlencoded` bodies; `false` to ignore bodies. Default `_method`. */
  field?: string | false;
  /**
   * Largest form body read for `field`, in bytes. A form with a larger or unknown
   * (`content-length`-less) size is passed on without looking at it. Default `65536`.
   */
  formLimit?: number;
  /** Methods a POST may become (case-insensitive). Default `['PUT', 'PATCH', 'DELETE']`. */
  methods?: readonly string[];
}

const KNOWN: ReadonlySet<string> = new Set(['header', 'field', 'formLimit', 'methods']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORM = /^\s*application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** The override named by a form body, or `undefined`. */
function fieldValue(body: Uint8Array, field: string): string | undefined {
  return new URLSearchParams(new TextDecoder().decode(body)).get(field) ?? undefined;
}

/**
 * Lets an HTML form (which can only GET and POST) act as PUT, PATCH or DELETE: a POST whose
 * `header` or form `field` names a method in `methods` reaches the inner app with `scope.method`
 * set to it (uppercase) and the original method in {@link ORIGINAL_METHOD}. The header wins over
 * the field. Anything else (a GET, a method not allowed such as `GET` or `CONNECT`, a value that
 * is not a method) passes on unchanged. The form body is read at most `formLimit` bytes and
 * replayed to the inner app in full (it reads it as if nobody had).
 *
 * @throws PagiValidationError for an unknown option or a bad value, when called.
 * @example
 * const app = compose(methodOverride({ methods: ['PUT', 'DELETE'] }))(router.app);
 * // <form method="post"><input type="hidden" name="_method" value="DELETE"> … </form>
 */
export function methodOverride(options: MethodOverrideOptions = {}): Middleware {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new PagiValidationError(`methodOverride(): unknown option '${key}'`);
  }
  const header =
    options.header === false ? undefined : checkHeader(options.header ?? 'x-http-method-override', 'x');
  const field = options.field === false ? undefined : (options.field ?? '_method');
  if (field !== undefined && (typeof field !== 'string' || field === '')) {
    throw new PagiValidationError(
      `methodOverride(): expected field to be a non-empty string or false, got ${JSON.stringify(field)}`,
    );
  }
  const formLimit = options.formLimit ?? 65_536;
  if (!Number.isSafeInteger(formLimit) || formLimit < 0) {
    throw new PagiValidationError(
      `methodOverride(): expected formLimit to be a whole number of bytes, got ${String(formLimit)}`,
    );
  }
  const list = options.methods ?? ['PUT', 'PATCH', 'DELETE'];
  if (!Array.isArray(list) || list.some((m) => typeof m !== 'string' || !TOKEN.test(m))) {
    throw new PagiValidationError(
      `methodOverride(): expected methods to be a list of method names, got ${JSON.stringify(list)}`,
    );
  }
  const methods = new Set(list.map((m) => m.toUpperCase()));
  for (const never of ['GET', 'HEAD', 'POST', 'CONNECT', 'TRACE']) {
    if (methods.has(never)) {
      throw new PagiValidationError(
        `methodOverride(): ${never} cannot be an override target (a POST carries a body and side effects)`,
      );
    }
  }
  if (header === undefined && field === undefined) {
    throw new PagiValidationError('methodOverride(): header and field are both false: nothing to read');
  }

  /** The allowed override, or `undefined`. */
  const allowed = (value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const method = value.trim().toUpperCase();
    return methods.has(method) ? method : undefined;
  };
  const overridden = (scope: HttpScope, method: string): HttpScope => {
    const copy = withKey(scope, ORIGINAL_METHOD, scope.method);
    copy.method = method; // the copy is ours; the caller's scope is untouched
    return copy;
  };

  return defineMiddleware('methodOverride', {
    http: async (scope, receive, send, app) => {
      if (scope.method !== 'POST') return app(scope, receive, send);
      const fromHeader = header === undefined ? undefined : allowed(getHeader(scope.headers, header));
      if (fromHeader !== undefined) return app(overridden(scope, fromHeader), receive, send);
      if (field === undefined || !FORM.test(getHeader(scope.headers, 'content-type') ?? '')) {
        return app(scope, receive, send);
      }
      const declared = getHeader(scope.headers, 'content-length');
      if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) > formLimit) {
        return app(scope, receive, send);
      }
      const read = await readBody(scope, receive, { limit: formLimit });
      const fromField = read.disconnected ? undefined : allowed(fieldValue(read.body, field));
      return app(fromField === undefined ? scope : overridden(scope, fromField), read.receive, send);
    },
  });
}
