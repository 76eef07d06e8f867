// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per
// package, so a hotspot can be named without opening a profiler UI.
// Usage: node bench/tools/summarise-profile.mjs FILE [TOP]

import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: summarise-profile.mjs FILE [TOP]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (deltas[i] ?? 0));
}
// Idle time is when the process waited for work; shares are of the busy time only.
let idle = 0;
for (const [id, micros] of selfMicros) {
  if (byId.get(id).callFrame.functionName === '(idle)') {
    idle += micros;
    selfMicros.delete(id);
  }
}
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map();
const byPackage = new Map();
for (const [id, micros] of selfMicros) {
  const { callFrame } = byId.get(id);
  const where = locate(callFrame.url);
  const name = `${callFrame.functionName || '(anonymous)'}  ${where}:${callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  byPackage.set(where, (byPackage.get(where) ?? 0) + micros);
}

function locate(url) {
  if (url === '') return '(native/vm)';
  if (url.startsWith('node:')) return url;
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  const own = /\/(dist|src|bench)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

function print(title, map) {
  process.stdout.write(
    `\n${title} (of ${(total / 1000).toFixed(0)} ms busy; ${(idle / 1000).toFixed(0)} ms idle not counted)\n`,
  );
  for (const [name, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}\n`);
  }
}

print('Self time by package or file', byPackage);
print('Self time by function', byFunction);
