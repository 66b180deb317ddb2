/** One uploaded file: in memory (`bytes`) up to the spool threshold, else on disk (`path`). */
export interface FormFile {
  /** The client's file name, without any directory part (busboy drops `../` and the like). */
  filename: string;
  /** The part's Content-Type; `application/octet-stream` when it names none. */
  contentType: string;
  /** Size in bytes. */
  size: number;
  /** The temp file holding it, when it was larger than `spoolThreshold`; removed after the request. */
  path?: string;
  /** The content, when it was at most `spoolThreshold` bytes. */
  bytes?: Uint8Array;
}

/**
 * A parsed form. Both maps have no prototype (a field named `__proto__` is an ordinary key); a
 * name given once maps to its value, a repeated name to an array of its values in body order.
 */
export interface FormBody {
  fields: Record<string, string | string[]>;
  files: Record<string, FormFile | FormFile[]>;
}

/** The limits the parsers enforce while bytes arrive. */
export interface FormLimits {
  limit: number;
  multipartLimit: number;
  maxFields: number;
  maxFieldSize: number;
  maxFiles: number;
  maxFileSize: number;
  maxParts: number;
  spoolThreshold: number;
}

/** Adds `value` under `name`: the first as is, later ones turn the entry into an array. */
export function addEntry<T>(map: Record<string, T | T[]>, name: string, value: T): void {
  const prev = map[name];
  if (prev === undefined) map[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else map[name] = [prev, value];
}

/** An empty {@link FormBody} with prototype-less maps. */
export function emptyForm(): FormBody {
  return { fields: Object.create(null), files: Object.create(null) };
}
