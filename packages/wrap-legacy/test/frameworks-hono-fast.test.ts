/**
 * The whole real-Hono suite again with installFastResponse(): same observable behaviour (status,
 * headers, multiple set-cookie, bodies, streaming, disconnect aborting) on the lightweight path.
 */
import { afterAll } from 'vitest';
import { installFastResponse } from '../src/index.js';

const uninstall = installFastResponse();
afterAll(() => uninstall());
await import('./frameworks-hono.test.js');
