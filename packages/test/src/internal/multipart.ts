import { randomBytes } from 'node:crypto';
import { PagiValidationError } from '@pagi/spec';
import type { FileField } from '../options.js';

/**
 * RFC 7578 §4.2 / WHATWG form encoding: inside a quoted `name`/`filename`, `"` becomes `%22` and
 * CR, LF become `%0D`, `%0A`, so a field name can never end the header line or the quoted string.
 */
function quote(text: string): string {
  return `"${text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

function toBuffer(content: Uint8Array | string): Buffer {
  return typeof content === 'string'
    ? Buffer.from(content, 'utf8')
    : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

interface Part {
  headers: string;
  body: Buffer;
}

/**
 * Encodes form fields and files as `multipart/form-data` (RFC 7578). The boundary is random and
 * checked against every part's bytes (RFC 2046 §5.1.1: it must not occur in the content); a
 * collision, astronomically unlikely, just draws another one.
 */
export function encodeMultipart(
  data: Record<string, string | string[]> | undefined,
  files: Record<string, FileField | FileField[]>,
): { body: Buffer; contentType: string } {
  const parts: Part[] = [];
  for (const [name, value] of Object.entries(data ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push({ headers: `content-disposition: form-data; name=${quote(name)}\r\n`, body: toBuffer(v) });
    }
  }
  for (const [name, value] of Object.entries(files)) {
    for (const file of Array.isArray(value) ? value : [value]) {
      if (typeof file.filename !== 'string') {
        throw new PagiValidationError(
          `files.${name}.filename: expected a string, got ${typeof file.filename}`,
        );
      }
      const type = file.contentType ?? 'application/octet-stream';
      if (/[\r\n]/.test(type)) {
        throw new PagiValidationError(
          `files.${name}.contentType: expected no CR/LF, got ${JSON.stringify(type)}`,
        );
      }
      parts.push({
        headers:
          `content-disposition: form-data; name=${quote(name)}; filename=${quote(file.filename)}\r\n` +
          `content-type: ${type}\r\n`,
        body: toBuffer(file.content),
      });
    }
  }
  let boundary: string;
  do boundary = `----pagi-test-${randomBytes(12).toString('hex')}`;
  while (parts.some((p) => p.body.includes(boundary)));
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers}\r\n`, 'utf8'), part.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
