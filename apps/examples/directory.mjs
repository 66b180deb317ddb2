/**
 * directoryApp of @pagi/middleware-static (upstream App::Directory): ./files with listings.
 * Run: `npx pnpm@10.34.8 --filter @pagi/examples run start:directory`, then open
 *   http://localhost:8000/docs/              → an HTML listing (the dotfile is hidden)
 *   curl 'localhost:8000/docs/?format=json'  → the same as JSON
 */
import { fileURLToPath } from 'node:url';
import { directoryApp } from '@pagi/middleware-static';

export default directoryApp(fileURLToPath(new URL('./files', import.meta.url)));
