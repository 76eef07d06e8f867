// Entry point of `npm run bench`: installs the bench's own dependencies when needed (they are
// kept out of the service's), then hands over to lib/main.mjs.

import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const installed = new URL('./node_modules/.package-lock.json', import.meta.url);
const lockfile = new URL('./package-lock.json', import.meta.url);

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lockfile).mtimeMs) {
  process.stderr.write(`$ npm ci --prefix bench\n`);
  const result = spawnSync('npm', ['ci', '--prefix', BENCH, '--no-audit', '--no-fund'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const { main } = await import('./lib/main.mjs');
process.exitCode = await main(process.argv.slice(2));
