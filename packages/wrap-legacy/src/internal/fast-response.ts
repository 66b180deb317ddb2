import { isNullBodyStatus } from './null-body-status.js';

/**
 * A lightweight `Response` for fetch handlers behind fromFetchHandler (the approach of
 * @hono/node-server's `response.ts`): a `new Response('text')` keeps its status, body and headers
 * as given, and the real undici `Response` (whose string body becomes a `ReadableStream`) is only
 * built when something reads what only it has (`body`, `text()`, `clone()`, ...). The bridge
 * reads the kept state directly and sends the body as one `http.response.body` event.
 *
 * Same observable behaviour as the real one: anything the real constructor would reject (a bad
 * status, a body on a null-body status, a `statusText`, an init that is not a plain object) builds
 * the real one at once, so the same exception is thrown at the same place; headers are copied into
 * a `Headers` at construction (validated and detached from the caller's object, as the real one
 * does); `instanceof Response` holds for both kinds.
 */
/** The runtime's own Response, as it was when this module loaded. */
export const NativeResponse: typeof Response = globalThis.Response;

type ResponseBody = ConstructorParameters<typeof Response>[0];

/** What the bridge sends without building the real Response. */
export interface FastResponseState {
  readonly status: number;
  readonly body: string | Uint8Array | null;
  /** undefined until someone asked for `headers` or the init carried some. */
  headers: Headers | undefined;
}

export class FastResponse {
  #body: ResponseBody;
  #state: FastResponseState | undefined;
  #native: Response | undefined;

  /** The kept state, or undefined when `response` is not a lightweight one still holding it. */
  static stateOf(response: object): FastResponseState | undefined {
    return #state in response ? response.#state : undefined;
  }

  constructor(body?: ResponseBody, init?: ResponseInit) {
    this.#body = body;
    const status = init?.status ?? 200;
    if (
      (body == null || typeof body === 'string' || body instanceof Uint8Array) &&
      (init === undefined || Object.getPrototypeOf(init) === Object.prototype) &&
      init?.statusText === undefined &&
      Number.isInteger(status) &&
      status >= 200 &&
      status <= 599 &&
      !(body != null && isNullBodyStatus(status))
    ) {
      const headers = init?.headers === undefined ? undefined : new Headers(init.headers);
      if (headers !== undefined && body != null && !headers.has('content-type') && typeof body === 'string')
        headers.set('content-type', 'text/plain;charset=UTF-8');
      this.#state = { status, body: body ?? null, headers };
    } else {
      this.#native = new NativeResponse(body, init);
    }
  }

  /** The real Response; the kept state is dropped, so the bridge reads this one from now on. */
  #real(): Response {
    if (this.#native !== undefined) return this.#native;
    const state = this.#state as FastResponseState;
    this.#state = undefined;
    this.#native = new NativeResponse(this.#body, { status: state.status, headers: this.#headersOf(state) });
    return this.#native;
  }

  #headersOf(state: FastResponseState): Headers {
    state.headers ??= new Headers(
      typeof state.body === 'string' ? [['content-type', 'text/plain;charset=UTF-8']] : undefined,
    );
    return state.headers;
  }

  /** The real Response behind `response` (built now if it was not yet). */
  static realOf(response: FastResponse): Response {
    return response.#real();
  }

  get headers(): Headers {
    const state = this.#state;
    return state !== undefined ? this.#headersOf(state) : this.#real().headers;
  }

  get status(): number {
    return this.#state?.status ?? this.#real().status;
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status < 300;
  }
}

for (const name of ['body', 'bodyUsed', 'redirected', 'statusText', 'type', 'url'] as const) {
  Object.defineProperty(FastResponse.prototype, name, {
    get(this: FastResponse) {
      return FastResponse.realOf(this)[name];
    },
  });
}
for (const name of ['arrayBuffer', 'blob', 'bytes', 'clone', 'formData', 'json', 'text'] as const) {
  Object.defineProperty(FastResponse.prototype, name, {
    value(this: FastResponse) {
      const real = FastResponse.realOf(this) as unknown as Record<string, () => unknown>;
      return real[name]?.call(real);
    },
  });
}
// `x instanceof Response` after installFastResponse(): true for real Responses too; a subclass
// of the swapped-in global checks against itself.
Object.defineProperty(FastResponse, Symbol.hasInstance, {
  value(this: unknown, instance: unknown): boolean {
    if (this === FastResponse) return instance instanceof NativeResponse;
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  },
});
Object.setPrototypeOf(FastResponse, NativeResponse);
Object.setPrototypeOf(FastResponse.prototype, NativeResponse.prototype);
