import { type Extensions, type HeaderList, PagiValidationError } from '@pagi/spec';
import type { TestClientOptions } from '../options.js';
import { toHeaderList } from './headers.js';

/** The client options with every default filled in, resolved once per client. */
export interface ClientConfig {
  raiseAppErrors: boolean;
  timeout: number;
  rootPath: string;
  scheme: 'http' | 'https';
  client: [string, number];
  server: [string, number];
  headers: HeaderList;
  extensions: Extensions;
}

export function resolveConfig(options: TestClientOptions): ClientConfig {
  const timeout = options.timeout ?? 3000;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new PagiValidationError(
      `timeout: expected a positive number of milliseconds, got ${String(timeout)}`,
    );
  }
  return {
    raiseAppErrors: options.raiseAppErrors ?? true,
    timeout,
    rootPath: options.rootPath ?? '',
    scheme: options.scheme ?? 'http',
    client: options.client ?? ['127.0.0.1', 50000],
    server: options.server ?? ['testserver', 80],
    headers: toHeaderList(options.headers),
    extensions: options.extensions ?? {},
  };
}
