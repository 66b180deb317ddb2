import { once } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { HttpError } from '../errors.js';
import type { TempStore } from '../internal/temp-store.js';
import { tooLarge } from './body-source.js';
import { FormData } from './form-data.js';
import { UploadedFile } from './uploaded-file.js';

/** Limits for form parsing. Every one is enforced while bytes arrive, not after. */
export interface FormLimits {
  /** Whole body of a urlencoded form, in bytes. */
  maxBodySize: number;
  /** Whole body of a multipart form, in bytes. */
  maxMultipartSize: number;
  /** One uploaded file, in bytes. */
  maxFileSize: number;
  /** Number of file parts. */
  maxFiles: number;
  /** Number of text fields. */
  maxFields: number;
  /** One text field value, in bytes. */
  maxFieldSize: number;
  /** Number of parts, files and fields together. */
  maxParts: number;
  /** Uploads up to this size stay in memory; larger ones are spooled to a temp file. */
  spoolThreshold: number;
}

const utf8 = new TextDecoder('utf-8');

/** Parses an `application/x-www-form-urlencoded` body (WHATWG URL §5.1: `+` is a space). */
export function parseUrlencoded(body: Uint8Array, limits: Pick<FormLimits, 'maxFields'>): FormData {
  const form = new FormData();
  let count = 0;
  for (const [name, value] of new URLSearchParams(utf8.decode(body))) {
    if (++count > limits.maxFields) {
      throw new HttpError(413, { detail: `expected at most ${limits.maxFields} form fields, got more` });
    }
    form.append(name, value);
  }
  return form;
}

/**
 * Parses a `multipart/form-data` body with busboy, pulling chunks from `chunks` only as fast as
 * the parser and the spool files take them. On any failure the parser is destroyed, the rest
 * of the body is left unread, and the error propagates; the caller removes the temp files.
 */
export async function parseMultipart(
  contentType: string,
  chunks: AsyncIterable<Uint8Array>,
  limits: FormLimits,
  temp: TempStore,
): Promise<FormData> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      limits: {
        fileSize: limits.maxFileSize,
        files: limits.maxFiles,
        fields: limits.maxFields,
        fieldSize: limits.maxFieldSize,
        parts: limits.maxParts,
      },
    });
  } catch (error) {
    throw new HttpError(400, {
      cause: error,
      detail: `expected a multipart boundary in the content type, got ${contentType}`,
    });
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
    parser.destroy(error instanceof Error ? error : new Error(String(error)));
  };

  const entries: Array<[string, string | Promise<UploadedFile>]> = [];
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) {
      fail(tooLarge(limits.maxFieldSize, `value for form field '${name}'`));
      return;
    }
    entries.push([name, value]);
  });
  parser.on('file', (name, stream, info) => {
    // Stop the whole parse at the first byte past the limit instead of draining the part.
    stream.once('limit', () => fail(tooLarge(limits.maxFileSize, `file for form field '${name}'`)));
    const pending = spool(name, stream, info, limits, temp);
    pending.catch(fail);
    entries.push([name, pending]);
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
  parser.on('error', (error: Error) => {
    fail(
      new HttpError(400, { detail: `expected a well-formed multipart body: ${error.message}`, cause: error }),
    );
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
    const form = new FormData();
    for (const [name, value] of entries) form.append(name, typeof value === 'string' ? value : await value);
    if (failure !== undefined) throw failure;
    return form;
  } catch (error) {
    // A failure in the body source (413, disconnect) must also stop the parser.
    fail(error);
    await Promise.allSettled(entries.map(([, v]) => v));
    throw failure;
  }
}

async function spool(
  fieldName: string,
  stream: Readable,
  info: busboy.FileInfo,
  limits: FormLimits,
  temp: TempStore,
): Promise<UploadedFile> {
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
    throw tooLarge(limits.maxFileSize, `file for form field '${fieldName}'`);
  }
  return new UploadedFile({
    fieldName,
    filename: info.filename ?? '',
    contentType: info.mimeType || 'application/octet-stream',
    size,
    ...(path === undefined ? { memory: Buffer.concat(parts) } : { path }),
  });
}
