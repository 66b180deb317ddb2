import busboy from 'busboy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMultipart } from './multipart.js';

interface Parsed {
  fields: [string, string][];
  files: { name: string; filename: string; mimeType: string; content: Buffer }[];
}

/** Parses a body with busboy, the parser most Node servers use. */
function parse(body: Buffer, contentType: string): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    const out: Parsed = { fields: [], files: [] };
    const bb = busboy({ headers: { 'content-type': contentType } });
    bb.on('field', (name, value) => out.fields.push([name, value]));
    bb.on('file', (name, stream, info) => {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () =>
        out.files.push({
          name,
          filename: info.filename ?? '',
          mimeType: info.mimeType,
          content: Buffer.concat(parts),
        }),
      );
    });
    bb.on('close', () => resolve(out));
    bb.on('error', reject);
    bb.end(body);
  });
}

describe('encodeMultipart (RFC 7578)', () => {
  it('encodes fields and files that busboy reads back exactly', async () => {
    const bytes = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255]);
    const { body, contentType } = encodeMultipart(
      { title: 'hello', tag: ['a', 'b'] },
      {
        doc: { filename: 'notes.txt', content: 'line 1\r\nline 2', contentType: 'text/plain' },
        blobs: [
          { filename: 'a.bin', content: bytes },
          { filename: 'b.bin', content: '' },
        ],
      },
    );
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const parsed = await parse(body, contentType);
    expect(parsed.fields).toEqual([
      ['title', 'hello'],
      ['tag', 'a'],
      ['tag', 'b'],
    ]);
    expect(parsed.files).toEqual([
      {
        name: 'doc',
        filename: 'notes.txt',
        mimeType: 'text/plain',
        content: Buffer.from('line 1\r\nline 2'),
      },
      { name: 'blobs', filename: 'a.bin', mimeType: 'application/octet-stream', content: bytes },
      { name: 'blobs', filename: 'b.bin', mimeType: 'application/octet-stream', content: Buffer.alloc(0) },
    ]);
  });

  it('escapes quotes and line breaks in names so they cannot break the part header', async () => {
    const { body, contentType } = encodeMultipart(undefined, {
      'we"ird\r\nx': { filename: 'a"b\nc.txt', content: 'x' },
    });
    expect(body.toString('latin1')).toContain('name="we%22ird%0D%0Ax"; filename="a%22b%0Ac.txt"');
    const parsed = await parse(body, contentType);
    expect(parsed.files).toHaveLength(1);
  });

  it('refuses a content type with CR/LF', () => {
    expect(() =>
      encodeMultipart(undefined, { f: { filename: 'a', content: '', contentType: 'a\r\nx: y' } }),
    ).toThrow(/contentType: expected no CR\/LF/);
  });

  it('round-trips any content; the boundary never appears inside it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        async (content, text) => {
          const { body, contentType } = encodeMultipart({ t: text }, { f: { filename: 'f', content } });
          const boundary = contentType.split('boundary=')[1] as string;
          expect(Buffer.from(content).includes(boundary)).toBe(false);
          const parsed = await parse(body, contentType);
          expect(parsed.files[0]?.content).toEqual(Buffer.from(content));
          expect(parsed.fields).toEqual([['t', text]]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
