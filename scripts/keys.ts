import { listSigningKeys, rotateSigningKeys } from '../src/auth/key-rotation.js';
import { systemClock } from '../src/clock.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { openSqliteStore } from '../src/db/sqlite/open.js';

// `npm run keys:rotate` and `npm run keys:list`: the signing key commands, against the database
// the service's own environment names (DATABASE_URL). Running servers pick up a rotation by
// themselves (within a minute, or at once when they meet a token signed by the new key).

const USAGE = 'Usage: tsx scripts/keys.ts rotate | list';

async function run(command: string | undefined): Promise<number> {
  if (command !== 'rotate' && command !== 'list') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const store = openSqliteStore(config.database.path);
  const deps = { store, clock: systemClock, config };
  try {
    if (command === 'list') {
      for (const key of await listSigningKeys(deps)) {
        const retires = key.retiresAt === null ? '' : `  verifies until ${iso(key.retiresAt)}`;
        process.stdout.write(
          `${key.kid}  ${key.alg.padEnd(5)}  ${key.status.padEnd(8)}  created ${iso(key.createdAt)}${retires}\n`,
        );
      }
      return 0;
    }
    const rotation = await rotateSigningKeys(deps);
    if (!rotation.ok) {
      process.stderr.write(
        `The signing keys come from ${config.signingKeys.supplied?.variable}: rotate them by ` +
          'putting a new key first in that key set and keeping the old one after it (see README).\n',
      );
      return 1;
    }
    const { activated, demoted, retired } = rotation.value;
    process.stdout.write(`active    ${activated.kid} (${activated.alg})\n`);
    if (demoted !== null) {
      process.stdout.write(`retiring  ${demoted.kid} (verifies until ${iso(demoted.retiresAt)})\n`);
    }
    for (const kid of retired) process.stdout.write(`retired   ${kid}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

function iso(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

run(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof ConfigError ? error.message : String(error instanceof Error ? error.stack : error)}\n`,
    );
    process.exit(1);
  },
);
