/**
 * @pagi/app-not-found: one HTML 404 page for every URL, the path HTML-escaped.
 * Run: `npx pnpm@10.34.8 --filter @pagi/examples run start:not-found`, then
 *   curl -i 'localhost:8000/<b>x</b>'  → 404 with "&lt;b&gt;x&lt;/b&gt;" in the page
 */
import { notFound } from '@pagi/app-not-found';

export default notFound({
  body: '<!doctype html><title>Not found</title><h1>Not found</h1><p>Nothing at <code>{path}</code>.</p>\n',
  contentType: 'text/html; charset=utf-8',
  headers: { 'cache-control': 'no-store' },
});
