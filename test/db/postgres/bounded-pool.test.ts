import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { afterEach, beforeAll, expect, it } from 'vitest';
import {
  ANSWER_GRACE_MS,
  openBoundedPool,
  type PoolBounds,
} from '../../../src/db/postgres/bounded-pool.js';
import { sqlState } from '../../../src/db/postgres/conflicts.js';
import { requireTestDatabaseUrl } from '../../helpers/postgres.js';
import { describeWithServices } from '../../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

// The request pool's bounds, on a real server: statement_timeout on the server, and on the
// client a silent connection dropped in time, through a proxy that blackholes the network.

/** Room for a loaded machine between a bound and the moment the caller hears of it. */
const SLACK_MS = 1000;

describeWithServices(['postgres'], 'openBoundedPool', () => {
  // Skipped, this body still runs to collect the tests: the URL is read in hooks and tests.
  let server = '';
  const pools: pg.Pool[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(() => {
    server = requireTestDatabaseUrl();
  });

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });

  function open(bounds: PoolBounds, url = server): pg.Pool {
    const pool = openBoundedPool(url, { maxConnections: 2, bounds });
    pools.push(pool);
    return pool;
  }

  async function openThroughProxy(bounds: PoolBounds): Promise<{ pool: pg.Pool; proxy: TcpProxy }> {
    const direct = new URL(server);
    const proxy = await startTcpProxy({
      host: direct.hostname,
      port: Number(direct.port || 5432),
    });
    proxies.push(proxy);
    const proxied = new URL(server);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    return { pool: open(bounds, proxied.href), proxy };
  }

  /** How long `promise` took to reject, and with what. */
  async function timeRejection(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
    const started = performance.now();
    const error = await promise.then(
      () => new Error('resolved'),
      (caught: unknown) => caught,
    );
    return { ms: performance.now() - started, error };
  }

  it('sets the bound as the server-side statement and idle-in-transaction timeouts', async () => {
    const pool = open({ connectMs: 2000, statementMs: 300 });
    const shown = await pool.query<{ statement: string; idle: string }>(
      `select current_setting('statement_timeout') as statement,
              current_setting('idle_in_transaction_session_timeout') as idle`,
    );
    expect(shown.rows).toEqual([{ statement: '300ms', idle: '300ms' }]);

    const { ms, error } = await timeRejection(pool.query('select pg_sleep(5)'));
    expect(sqlState(error)).toBe('57014'); // query_canceled: the server's own answer
    expect(ms).toBeLessThan(300 + SLACK_MS);
  });

  it('fails a query on a silent network within its bound, and drops the connection', async () => {
    const { pool, proxy } = await openThroughProxy({ connectMs: 2000, statementMs: 500 });
    await pool.query('select 1');
    proxy.blackhole();
    const { ms, error } = await timeRejection(pool.query('select 1'));
    expect(String(error)).toContain('PostgreSQL sent nothing for 750 ms');
    expect(ms).toBeGreaterThanOrEqual(500);
    expect(ms).toBeLessThan(500 + ANSWER_GRACE_MS + SLACK_MS);
    expect(pool.totalCount).toBe(0);
  });

  it('fails a transaction within one bound: the ROLLBACK does not wait out another', async () => {
    const statementMs = 1500;
    const { pool, proxy } = await openThroughProxy({ connectMs: 2000, statementMs });
    const db = drizzle({ client: pool });
    let silentFrom = 0;
    const transaction = db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      proxy.blackhole();
      silentFrom = performance.now();
      await tx.execute(sql`select 2`);
    });
    const { error } = await timeRejection(transaction);
    const ms = performance.now() - silentFrom;
    expect(error).toBeInstanceOf(Error);
    // Twice the bound would mean the ROLLBACK queued behind the silent statement.
    expect(ms).toBeLessThan(statementMs + ANSWER_GRACE_MS + SLACK_MS);
    expect(pool.totalCount).toBe(0);
  });

  it('fails a connection whose handshake gets no answer within the connect bound', async () => {
    const { pool, proxy } = await openThroughProxy({ connectMs: 500, statementMs: 5000 });
    proxy.blackhole();
    const { ms, error } = await timeRejection(pool.query('select 1'));
    expect(String(error)).toMatch(/timeout/i);
    expect(ms).toBeLessThan(500 + SLACK_MS);
  });

  it('recovers by itself once the network answers again', async () => {
    const { pool, proxy } = await openThroughProxy({ connectMs: 500, statementMs: 500 });
    await Promise.all([pool.query('select 1'), pool.query('select 2')]);
    expect(pool.totalCount).toBe(2);
    proxy.blackhole();
    // One connection in use goes silent; the other idles through the outage.
    await expect(pool.query('select 1')).rejects.toThrow();
    await expect(pool.query('select 1')).rejects.toThrow(); // a new connection, silent too
    proxy.restore();
    const answers = await Promise.all([1, 2, 3, 4].map((n) => pool.query(`select ${n} as n`)));
    expect(answers.map((answer) => answer.rows)).toEqual([
      [{ n: 1 }],
      [{ n: 2 }],
      [{ n: 3 }],
      [{ n: 4 }],
    ]);
    expect(pool.totalCount).toBeLessThanOrEqual(2);
  });
});
