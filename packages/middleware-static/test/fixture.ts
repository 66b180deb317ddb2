import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary tree: `root` (served) and `outside` (a sibling the root must never leak). */
export interface Tree {
  base: string;
  root: string;
  outside: string;
  remove: () => Promise<void>;
}

export const HELLO = 'hello, static world\n';
export const DIGITS = '0123456789abcdefghij';

/** Builds the test tree in a fresh tmp dir. */
export async function makeTree(): Promise<Tree> {
  const base = await mkdtemp(join(tmpdir(), 'pagi-static-'));
  const root = join(base, 'www');
  const outside = join(base, 'secret');
  await mkdir(join(root, 'docs'), { recursive: true });
  await mkdir(join(root, 'empty'));
  await mkdir(join(root, '.git'));
  await mkdir(outside);
  await writeFile(join(outside, 'passwd'), 'root:x:0:0\n');
  // A sibling whose name starts with the root's: a prefix check without a boundary lets it pass.
  await mkdir(join(base, 'www-other'));
  await writeFile(join(base, 'www-other', 'leak.txt'), 'leak');
  await writeFile(join(root, 'hello.txt'), HELLO);
  await writeFile(join(root, 'digits.txt'), DIGITS);
  await writeFile(join(root, 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'app.js.br'), 'BROTLI');
  await writeFile(join(root, 'app.js.gz'), 'GZIPPED');
  await writeFile(join(root, 'style.css'), 'body{}');
  await writeFile(join(root, 'style.css.gz'), 'GZCSS');
  await writeFile(join(root, 'empty.txt'), '');
  await writeFile(join(root, 'index.html'), '<h1>home</h1>');
  await writeFile(join(root, 'docs', 'index.htm'), '<h1>docs</h1>');
  await writeFile(join(root, '.env'), 'SECRET=1');
  await writeFile(join(root, '.git', 'config'), '[core]');
  await symlink(join(outside, 'passwd'), join(root, 'link-out.txt'));
  await symlink(outside, join(root, 'dir-out'));
  await symlink(join(base, 'www-other'), join(root, 'other'));
  await symlink(join(root, 'hello.txt'), join(root, 'link-in.txt'));
  // A fixed mtime, so Last-Modified and the ETag are known.
  const when = new Date('2024-03-04T05:06:07Z');
  await utimes(join(root, 'hello.txt'), when, when);
  return { base, root, outside, remove: () => rm(base, { recursive: true, force: true }) };
}
