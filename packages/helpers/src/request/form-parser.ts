import { type MultipartLimits, readMultipart, type SpoolDir } from '@pagi/spec/middleware/node';
import busboy from 'busboy';
import { HttpError } from '../errors.js';
import { FormData } from './form-data.js';
import { UploadedFile } from './uploaded-file.js';

/**
 * Limits for form parsing: the multipart reader's (file and field sizes and counts, the spool
 * threshold) and the whole body's. Every one is enforced while bytes arrive, not after.
 */
export interface FormLimits extends MultipartLimits {
  /** Whole body of a urlencoded form, in bytes. */
  maxBodySize: number;
  /** Whole body of a multipart form, in bytes. */
  maxMultipartSize: number;
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
 * Parses a `multipart/form-data` body with busboy through the kit's shared reader
 * (`readMultipart`: limits while bytes arrive, uploads past `spoolThreshold` spooled to `temp`).
 * On any failure the rest of the body is left unread and the error propagates; the caller
 * removes the temp files.
 */
export async function parseMultipart(
  contentType: string,
  chunks: AsyncIterable<Uint8Array>,
  limits: FormLimits,
  temp: SpoolDir,
): Promise<FormData> {
  const form = new FormData();
  for (const [name, value] of await readMultipart(busboy, contentType, chunks, limits, temp)) {
    if (typeof value === 'string') {
      form.append(name, value);
      continue;
    }
    const { bytes, path, ...file } = value;
    form.append(
      name,
      new UploadedFile({ fieldName: name, ...file, ...(path === undefined ? { memory: bytes } : { path }) }),
    );
  }
  return form;
}
