/**
 * fileApp of @pagi/middleware-static (upstream App::File): serves ./files with validators,
 * ranges and safe paths.
 * Run: `npx pnpm@10.34.8 --filter @pagi/examples run start:file`, then
 *   curl localhost:8000/               → files/index.html
 *   curl -r 0-4 localhost:8000/hello.txt → "hello" (206)
 *   curl --path-as-is localhost:8000/../package.json → 400
 */
import { fileURLToPath } from 'node:url';
import { fileApp } from '@pagi/middleware-static';

export default fileApp(fileURLToPath(new URL('./files', import.meta.url)));
