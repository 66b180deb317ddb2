#!/usr/bin/env node
// Self cost per function of a callgrind dump made with `--dump-instr=yes --compress-pos=no
// --compress-strings=no`, JIT code named from node's `--perf-basic-prof` map.
//   node apps/bench/callgrind-jit.mjs <callgrind.out> <perf-PID.map> [top=40]
import { readFileSync } from 'node:fs';

const [file, mapFile, topArg] = process.argv.slice(2);
const ranges = [];
for (const line of readFileSync(mapFile, 'utf8').split('\n')) {
  const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
  if (m) ranges.push([parseInt(m[1], 16), parseInt(m[2], 16), m[3]]);
}
ranges.sort((a, b) => a[0] - b[0]);
function jitName(addr) {
  let lo = 0,
    hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, size, name] = ranges[mid];
    if (addr < start) hi = mid - 1;
    else if (addr >= start + size) lo = mid + 1;
    else return name;
  }
  return undefined;
}
const self = new Map();
let fn = '?';
let skipNext = false;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.startsWith('fn=')) {
    fn = line.slice(3);
    continue;
  }
  if (line.startsWith('calls=')) {
    skipNext = true;
    continue;
  }
  if (!/^(0x[0-9a-f]+|\d)/.test(line)) continue;
  if (skipNext) {
    skipNext = false;
    continue;
  }
  const parts = line.split(' ');
  const cost = Number(parts[parts.length === 2 ? 1 : 2] ?? parts[1]);
  let name = fn;
  if (/^0x[0-9a-f]+$/.test(fn) || fn.startsWith('0x')) {
    const addr = parseInt(parts[0], 16);
    name = jitName(addr) ?? fn;
  }
  self.set(name, (self.get(name) ?? 0) + cost);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 40));
console.log(`total ${total}`);
for (const [name, cost] of top)
  console.log(
    `${String(cost).padStart(12)} ${((100 * cost) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`,
  );
