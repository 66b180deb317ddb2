import type { Send } from '@pagi/spec';

/** A short plain-text response a bridge answers itself (a 400, 500, 502, …); `text` is ASCII. */
export async function sendPlain(send: Send<'http'>, status: number, text: string): Promise<void> {
  await send({
    type: 'http.response.start',
    status,
    headers: [
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', String(text.length)],
    ],
  });
  await send({ type: 'http.response.body', body: text, more: false });
}
