/**
 * Every example is runnable and covered: each `<name>.mjs` here has a `start:<name>` script,
 * a row in the README and its own test file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = readdirSync(root)
  .filter((file) => file.endsWith('.mjs'))
  .map((file) => file.slice(0, -'.mjs'.length));

describe.each(examples)('example %s', (name) => {
  it('has a start script that serves it with pagi-server', () => {
    expect(pkg.scripts[`start:${name}`]).toMatch(new RegExp(`pagi-server .*${name}\\.mjs`));
  });
  it('has a README row', () => {
    expect(readme).toContain(`start:${name}`);
  });
  it('has a test', () => {
    expect(existsSync(join(root, 'test', `${name}.test.ts`))).toBe(true);
  });
});

it('has no start script without its example file', () => {
  const started = Object.keys(pkg.scripts)
    .filter((script) => script.startsWith('start:'))
    .map((script) => script.slice('start:'.length));
  expect(started.sort()).toEqual([...examples].sort());
});
