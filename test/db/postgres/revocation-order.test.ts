import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../../src/auth/ports/store.js';
import { openPostgresStore } from '../../../src/db/postgres/open.js';
import {
  quoteIdentifier,
  randomDatabaseName,
  requireTestDatabaseUrl,
  runOnServer,
  urlForDatabase,
} from '../../helpers/postgres.js';
import { newSession, newUser, T0 } from '../../helpers/records.js';
import { describeWithServices } from '../../helpers/services.js';

// Issue 16, section 2, "No revocation skipped": sequence values commit out of order, so a
// revocation can become visible after one with a larger id was read. A consumer that continues
// after the last position it was given must still receive it. (SQLite has one writer at a
// time, so there the ids commit in order and this cannot happen.)

describeWithServices(
  ['postgres'],
  'PostgreSQL: a revocation that commits late is not skipped',
  () => {
    let server = '';
    let database = '';
    let url = '';
    let store: Store;
    let late: pg.Client;

    beforeAll(async () => {
      server = requireTestDatabaseUrl();
      database = randomDatabaseName('revocation_order');
      await runOnServer(server, `create database ${quoteIdentifier(database)}`);
      url = urlForDatabase(server, database);
      store = await openPostgresStore(url, { maxConnections: 2 });
      await store.users.insert(newUser('u1'));
      late = new pg.Client({ connectionString: url });
      await late.connect();
    });
    afterAll(async () => {
      await late?.end();
      await store?.close();
      if (database !== '') {
        await runOnServer(
          server,
          `drop database if exists ${quoteIdentifier(database)} with (force)`,
        );
      }
    });

    /** A consumer: follows the records from its last position, as a feed reconnecting would. */
    function consumer() {
      let position: string | null = null;
      const seen: string[] = [];
      return {
        seen,
        async poll(): Promise<void> {
          for (;;) {
            const page = await store.revocations.listAfter(position, 100);
            if (page === null) throw new Error(`position ${position} refused`);
            if (page.length === 0) return;
            for (const record of page) seen.push(record.sessionId);
            position = page.at(-1)?.position ?? position;
          }
        },
      };
    }

    /** What the store's revocation writes, by hand, in a transaction the test holds open. */
    async function revokeByHand(sessionId: string): Promise<void> {
      await late.query(
        `update sessions set revoked_at = $2, revoked_reason = 'logout'
        where id = $1 and revoked_at is null`,
        [sessionId, T0 + 1],
      );
      await late.query(
        `insert into revocations (session_id, user_id, reason, ended_at, session_expires_at)
        values ($1, 'u1', 'logout', $2, $3)`,
        [sessionId, T0 + 1, T0 + 7_200_000],
      );
    }

    it.each([
      ['takes the smaller id, and commits after a larger one', 'id'],
      ['has the older transaction, writes its record last, and commits last', 'transaction'],
    ] as const)('a revocation that %s', async (_name, first) => {
      const earlier = `early-${first}`;
      const later = `later-${first}`;
      await store.sessions.insert(newSession(earlier, 'u1'));
      await store.sessions.insert(newSession(later, 'u1'));
      const reader = consumer();
      await reader.poll();
      const before = reader.seen.length;

      await late.query('begin');
      if (first === 'id') {
        await revokeByHand(earlier);
      } else {
        // The transaction id is taken now; its record is written only after the other commits.
        await late.query('select pg_current_xact_id()');
      }
      expect(await store.sessions.revoke(later, 'logout', T0 + 2)).toBe(true);
      if (first === 'transaction') await revokeByHand(earlier);

      // The later revocation has committed, but the earlier one may still commit before it in
      // the order: it is held back, not served ahead of a record that could still appear.
      await reader.poll();
      expect(reader.seen.slice(before)).toEqual([]);

      await late.query('commit');
      await reader.poll();
      expect(reader.seen.slice(before).sort()).toEqual([earlier, later].sort());
    });

    it('serves a record at once when no older transaction is running, and skips a rolled-back one', async () => {
      await store.sessions.insert(newSession('solo', 'u1'));
      await store.sessions.insert(newSession('rolled-back', 'u1'));
      const reader = consumer();
      await reader.poll();
      const before = reader.seen.length;
      await late.query('begin');
      await revokeByHand('rolled-back');
      await late.query('rollback');
      expect(await store.sessions.revoke('solo', 'logout', T0 + 3)).toBe(true);
      await reader.poll();
      expect(reader.seen.slice(before)).toEqual(['solo']);
    });
  },
);
