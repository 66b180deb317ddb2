// The same Express 5 hello world on @pagi/server through fromNodeHandler (built dist).
import { fromNodeHandler } from '@pagi/wrap-legacy';
import { expressHello } from './legacy-apps.mjs';
import { servePagi } from './serve-pagi.mjs';

await servePagi(fromNodeHandler(expressHello()));
