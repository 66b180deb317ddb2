import { type IncomingMessage, request } from 'node:http';
import type { ConformanceSse, ConformanceSseEvent } from '../transport.js';
import { AsyncQueue } from '@pagi/spec';
import { fromRawHeaders } from './raw-headers.js';
import { SseParser } from './sse-parser.js';

/**
 * An SSE request over a plain `node:http` connection (no agent, so nothing is pooled): an
 * event-stream response is parsed incrementally as it arrives; anything else is a decline and is
 * read in full.
 */
export function socketSse(
  origin: string,
  path: string,
  headers: [string, string][] = [],
  method = 'GET',
): Promise<ConformanceSse> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path,
      method,
      agent: false,
      // Raw array headers stop Node adding its defaults, so Host is given explicitly.
      headers: [['host', url.host], ['accept', 'text/event-stream'], ...headers].flat(),
    });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const list = fromRawHeaders(res.rawHeaders);
      const contentType = res.headers['content-type'] ?? '';
      const events = new AsyncQueue<ConformanceSseEvent>();
      const comments: string[] = [];
      if (!contentType.startsWith('text/event-stream')) {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          events.end();
          resolve({
            status,
            headers: list,
            declined: true,
            body: Buffer.concat(parts),
            next: async () => (await events.next()).value,
            comments,
            disconnect: async () => {},
          });
        });
        res.on('error', reject);
        return;
      }
      const parser = new SseParser();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const item of parser.feed(chunk)) {
          if (item.kind === 'event') events.push(item.event);
          else comments.push(item.text);
        }
      });
      res.on('end', () => events.end());
      // A client-side destroy surfaces here as 'aborted'/'error'; either way the stream is over.
      res.on('error', () => events.end());
      res.on('close', () => events.end());
      resolve({
        status,
        headers: list,
        declined: false,
        body: Buffer.alloc(0),
        next: async () => (await events.next()).value,
        comments,
        async disconnect() {
          req.destroy();
        },
      });
    });
    req.end();
  });
}
