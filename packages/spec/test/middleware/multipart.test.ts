import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PagiStateError } from '../../src/errors.js';
import { HttpError } from '../../src/http-error.js';
import {
  type MultipartLimits,
  type MultipartParserConfig,
  readMultipart,
  SpoolDir,
} from '../../src/middleware/node.js';

/**
 * A stand-in for busboy that reads one JSON event per written chunk — `{ field: [name, value] }`,
 * `{ file: [name, content, filename], truncated? }` or `{ error: message }` — so the reader's own
 * logic (order, spooling, failures) is tested without a real multipart grammar. The real parser
 * runs in `@pagi/helpers`' and `@pagi/middleware-form-body`'s suites.
 */
class FakeParser extends Writable {
  destroyedWith: Error | undefined;
  constructor(readonly config: MultipartParserConfig) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: (error?: Error) => void): void {
    const event = JSON.parse(chunk.toString());
    if (event.field) {
      const [name, value] = event.field;
      this.emit('field', name, value, { valueTruncated: value.length > this.config.limits.fieldSize });
    } else if (event.file) {
      const [name, content, filename] = event.file;
      const stream = Readable.from([Buffer.from(content)]) as Readable & { truncated?: boolean };
      stream.truncated = event.truncated === true;
      this.emit('file', name, stream, { filename, mimeType: '' });
    } else if (event.error) {
      this.emit('error', new Error(event.error));
    }
    done();
  }
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.destroyedWith = error ?? undefined;
    done();
  }
}

const limits: MultipartLimits = {
  maxFileSize: 1024,
  maxFiles: 10,
  maxFields: 10,
  maxFieldSize: 16,
  maxParts: 20,
  spoolThreshold: 8,
};

async function* chunksOf(...events: object[]): AsyncGenerator<Uint8Array> {
  for (const event of events) yield Buffer.from(JSON.stringify(event));
}

function run(chunks: AsyncIterable<Uint8Array>, dir = new SpoolDir(tmpdir(), 'pagi-test-')) {
  let parser: FakeParser | undefined;
  const entries = readMultipart(
    (config) => {
      parser = new FakeParser(config);
      return parser;
    },
    'multipart/form-data; boundary=x',
    chunks,
    limits,
    dir,
  );
  return { entries, dir, parser: () => parser as FakeParser };
}

describe('readMultipart', () => {
  it('returns fields and files in body order, small files in memory and large ones spooled', async () => {
    const { entries, dir } = run(
      chunksOf(
        { field: ['a', '1'] },
        { file: ['doc', 'a large upload', 'doc.txt'] },
        { field: ['a', '2'] },
        { file: ['tiny', 'hi', 'x.bin'] },
      ),
    );
    const result = await entries;
    expect(result.map(([name]) => name)).toEqual(['a', 'doc', 'a', 'tiny']);
    expect(result[0]?.[1]).toBe('1');
    const big = result[1]?.[1] as { path: string; size: number; contentType: string };
    expect(big.size).toBe(14);
    expect(big.contentType).toBe('application/octet-stream');
    expect(await readFile(big.path, 'utf8')).toBe('a large upload');
    expect((await stat(big.path)).mode & 0o777).toBe(0o600);
    expect(result[3]?.[1]).toMatchObject({ filename: 'x.bin', size: 2, bytes: Buffer.from('hi') });
    await dir.remove();
    await expect(stat(big.path)).rejects.toThrow(/ENOENT/);
  });

  it('answers 413 naming the field for a value past maxFieldSize', async () => {
    const { entries } = run(chunksOf({ field: ['note', 'x'.repeat(17)] }));
    const error = await entries.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 413 });
    expect((error as HttpError).message).toMatch(/value for form field 'note' of at most 16 bytes/);
  });

  it('answers 413 for a file the parser truncated at maxFileSize', async () => {
    const { entries, dir } = run(chunksOf({ file: ['up', 'cut short', 'a'], truncated: true }));
    await expect(entries).rejects.toMatchObject({ status: 413 });
    await dir.remove();
  });

  it('answers 400 for a malformed body and destroys the parser', async () => {
    const { entries, parser } = run(chunksOf({ error: 'Malformed part header' }, { field: ['late', '1'] }));
    const error = await entries.catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400 });
    expect((error as HttpError).message).toMatch(/well-formed multipart body: Malformed part header/);
    expect(parser().destroyed).toBe(true);
  });

  it('stops the parser and rethrows when the body source fails (a disconnect)', async () => {
    const gone = new Error('client went away');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(JSON.stringify({ field: ['a', '1'] }));
      throw gone;
    }
    const { entries, parser } = run(failing());
    await expect(entries).rejects.toBe(gone);
    expect(parser().destroyedWith).toBe(gone);
  });

  it('answers 400 without echoing the content type when the parser refuses it', async () => {
    const entries = readMultipart(
      () => {
        throw new Error('Multipart: Boundary not found');
      },
      'multipart/form-data; <script>',
      chunksOf(),
      limits,
      new SpoolDir(undefined, 'pagi-test-'),
    );
    const error = await entries.catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400 });
    expect((error as HttpError).message).not.toContain('<script>');
  });
});

describe('SpoolDir', () => {
  it('makes its directory once, on first use, and refuses new paths after remove()', async () => {
    let created = 0;
    const dir = new SpoolDir(undefined, 'pagi-test-', () => created++);
    const first = await dir.newPath();
    const second = await dir.newPath();
    expect(created).toBe(1);
    expect(first).toMatch(/pagi-test-[^/]+\/part-1$/);
    expect(second).toMatch(/part-2$/);
    await Promise.all([dir.remove(), dir.remove()]);
    await expect(dir.newPath()).rejects.toBeInstanceOf(PagiStateError);
  });
});
