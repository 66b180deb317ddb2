/**
 * One `node:zlib` stream per response, driven as a {@link BodyTransform}: each step writes into
 * the stream and resolves, with what the stream produced, when zlib has taken the chunk, so the
 * kit's pump awaits the client (backpressure) before the next chunk goes in and nothing is held
 * beyond zlib's own window.
 */
import {
  type BrotliCompress,
  constants,
  createBrotliCompress,
  createDeflate,
  createGzip,
  type Deflate,
  type Gzip,
} from 'node:zlib';
import type { BodyTransform, Chunks } from '@pagi/spec/middleware';

/** The content codings this package produces (RFC 9110 §8.4.1). */
export type Coding = 'br' | 'gzip' | 'deflate';

export const CODINGS: readonly Coding[] = ['br', 'gzip', 'deflate'];

/** zlib settings, resolved once by the factory. */
export interface EncoderSettings {
  level: number;
  brotliQuality: number;
}

type ZStream = Gzip | Deflate | BrotliCompress;

function open(coding: Coding, settings: EncoderSettings): ZStream {
  switch (coding) {
    case 'gzip':
      return createGzip({ level: settings.level });
    // `deflate` is the zlib format (RFC 1950 around RFC 1951), which createDeflate writes.
    case 'deflate':
      return createDeflate({ level: settings.level });
    case 'br':
      return createBrotliCompress({
        params: { [constants.BROTLI_PARAM_QUALITY]: settings.brotliQuality },
      });
  }
}

/** A flush that emits everything so far as complete blocks the client can decode now. */
function flushKind(coding: Coding): number {
  return coding === 'br' ? constants.BROTLI_OPERATION_FLUSH : constants.Z_SYNC_FLUSH;
}

/** The encoder for one response. */
export function createEncoder(coding: Coding, settings: EncoderSettings): BodyTransform {
  const stream = open(coding, settings);
  const kind = flushKind(coding);
  let out: Buffer[] = [];
  let failure: Error | undefined;
  stream.on('data', (chunk: Buffer) => {
    out.push(chunk);
  });
  // Kept so an error cannot go unhandled; the pending step rejects with it.
  stream.on('error', (error: Error) => {
    failure = error;
  });
  const take = (): Chunks => {
    if (out.length === 0) return undefined;
    const ready = out;
    out = [];
    return ready;
  };
  return {
    write: (chunk) =>
      new Promise<Chunks>((resolve, reject) => {
        stream.write(chunk, (error) => (error ? reject(error) : resolve(take())));
      }),
    flush: () =>
      new Promise<Chunks>((resolve, reject) => {
        stream.flush(kind, () => (failure ? reject(failure) : resolve(take())));
      }),
    end: () =>
      new Promise<Chunks>((resolve, reject) => {
        if (failure !== undefined) return reject(failure);
        stream.once('end', () => resolve(take()));
        stream.once('error', reject);
        stream.end();
      }),
    destroy: () => {
      stream.destroy();
    },
  };
}
