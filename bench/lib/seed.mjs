// Seeding a service database from the harness (see tools/seed-sessions.mjs).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from './child-json.mjs';
import { AUDIENCE, ISSUER, ROOT } from './service.mjs';

const SEEDER = fileURLToPath(new URL('../tools/seed-sessions.mjs', import.meta.url));

/** Seeds `count` sessions over `users` accounts and returns one access token per session. */
export async function seedSessions({ dbPath, count, users, workDir }) {
  const out = join(workDir, `tokens-${count}.txt`);
  await runTool('seed-sessions', SEEDER, {
    ROOT,
    DB_PATH: dbPath,
    COUNT: String(count),
    USERS: String(users),
    ISSUER,
    AUDIENCE,
    ACCESS_TTL_SECONDS: String(2 * 3600),
    OUT: out,
  });
  return readFileSync(out, 'utf8').trim().split('\n');
}
