/**
 * @pagi/app-cascade: static files first; what the folder does not have goes to the next app.
 * Run: `npx pnpm@10.34.8 --filter @pagi/examples run start:cascade`, then
 *   curl localhost:8000/hello.txt   → the file from ./files
 *   curl localhost:8000/time        → the dynamic app (the file app answered 404 first)
 *   curl -X POST -d hi localhost:8000/echo → "echo: hi" (the body is replayed to the 2nd app)
 */
import { fileURLToPath } from 'node:url';
import { cascade } from '@pagi/app-cascade';
import { notFound } from '@pagi/app-not-found';
import { fileApp } from '@pagi/middleware-static';

/** @type {import('@pagi/spec').App} */
async function dynamic(scope, receive, send) {
  if (scope.type !== 'http') return notFound()(scope, receive, send);
  let text;
  if (scope.path === '/time') text = `${new Date().toISOString()}\n`;
  else if (scope.path === '/echo') {
    let body = '';
    for (;;) {
      const event = await receive();
      if (event.type !== 'http.request') break;
      body += Buffer.from(event.body).toString();
      if (!event.more) break;
    }
    text = `echo: ${body}\n`;
  } else return notFound()(scope, receive, send);
  await send({
    type: 'http.response.start',
    status: 200,
    headers: [['content-type', 'text/plain; charset=utf-8']],
  });
  await send({ type: 'http.response.body', body: text });
}

// fileApp answers 405 to POST: the cascade goes on to the dynamic app, as for a 404.
export default cascade([fileApp(fileURLToPath(new URL('./files', import.meta.url))), dynamic]);
