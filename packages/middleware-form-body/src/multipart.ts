import { once } from 'node:events';
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { HttpError } from '@pagi/spec/middleware';
import busboy from 'busboy';
import type { TempDir } from './temp-dir.js';
import { addEntry, emptyForm, type FormBody, type FormFile, type FormLimits } from './types.js';

const tooLarge = (limit: number, what: string): HttpError =>
  new HttpError(413, { detail: `expected a ${what} of at most ${limit} bytes, got more` });

/**
 * Parses a `multipart/form-data` body with busboy, pulling chunks only as fast as the parser and
 * the spool files take them. On the first failure the parser is destroyed, the rest of the body
 * is left unread, and the error propagates; the caller removes the temp directory.
 * This approach follows `@pagi/helpers`' form parser; it lives here too because busboy is a
 * dependency and the middleware may depend only on `@pagi/spec`.
 */
export async function parseMultipart(
  contentType: string,
  chunks: AsyncIterable<Uint8Array>,
  limits: FormLimits,
  temp: TempDir,
): Promise<FormBody> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      // preservePath false (the default): a file name keeps only its last path segment.
      limits: {
        fileSize: limits.maxFileSize,
        files: limits.maxFiles,
        fields: limits.maxFields,
        fieldSize: limits.maxFieldSize,
        parts: limits.maxParts,
        // busboy bounds each part's header block itself, at 2000 lines and 16 KiB (a 400 past
        // the size); its `headerPairs` limit applies to the request headers only, not to parts.
      },
    });
  } catch {
    throw new HttpError(400, { detail: 'expected a multipart boundary in the content type, got none' });
  }

  let failure: unknown;
  let rejectFailed: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => {});
  const fail = (error: unknown): void => {
    if (failure !== undefined) return;
    failure = error;
    rejectFailed(error);
    parser.destroy();
  };

  const form = emptyForm();
  // Files are added once all are spooled, in body order (spools of one name may finish out of order).
  const pending: Array<Promise<FormFile>> = [];
  const names: string[] = [];
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(tooLarge(limits.maxFieldSize, `value for form field '${name}'`));
    else addEntry(form.fields, name, value);
  });
  parser.on('file', (name, stream, info) => {
    // Stop the whole parse at the first byte past the limit instead of draining the part.
    stream.once('limit', () => fail(tooLarge(limits.maxFileSize, `file for form field '${name}'`)));
    const file = spool(stream, info, limits, temp);
    file.catch(fail);
    pending.push(file);
    names.push(name);
  });
  parser.on('partsLimit', () =>
    fail(new HttpError(413, { detail: `expected at most ${limits.maxParts} form parts, got more` })),
  );
  parser.on('filesLimit', () =>
    fail(new HttpError(413, { detail: `expected at most ${limits.maxFiles} files, got more` })),
  );
  parser.on('fieldsLimit', () =>
    fail(new HttpError(413, { detail: `expected at most ${limits.maxFields} form fields, got more` })),
  );
  // busboy's messages name the grammar rule broken ("Malformed part header"), never body bytes.
  parser.on('error', (error: Error) => {
    fail(new HttpError(400, { detail: `expected a well-formed multipart body: ${error.message}` }));
  });
  const closed = once(parser, 'close');
  closed.catch(() => {});

  try {
    for await (const chunk of chunks) {
      if (failure !== undefined) break;
      if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), failed]);
    }
    if (failure === undefined) {
      parser.end();
      await Promise.race([closed, failed]);
    }
    const files = await Promise.race([Promise.all(pending), failed]);
    if (failure !== undefined) throw failure;
    for (let i = 0; i < files.length; i++) addEntry(form.files, names[i] as string, files[i] as FormFile);
    return form;
  } catch (error) {
    // A failure in the body source (413, disconnect) must also stop the parser.
    fail(error);
    await Promise.allSettled(pending);
    throw failure;
  }
}

async function spool(
  stream: Readable,
  info: busboy.FileInfo,
  limits: FormLimits,
  temp: TempDir,
): Promise<FormFile> {
  const parts: Buffer[] = [];
  let size = 0;
  let handle: FileHandle | undefined;
  let path: string | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (handle !== undefined) {
        await handle.write(chunk);
        continue;
      }
      parts.push(chunk);
      if (size > limits.spoolThreshold) {
        path = await temp.newPath();
        // 'wx' refuses to follow a planted file or symlink; 0o600 keeps uploads private.
        handle = await open(path, 'wx', 0o600);
        for (const p of parts) await handle.write(p);
        parts.length = 0;
      }
    }
  } finally {
    await handle?.close();
  }
  // busboy stops at fileSize, marks the stream truncated and discards the rest of the part.
  if ((stream as Readable & { truncated?: boolean }).truncated) {
    throw tooLarge(limits.maxFileSize, 'file');
  }
  const file: FormFile = {
    filename: info.filename ?? '',
    contentType: info.mimeType || 'application/octet-stream',
    size,
  };
  if (path === undefined) file.bytes = Buffer.concat(parts);
  else file.path = path;
  return file;
}
