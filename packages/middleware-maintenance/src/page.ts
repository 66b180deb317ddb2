import { escapeHtml } from '@pagi/spec';

/** The 503 body: an HTML page, or `{"error":{"status":503,"message":…}}` for JSON clients. */
export function htmlPage(message: string): string {
  const text = escapeHtml(message);
  return (
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>Down for maintenance</title></head>\n' +
    `<body><h1>Down for maintenance</h1>\n<p>${text}</p></body></html>\n`
  );
}

export function jsonPage(message: string): string {
  return JSON.stringify({ error: { status: 503, message } });
}
