import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { SessionRevocationReason } from '../../auth/ports/records.js';
import type { SessionStore } from '../../auth/ports/store.js';
import { revokedAny, wroteWithoutRevoking } from '../audited-write.js';
import { POSTGRES_DIALECT } from '../dialects.js';
import { gateSession } from '../mfa-gate.js';
import {
  liveSessionsOfUser,
  revocation,
  revocationRecordsOf,
  rotationCondition,
  rotationParameters,
  rotationValues,
  sessionRow,
  unrevokedSession,
} from '../session-sql.js';
import {
  createPostgresWriter,
  type PostgresDatabase,
  type PostgresTransaction,
} from './audited-write.js';
import { retryOnTransientConflict } from './conflicts.js';
import { countConfirmedFactors } from './factor-counts.js';
import { revocations, sessions, users } from './schema.js';

/**
 * Revokes the sessions `condition` selects and writes their revocation records, on the caller's
 * transaction; returns how many.
 */
export async function revokeSessionsWhere(
  db: Pick<NodePgDatabase, 'update' | 'insert'>,
  condition: SQL | undefined,
  reason: SessionRevocationReason,
  now: number,
): Promise<number> {
  const ended = await db.update(sessions).set(revocation(reason, now)).where(condition).returning({
    id: sessions.id,
    userId: sessions.userId,
    idleExpiresAt: sessions.idleExpiresAt,
    expiresAt: sessions.expiresAt,
  });
  if (ended.length > 0)
    await db.insert(revocations).values(revocationRecordsOf(ended, reason, now));
  return ended.length;
}

/**
 * Check and rotate in one conditional UPDATE (see rotationCondition), on the transaction's
 * connection. Under READ COMMITTED a concurrent caller with the same refresh token waits for the
 * first one's row lock, then re-checks the WHERE clause against the committed row, where
 * `current_refresh_jti` has moved on: exactly one wins. Named, so each connection parses it once.
 */
function prepareRotation(tx: PostgresTransaction) {
  return tx
    .update(sessions)
    .set(rotationValues(sessions, POSTGRES_DIALECT))
    .where(rotationCondition(sessions))
    .returning()
    .prepare('rotate_refresh_token');
}

export function createPostgresSessionStore(db: PostgresDatabase): SessionStore {
  const { writeWithEvent } = createPostgresWriter(db);
  // Building the rotation costs more CPU than running it: once per connection, then kept.
  const rotations = new WeakMap<PostgresTransaction, ReturnType<typeof prepareRotation>>();
  function rotateOn(tx: PostgresTransaction) {
    const known = rotations.get(tx);
    if (known !== undefined) return known;
    const rotate = prepareRotation(tx);
    rotations.set(tx, rotate);
    return rotate;
  }

  // Every protected request without a liveness cache reads one session by id.
  const byId = db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare('session_by_id');
  // `me` and the like: the session and its user in one statement (one round trip).
  const withUserById = db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare('session_with_user_by_id');

  return {
    insert(session, event) {
      const insert = async (tx: PostgresTransaction) => {
        const [inserted] = await tx.insert(sessions).values(sessionRow(session)).returning();
        if (inserted === undefined) throw new Error('INSERT … RETURNING returned no session.');
        return inserted;
      };
      return writeWithEvent(event, insert, wroteWithoutRevoking);
    },
    start(session, event) {
      const start = async (tx: PostgresTransaction) => {
        // FOR SHARE: a disable's UPDATE of the row waits for this transaction (and then ends
        // this session with the others), or this one waits for the disable and sees it.
        // It also holds off a factor's confirmation (which locks the row FOR NO KEY UPDATE)
        // until this session is in, so the gate below counts the factor or the confirmation
        // restricts this session with the others.
        const [user] = await tx
          .select({ id: users.id, roles: users.roles })
          .from(users)
          .where(and(eq(users.id, session.userId), isNull(users.disabledAt)))
          .for('share');
        if (user === undefined) return null;
        const factors = await countConfirmedFactors(tx, user.id);
        const gated = gateSession(session, factors, user.roles);
        const [inserted] = await tx.insert(sessions).values(sessionRow(gated)).returning();
        if (inserted === undefined) throw new Error('INSERT … RETURNING returned no session.');
        return inserted;
      };
      return writeWithEvent(event, start, wroteWithoutRevoking);
    },
    async findById(id) {
      const [session] = await byId.execute({ id });
      return session ?? null;
    },
    async findWithUser(id) {
      const [found] = await withUserById.execute({ id });
      return found ?? null;
    },
    rotateRefreshToken(rotation, event) {
      const parameters = rotationParameters(rotation);
      const write = async (tx: PostgresTransaction) => {
        const [rotated] = await rotateOn(tx).execute(parameters);
        return rotated ?? null;
      };
      return writeWithEvent(event, write, wroteWithoutRevoking);
    },
    async listLiveForUser(userId, now) {
      return db
        .select()
        .from(sessions)
        .where(liveSessionsOfUser(sessions, userId, now))
        .orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt));
    },
    async revoke(id, reason, now, userId, event) {
      const one = unrevokedSession(sessions, id, userId);
      const write = (tx: PostgresTransaction) => revokeSessionsWhere(tx, one, reason, now);
      return (await writeWithEvent(event, write, revokedAny)) === 1;
    },
    revokeAllForUser(userId, reason, now, exceptSessionId, event) {
      const others = liveSessionsOfUser(sessions, userId, now, exceptSessionId);
      const write = (tx: PostgresTransaction) => revokeSessionsWhere(tx, others, reason, now);
      // It locks several rows in no fixed order, so it can deadlock with a password change
      // locking the same user's sessions; PostgreSQL then aborts one, and this one runs again.
      return retryOnTransientConflict(() => writeWithEvent(event, write, revokedAny));
    },
  };
}
