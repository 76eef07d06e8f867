// Start-up A/B: spawn → first `{ me { id } }` answer of each built variant (NAME=PATH to its
// main.js) and of bare yoga, in rotating order, with the startup suite's env and a one-session
// database; prints medians, the median of per-round ratios to bare yoga and the RSS after the
// first answer.
// usage: node bench/tools/startup-ab.mjs ROUNDS NAME=PATH [NAME=PATH...]
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const B = new URL('../lib/', import.meta.url).href;
const { postJson } = await import(`${B}http-post.mjs`);
const { findFreePort, HOST, startProcess, readRss } = await import(`${B}processes.mjs`);
const rss = {};
const { seedSessions } = await import(`${B}seed.mjs`);
const { ROOT, serviceEnv } = await import(`${B}service.mjs`);
const [rounds, ...specs] = process.argv.slice(2);
const workDir = join(tmpdir(), 'startup-ab');
(await import('node:fs')).rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const dbPath = join(workDir, 'startup.db');
const [token] = await seedSessions({ dbPath, count: 1, users: 1, workDir });
const ME = JSON.stringify({ query: '{ me { id } }' });
const subjects = specs.map((s) => {
  const [name, path] = s.split('=');
  return { name, path };
});
subjects.push({
  name: 'bare',
  path: fileURLToPath(new URL('../servers/yoga-bare.mjs', import.meta.url)),
  bare: true,
});
async function time(subject) {
  const port = await findFreePort();
  const env = subject.bare
    ? { NODE_ENV: 'production', PORT: String(port) }
    : serviceEnv({ port, dbPath });
  const url = `http://${HOST}:${port}/graphql`;
  const start = performance.now();
  const h = startProcess(subject.name, [subject.path], { cwd: ROOT, env });
  try {
    for (;;) {
      if (h.hasExited()) throw new Error(h.output());
      try {
        const { status, text } = await postJson(url, ME, { authorization: `Bearer ${token}` });
        if (status === 200 && text.startsWith('{"data":{"me":{"id":"')) {
          const ms = performance.now() - start;
          await sleep(300);
          rss[subject.name] ??= [];
          rss[subject.name].push(readRss(h.pid) / 2 ** 20);
          return ms;
        }
        throw new Error(text);
      } catch (e) {
        if (e.code !== 'ECONNREFUSED') throw e;
      }
      await sleep(2);
    }
  } finally {
    await h.stop();
  }
}
const res = Object.fromEntries(subjects.map((s) => [s.name, []]));
for (let r = 0; r < Number(rounds); r++) {
  const order = [...subjects];
  for (let i = 0; i < r % order.length; i++) order.push(order.shift());
  const line = [];
  for (const s of order) {
    const ms = await time(s);
    res[s.name].push(ms);
    line.push(`${s.name} ${ms.toFixed(0)}`);
  }
  process.stderr.write(`round ${r + 1}: ${line.join(', ')}\n`);
}
const med = (a) => {
  const b = [...a].sort((x, y) => x - y);
  return b[Math.floor(b.length / 2)];
};
for (const s of subjects) {
  const ratios = res[s.name].map((v, i) => v / res.bare[i]);
  console.log(
    `${s.name.padEnd(10)} median ${med(res[s.name]).toFixed(0)} ms   ratio vs bare median ${med(ratios).toFixed(2)}  (${ratios.map((x) => x.toFixed(2)).join(' ')})  rss after first answer median ${med(rss[s.name]).toFixed(1)} MiB`,
  );
}
