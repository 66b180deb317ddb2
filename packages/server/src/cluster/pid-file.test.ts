import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removePidFile, writePidFile } from './pid-file.js';

describe('pid file', () => {
  it('is written and removed', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pid-')), 'a.pid');
    writePidFile(path, 1234);
    expect(readFileSync(path, 'utf8')).toBe('1234\n');
    expect(statSync(path).mode & 0o777).toBe(0o644);
    removePidFile(path, 1234);
    expect(existsSync(path)).toBe(false);
  });

  it('is left alone when another process took it over', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pid-')), 'b.pid');
    writeFileSync(path, '999\n');
    removePidFile(path, 1234);
    expect(readFileSync(path, 'utf8')).toBe('999\n');
  });
});
