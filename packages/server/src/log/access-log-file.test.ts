import { mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCESS_LOG_FILE_MODE, AccessLogFile, closeAccessLog } from './access-log-file.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pagi-access-'));
const write = (file: AccessLogFile, line: string) =>
  new Promise<void>((resolve) => file.write(`${line}\n`, () => resolve()));

describe('AccessLogFile', () => {
  it('creates the file with mode 0640 (less the umask) and appends to what is there', async () => {
    const path = join(dir(), 'access.log');
    const a = new AccessLogFile(path);
    await write(a, 'one');
    await closeAccessLog(a);
    const umask = process.umask();
    expect(statSync(path).mode & 0o777).toBe(ACCESS_LOG_FILE_MODE & ~umask);
    const b = new AccessLogFile(path);
    await write(b, 'two');
    await closeAccessLog(b);
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
  });

  it('reopen(): after a rename, new lines go to a new file at the path, queued ones to the old', async () => {
    const d = dir();
    const path = join(d, 'access.log');
    const file = new AccessLogFile(path);
    await write(file, 'before');
    file.write('queued\n');
    renameSync(path, `${path}.1`);
    file.reopen();
    await write(file, 'after');
    await closeAccessLog(file);
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('before\nqueued\n');
    expect(readFileSync(path, 'utf8')).toBe('after\n');
  });

  it('a reopen that cannot open the path throws and keeps writing to the old file', async () => {
    const d = dir();
    const path = join(d, 'access.log');
    const kept = join(dir(), 'kept.log');
    const file = new AccessLogFile(path);
    await write(file, 'one');
    renameSync(path, kept);
    // The directory is gone: opening the path fails.
    rmSync(d, { recursive: true, force: true });
    expect(() => file.reopen()).toThrow(/ENOENT/);
    await write(file, 'two');
    await closeAccessLog(file);
    expect(readFileSync(kept, 'utf8')).toBe('one\ntwo\n');
  });

  it('two writers on one path (two workers) leave whole lines', async () => {
    const path = join(dir(), 'shared.log');
    const a = new AccessLogFile(path);
    const b = new AccessLogFile(path);
    const line = (w: string, i: number) => `${w}${i} ${'x'.repeat(200)}`;
    for (let i = 0; i < 500; i++) {
      a.write(`${line('a', i)}\n`);
      b.write(`${line('b', i)}\n`);
    }
    await Promise.all([closeAccessLog(a), closeAccessLog(b)]);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    for (const l of lines) expect(l).toMatch(/^[ab]\d+ x{200}$/);
  });

  it('the constructor throws when the file cannot be opened (startup fails)', () => {
    expect(() => new AccessLogFile(join(dir(), 'missing-dir', 'access.log'))).toThrow(/ENOENT/);
  });
});
