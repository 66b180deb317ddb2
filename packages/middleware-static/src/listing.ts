/**
 * A directory listing as data, HTML or JSON: entries read once (bounded), symlinks leaving the
 * root hidden, dotfiles hidden unless asked, sorted directories first, then by name.
 */
import type { Dirent } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeHtml } from '@pagi/spec';
import { containedRealPath } from './serve-file.js';

/** One listed entry. */
export interface ListingEntry {
  name: string;
  isDir: boolean;
  /** Bytes (0 for a directory). */
  size: number;
  /** Last modification, ISO 8601 UTC. */
  mtime: string;
}

export interface Listing {
  entries: ListingEntry[];
  /** true when the directory had more than `maxEntries` entries and only the first were listed. */
  truncated: boolean;
}

/**
 * Reads the directory at `dir` (already checked to be inside `realRoot`). At most `maxEntries`
 * names are kept (in the order the file system gives them), so a huge directory costs bounded
 * memory and stat calls.
 */
export async function readListing(
  dir: string,
  realRoot: string,
  showHidden: boolean,
  maxEntries: number,
): Promise<Listing> {
  const dirents: Dirent[] = [];
  let truncated = false;
  for await (const dirent of await opendir(dir)) {
    if (!showHidden && dirent.name.charCodeAt(0) === 0x2e) continue;
    if (dirents.length === maxEntries) {
      truncated = true;
      break;
    }
    dirents.push(dirent);
  }
  const entries = await Promise.all(
    dirents.map(async (dirent): Promise<ListingEntry | undefined> => {
      const path = join(dir, dirent.name);
      // A symlink is listed only when it resolves inside the root (as it would be served).
      if (dirent.isSymbolicLink() && (await containedRealPath(path, realRoot)) === undefined)
        return undefined;
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || !(info.isFile() || info.isDirectory())) return undefined;
      const isDir = info.isDirectory();
      return { name: dirent.name, isDir, size: isDir ? 0 : info.size, mtime: info.mtime.toISOString() };
    }),
  );
  const listed = entries.filter((e): e is ListingEntry => e !== undefined);
  // Directories first, then by name in code-point order (stable across locales).
  listed.sort((a, b) =>
    a.isDir === b.isDir ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.isDir ? -1 : 1,
  );
  return { entries: listed, truncated };
}

/** `1536` → `1.5 KiB`. */
function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * The HTML page: every name HTML-escaped and every href percent-encoded (a name like
 * `"><script>` or `a#b?c` is shown as text and links to itself), a parent link below the mount
 * root.
 */
export function listingHtml(path: string, listing: Listing, hasParent: boolean): string {
  const title = escapeHtml(path);
  const rows: string[] = [];
  if (hasParent) rows.push('<tr><td><a href="../">../</a></td><td></td><td></td></tr>');
  for (const entry of listing.entries) {
    const href = encodeURIComponent(entry.name) + (entry.isDir ? '/' : '');
    const label = escapeHtml(entry.name) + (entry.isDir ? '/' : '');
    const size = entry.isDir ? '-' : `<span title="${entry.size} bytes">${humanSize(entry.size)}</span>`;
    rows.push(
      `<tr><td><a href="./${escapeHtml(href)}">${label}</a></td><td>${size}</td><td><time>${entry.mtime}</time></td></tr>`,
    );
  }
  const note = listing.truncated ? '<p>Listing truncated.</p>' : '';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Index of ${title}</title></head>
<body><h1>Index of ${title}</h1>
<table><thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>${note}</body></html>
`;
}

/** The JSON document: `{ path, entries: [{ name, isDir, size, mtime }], truncated }`. */
export function listingJson(path: string, listing: Listing): string {
  return JSON.stringify({ path, entries: listing.entries, truncated: listing.truncated });
}
