// The same Hono hello world on @pagi/server through fromFetchHandler as documented (built dist):
// the default swaps in the lightweight global Response, as @hono/node-server does with its own.
import { fromFetchHandler } from '@pagi/wrap-legacy';
import { honoHello } from './legacy-apps.mjs';
import { servePagi } from './serve-pagi.mjs';

await servePagi(fromFetchHandler(honoHello().fetch));
