import type Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../../src/auth/ports/store.js';
import { createPostgresStore } from '../../src/db/postgres/open.js';
import { createSqliteStore, openSqliteDatabase } from '../../src/db/sqlite/open.js';
import {
  createFaultPlan,
  type FaultPlan,
  runStatement,
  runStatementSync,
} from './statement-faults.js';
import { openPostgresTestStore, testStoreKind } from './store.js';

// A store of the kind under test whose driver makes chosen statements fail (see
// ./statement-faults.ts). The store's own code runs unchanged on top: the fault is injected
// between it and the database, where a network or a server fails.

export interface FaultyStore extends Store {
  readonly faults: FaultPlan;
}

/** A fresh store of the kind under test (see openTestStore) with a fault plan in its driver. */
export async function openFaultyTestStore(): Promise<FaultyStore> {
  const faults = createFaultPlan();
  if (testStoreKind() === 'sqlite') {
    const store = createSqliteStore(withFaults(openSqliteDatabase(':memory:'), faults));
    return { ...store, faults };
  }
  const store = await openPostgresTestStore(async (url) => {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    return createPostgresStore(poolWithFaults(pool, faults));
  });
  return { ...store, faults };
}

/** `target`'s property, bound to it when a method, as a proxy's default. */
function forward(target: object, property: string | symbol): unknown {
  const value: unknown = Reflect.get(target, property, target);
  return typeof value === 'function' ? value.bind(target) : value;
}

// SQLite: every prepared statement asks the plan when it runs; transactions are run here, so
// that BEGIN and COMMIT ask it too (better-sqlite3 runs its own out of reach).

function withFaults(sqlite: Database.Database, plan: FaultPlan): Database.Database {
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === 'prepare') {
        return (sql: string) => statementWithFaults(target.prepare(sql), sql, plan);
      }
      if (property === 'transaction') {
        return (body: (...args: unknown[]) => unknown) => transactionWithFaults(target, body, plan);
      }
      return forward(target, property);
    },
  });
}

const RUNNING = new Set<string | symbol>(['run', 'get', 'all', 'iterate']);
const MODES = new Set<string | symbol>(['raw', 'pluck', 'expand', 'safeIntegers']);

function statementWithFaults(
  statement: Database.Statement,
  sql: string,
  plan: FaultPlan,
): Database.Statement {
  const proxy: Database.Statement = new Proxy(statement, {
    get(target, property) {
      const method = forward(target, property);
      if (typeof method !== 'function') return method;
      if (RUNNING.has(property)) {
        return (...parameters: unknown[]) =>
          runStatementSync(plan, sql, () => Reflect.apply(method, target, parameters));
      }
      if (MODES.has(property)) {
        // These return the statement itself: keep answering with the proxy.
        return (...parameters: unknown[]) => {
          Reflect.apply(method, target, parameters);
          return proxy;
        };
      }
      return method;
    },
  });
  return proxy;
}

/** What better-sqlite3's `transaction()` returns: the function, and one per BEGIN mode. */
function transactionWithFaults(
  sqlite: Database.Database,
  body: (...args: unknown[]) => unknown,
  plan: FaultPlan,
) {
  const execute = (sql: string) => runStatementSync(plan, sql, () => sqlite.prepare(sql).run());
  const inMode =
    (mode: string) =>
    (...args: unknown[]): unknown => {
      if (sqlite.inTransaction) throw new Error('faulty store: nested transactions unsupported');
      try {
        execute(`BEGIN ${mode}`);
        const result = body(...args);
        execute('COMMIT');
        return result;
      } catch (error) {
        // A lost COMMIT answer has committed; anything else is rolled back, as better-sqlite3
        // does (and a BEGIN that ran, though its answer was lost, too).
        if (sqlite.inTransaction) sqlite.prepare('ROLLBACK').run();
        throw error;
      }
    };
  return Object.assign(inMode('DEFERRED'), {
    default: inMode('DEFERRED'),
    deferred: inMode('DEFERRED'),
    immediate: inMode('IMMEDIATE'),
    exclusive: inMode('EXCLUSIVE'),
  });
}

// PostgreSQL: the pool's queries and those of the clients it lends for transactions.

function poolWithFaults(pool: pg.Pool, plan: FaultPlan): pg.Pool {
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'query') return queryWithFaults(target, plan);
      if (property === 'connect') {
        return async () => clientWithFaults(await target.connect(), plan);
      }
      return forward(target, property);
    },
  });
}

function clientWithFaults(client: pg.PoolClient, plan: FaultPlan): pg.PoolClient {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return queryWithFaults(target, plan);
      return forward(target, property);
    },
  });
}

/** The query method as drizzle calls it: a config (or text) and the values, promise style. */
function queryWithFaults(queryable: pg.Pool | pg.PoolClient, plan: FaultPlan) {
  return (config: string | pg.QueryConfig, values?: unknown[]) => {
    const sql = typeof config === 'string' ? config : config.text;
    return runStatement(plan, sql, () => queryable.query(config, values));
  };
}
