// Peer (c): better-auth with email and password on SQLite (better-sqlite3, the service's own
// copy), served on node:http. The harness signs in over HTTP and then calls
// GET /api/auth/get-session with the session cookie, which reads the session from SQLite.

import { createServer } from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import Database from 'better-sqlite3';
import { readPort } from './peer-schema.mjs';

const port = readPort();
const databasePath = process.env.DATABASE_PATH;
if (!databasePath) throw new Error('DATABASE_PATH must be set');
const sqlite = new Database(databasePath);
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = NORMAL');

const auth = betterAuth({
  database: sqlite,
  baseURL: `http://127.0.0.1:${port}`,
  secret: process.env.BETTER_AUTH_SECRET,
  emailAndPassword: { enabled: true },
  // Rate limiting would refuse a load test; the service under test has none on `me` either.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { disabled: true },
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

createServer(toNodeHandler(auth)).listen(port, '127.0.0.1');
