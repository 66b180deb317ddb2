// The Hono hello world on @pagi/server through fromFetchHandler with
// `overrideGlobalResponse: false`: the real undici Response, its body read as a stream.
import { fromFetchHandler } from '@pagi/wrap-legacy';
import { honoHello } from './legacy-apps.mjs';
import { servePagi } from './serve-pagi.mjs';

await servePagi(fromFetchHandler(honoHello().fetch, { overrideGlobalResponse: false }));
