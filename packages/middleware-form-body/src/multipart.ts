import { readMultipart, type SpoolDir } from '@pagi/spec/middleware/node';
import busboy from 'busboy';
import { addEntry, emptyForm, type FormBody, type FormLimits } from './types.js';

/**
 * Parses a `multipart/form-data` body with busboy through the kit's shared reader
 * (`readMultipart`, also behind `@pagi/helpers`' `request.form()`): every limit enforced while
 * bytes arrive, uploads past `spoolThreshold` spooled to `temp`. On the first failure the rest
 * of the body is left unread and the error propagates; the caller removes `temp`.
 */
export async function parseMultipart(
  contentType: string,
  chunks: AsyncIterable<Uint8Array>,
  limits: FormLimits,
  temp: SpoolDir,
): Promise<FormBody> {
  const form = emptyForm();
  for (const [name, value] of await readMultipart(busboy, contentType, chunks, limits, temp)) {
    if (typeof value === 'string') addEntry(form.fields, name, value);
    else addEntry(form.files, name, value);
  }
  return form;
}
