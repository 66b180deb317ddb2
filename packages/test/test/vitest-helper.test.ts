import type { Middleware } from '@pagi/spec';
import { describeMiddlewareChecks } from '../src/vitest.js';

const passThrough: Middleware = (app) =>
  async function passThrough(scope, receive, send) {
    return app(scope, receive, send);
  };

describeMiddlewareChecks('passThrough (shared checks)', passThrough);
describeMiddlewareChecks('passThrough, streaming check skipped', passThrough, { skip: ['body-streamed'] });
