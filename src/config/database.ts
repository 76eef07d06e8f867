import {
  ConfigError,
  type Environment,
  maskPassword,
  readInteger,
  readMilliseconds,
  readOptional,
} from './environment.js';

/** Where the store lives: embedded SQLite (the default), or a PostgreSQL server. */
export type DatabaseConfig =
  | {
      readonly kind: 'sqlite';
      /** A file path, or `:memory:` for a throw-away database. */
      readonly path: string;
      /** Safe to log. */
      readonly description: string;
    }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** Connections each instance may open. */
      readonly poolSize: number;
      /**
       * The longest a request waits on the database, in milliseconds: for a connection, and for
       * each statement's answer (also the server's `statement_timeout`).
       */
      readonly queryTimeoutMs: number;
      /** The URL without its password: safe to log. */
      readonly description: string;
    };

const ACCEPTS =
  'expected file:<path> for an SQLite database (for example file:./data/auth.db), :memory:, ' +
  'or postgres://user:password@host:5432/database for PostgreSQL';

export function readDatabase(env: Environment): DatabaseConfig {
  const raw = readOptional(env, 'DATABASE_URL') ?? 'file:./data/auth.db';
  if (/^postgres(ql)?:\/\//i.test(raw)) return readPostgres(env, raw);
  if (raw === ':memory:' || raw === 'file::memory:') {
    return { kind: 'sqlite', path: ':memory:', description: ':memory:' };
  }
  const path = raw.startsWith('file:') ? raw.slice('file:'.length) : '';
  if (path === '' || path.includes('?')) throw new ConfigError('DATABASE_URL', ACCEPTS, raw);
  return { kind: 'sqlite', path, description: path };
}

function readPostgres(env: Environment, raw: string): DatabaseConfig {
  const url = URL.canParse(raw) ? new URL(raw) : null;
  // The URL may hold a password: errors and logs show it masked.
  const description = url === null ? '<unparseable URL>' : maskPassword(url);
  if (url === null || url.hostname === '' || url.pathname.length < 2) {
    throw new ConfigError(
      'DATABASE_URL',
      'expected postgres://user:password@host:5432/database (a host and a database name)',
      description,
    );
  }
  return {
    kind: 'postgres',
    url: raw,
    poolSize: readInteger(env, 'DATABASE_POOL_SIZE', 10, 1, 1_000),
    queryTimeoutMs: readMilliseconds(env, 'DATABASE_QUERY_TIMEOUT', '5s', 100, 3_600_000),
    description,
  };
}
