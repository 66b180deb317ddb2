/**
 * The error page in three media types. Development pages show the error's message and stack
 * (HTML-escaped); production pages show only the status phrase and the error id, nothing from
 * the error itself.
 */
import { escapeHtml } from '@pagi/spec';

export type ErrorFormat = 'json' | 'html' | 'text';

export const MEDIA_TYPES: Record<ErrorFormat, string> = {
  json: 'application/json',
  html: 'text/html',
  text: 'text/plain',
};

/** What a page shows. `detail` and `stack` are only set when they may be shown. */
export interface ErrorPage {
  status: number;
  /** Short text for the client: the status phrase, an HttpError's detail, or (development) the message. */
  message: string;
  id: string;
  stack?: string;
}

export function renderError(format: ErrorFormat, page: ErrorPage): string {
  switch (format) {
    case 'json':
      return JSON.stringify({
        error: { status: page.status, message: page.message, id: page.id, stack: page.stack },
      });
    case 'text':
      return `${page.status} ${page.message}\nerror id: ${page.id}\n${page.stack === undefined ? '' : `\n${page.stack}\n`}`;
    case 'html': {
      const title = `${page.status} ${escapeHtml(page.message)}`;
      const stack = page.stack === undefined ? '' : `<pre>${escapeHtml(page.stack)}</pre>\n`;
      return (
        `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n` +
        `<body><h1>${title}</h1>\n<p>Error id: <code>${escapeHtml(page.id)}</code></p>\n${stack}</body></html>\n`
      );
    }
  }
}
