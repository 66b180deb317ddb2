#!/usr/bin/env node
// Runs npm scripts one after another and prints each one's wall-clock time, so CI logs show
// where the minutes go (the budget for .ci/run is 15 minutes). A failing stage before `--` stops
// the run (nothing to test without an install or a build); the stages after `--` all run, like
// turbo's --continue, and any failure among them fails the run at the end.
// No dependencies: it runs before `npm run setup` has installed anything.
// Usage: node tooling/scripts/run-stages.mjs <script> … [-- <script> …]
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const times = [];
const format = (ms) => `${(ms / 1000).toFixed(1)}s`;
const summary = () =>
  times.map(([name, ms, ok]) => `  ${ok ? 'ok  ' : 'FAIL'} ${format(ms).padStart(7)}  ${name}`).join('\n');

const args = process.argv.slice(2);
const split = args.includes('--') ? args.indexOf('--') : args.length;
const stages = args.filter((arg) => arg !== '--');
let failed = false;
for (const [index, script] of stages.entries()) {
  console.log(`\n=== stage ${script}`);
  const start = Date.now();
  const { status } = spawnSync(npm, ['run', '--silent', script], { stdio: 'inherit' });
  const ms = Date.now() - start;
  times.push([script, ms, status === 0]);
  console.log(`=== stage ${script}: ${status === 0 ? 'ok' : `failed (exit ${status})`} in ${format(ms)}`);
  if (status !== 0) {
    failed = true;
    if (index < split) break;
  }
}
const total = times.reduce((sum, [, ms]) => sum + ms, 0);
console.log(`\n=== stage times\n${summary()}\n       ${format(total).padStart(7)}  total`);
process.exitCode = failed ? 1 : 0;
