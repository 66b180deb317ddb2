/** A parsed `Content-Type`: the lowercase essence (`type/subtype`) and its parameters. */
export interface MediaType {
  essence: string;
  params: Record<string, string>;
}

/**
 * Parses a Content-Type value (RFC 9110 §8.3.1). Parameter names are lowercased and quoted
 * values unquoted. Never throws: an unparsable value gives an empty essence.
 */
export function parseMediaType(value: string | undefined): MediaType {
  const params: Record<string, string> = {};
  if (!value) return { essence: '', params };
  const parts = value.split(';');
  const essence = (parts[0] ?? '').trim().toLowerCase();
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name && !(name in params)) params[name] = v;
  }
  return { essence: essence.includes('/') ? essence : '', params };
}
