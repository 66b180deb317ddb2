import {
  type App,
  type HttpScope,
  isPagiError,
  PagiStateError,
  type Receive,
  type Send,
  UnsupportedScopeError,
} from '@pagi/spec';
import type { HttpError } from '../errors.js';
import { Request, type RequestOptions } from '../request/request.js';
import { Response } from '../response/response.js';

/** What a handler may return: a Response to send, or nothing when it sent the response itself. */
export type HandlerResult = Response | undefined | void;

/** A method handler on an {@link HttpEndpoint} subclass. */
export type HttpHandler = (req: Request) => HandlerResult | Promise<HandlerResult>;

const VERBS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;

/**
 * Starlette-style class endpoint: define `get`, `post`, … as methods. A new instance serves each
 * request, so per-request fields on `this` are safe. Unknown methods get 405 with `Allow`, HEAD
 * falls back to `get`, OPTIONS without a handler gets 204 with `Allow`. An {@link HttpError}
 * thrown before the response started becomes that response. Upload temp files are removed when
 * the handler settles.
 *
 * @example
 * class Users extends HttpEndpoint {
 *   async get(req: Request) { return Response.json(await db.users(req.params.id)); }
 *   async post(req: Request) { return Response.json(await db.add(await req.json()), { status: 201 }); }
 * }
 * router.route('/users/:id', Users.asApp());
 */
export abstract class HttpEndpoint {
  /** The request scope. */
  readonly scope: HttpScope;
  readonly receive: Receive<'http'>;
  readonly send: Send<'http'>;

  /** Options for the Request each handler gets (limits, tempDir). */
  static requestOptions: RequestOptions = {};

  constructor(scope: HttpScope, receive: Receive<'http'>, send: Send<'http'>) {
    this.scope = scope;
    this.receive = receive;
    this.send = send;
  }

  /** The endpoint class as a PAGI app. */
  static asApp<T extends HttpEndpoint>(
    this: (new (
      scope: HttpScope,
      receive: Receive<'http'>,
      send: Send<'http'>,
    ) => T) & { requestOptions: RequestOptions },
  ): App {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass being turned into an app.
    const Endpoint = this;
    return async function httpEndpoint(scope, receive, send) {
      if (scope.type !== 'http') throw new UnsupportedScopeError(scope.type);
      const endpoint = new Endpoint(scope, receive as Receive<'http'>, send as Send<'http'>);
      await endpoint.dispatch(new Request(scope, receive, Endpoint.requestOptions));
    };
  }

  /** The methods this endpoint answers, sorted: defined verbs, HEAD with GET, and OPTIONS. */
  allowedMethods(): string[] {
    const out = new Set<string>(['OPTIONS']);
    for (const verb of VERBS) if (this.#handler(verb)) out.add(verb.toUpperCase());
    if (out.has('GET')) out.add('HEAD');
    return [...out].sort();
  }

  /** Runs the handler for `req.method`; override to add cross-cutting behaviour. */
  async dispatch(req: Request): Promise<void> {
    try {
      const verb = req.method.toLowerCase();
      let handler = this.#handler(verb);
      if (!handler && verb === 'head') handler = this.#handler('get');
      let result: HandlerResult;
      if (handler) {
        result = await handler.call(this, req);
      } else if (verb === 'options') {
        result = Response.empty(204).header('allow', this.allowedMethods().join(', '));
      } else {
        result = Response.text('Method Not Allowed', { status: 405 }).header(
          'allow',
          this.allowedMethods().join(', '),
        );
      }
      if (result instanceof Response) {
        await result.send(this.scope, this.receive, this.send);
      } else if (result !== undefined) {
        throw new PagiStateError(
          `expected ${req.method} handler to return a Response or nothing, got ${typeof result}`,
        );
      } else if (!this.scope['pagi.connection']?.response_started()) {
        throw new PagiStateError(
          `expected ${req.method} handler to return a Response or send one, got neither`,
        );
      }
    } catch (error) {
      if (!isHttpError(error) || this.scope['pagi.connection']?.response_started()) throw error;
      await httpErrorResponse(error).send(this.scope, this.receive, this.send);
    } finally {
      await req.cleanup();
    }
  }

  #handler(verb: string): HttpHandler | undefined {
    const fn = (this as unknown as Record<string, unknown>)[verb];
    return typeof fn === 'function' ? (fn as HttpHandler) : undefined;
  }
}

/**
 * Turns an endpoint class into an app; the same as `Endpoint.asApp()`.
 *
 * @example
 * const app = toApp(Users);
 */
export function toApp(endpoint: { asApp(): App }): App {
  return endpoint.asApp();
}

function isHttpError(error: unknown): error is HttpError {
  return isPagiError(error) && error.code === 'PAGI_ERR_HTTP';
}

/**
 * The plain-text response for an {@link HttpError}: its status, `detail` as the body, its headers.
 *
 * @example
 * catch (e) { if (e instanceof HttpError) await httpErrorResponse(e).send(scope, receive, send); }
 */
export function httpErrorResponse(error: HttpError): Response {
  return Response.text(error.detail, { status: error.status, headers: error.headers });
}
