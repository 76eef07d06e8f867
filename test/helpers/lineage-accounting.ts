import pg from 'pg';
import { labelOf } from './graphql-answer.js';
import { type Instance, type Load, PASSWORD, type SessionClient, send } from './session-load.js';

// After a fault: each client's session as the database holds it, set against what the client
// saw. A lineage is whole when the database's newest refresh jti is the client's newest, its
// generation counts exactly the rotations the client received, and each rotation left its
// audit row. A session may only have ended where a rotation could commit without its answer
// reaching the client, and then the database shows exactly one rotation the client never saw.

export interface LineageRow {
  readonly generation: number;
  readonly currentJti: string;
  readonly previousJti: string | null;
  readonly revokedReason: string | null;
  /** REISSUE audit events with detail ROTATED for this session. */
  readonly rotatedEvents: number;
}

export async function readLineages(
  databaseUrl: string,
  sessionIds: readonly string[],
): Promise<Map<string, LineageRow>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<LineageRow & { id: string }>(
      `select s.id, s.generation, s.current_refresh_jti as "currentJti",
              s.previous_refresh_jti as "previousJti", s.revoked_reason as "revokedReason",
              (select count(*)::int from audit_events a
                where a.session_id = s.id and a.type = 'REISSUE' and a.detail = 'ROTATED')
                as "rotatedEvents"
         from sessions s where s.id = any($1)`,
      [sessionIds],
    );
    return new Map(result.rows.map(({ id, ...row }) => [id, row]));
  } finally {
    await client.end();
  }
}

/**
 * What is wrong with one client's lineage, as a list of sentences (empty when nothing is).
 * `strict`: REFRESH_REUSE_INTERVAL=0, where the retry of a rotation that committed unseen is
 * reuse; otherwise that retry gets the committed pair and no session may end.
 */
export function lineageProblems(
  client: SessionClient,
  row: LineageRow | undefined,
  strict: boolean,
): string[] {
  if (row === undefined) return [`${client.email}: no session ${client.sessionId}`];
  const seen = client.refreshJtis.length - 1;
  const problems: string[] = [];
  const expect = (holds: boolean, what: string) => {
    if (!holds) problems.push(`${client.email}: ${what} (${JSON.stringify({ seen, row })})`);
  };
  expect(row.rotatedEvents === row.generation, 'a rotation without its audit event');
  if (client.logout !== null && client.logout !== 'unconfirmed') {
    expect(row.revokedReason === 'logout', 'logged out, but not revoked as such');
    expect(row.generation === seen, 'rotations the client never received');
    return problems;
  }
  if (client.ended === null) {
    expect(row.revokedReason === null, 'revoked, though the client was never refused');
    expect(row.currentJti === client.refreshJtis.at(-1), 'the newest jti is not the client’s');
    expect(row.generation === seen, 'rotations the client never received');
    if (seen > 0) expect(row.previousJti === client.refreshJtis.at(-2), 'the chain is broken');
    return problems;
  }
  expect(strict && client.unanswered > 0, `ended (${client.ended}) with every answer received`);
  expect(client.ended === 'UNAUTHENTICATED/REFRESH_TOKEN_REUSED', `ended as ${client.ended}`);
  expect(row.revokedReason === 'refresh_token_reused', 'refused, but not revoked for reuse');
  expect(row.generation === seen + 1, 'not exactly one rotation the client never received');
  expect(!client.refreshJtis.includes(row.currentJti), 'the unseen rotation is one it saw');
  return problems;
}

/**
 * Over HTTP on every live instance: a kept session's newest access token is served and its
 * newest refresh token rotates once more; a revoked one (by default: ended, or logged out) is
 * refused, both tokens. Returns the problems found.
 */
export async function honouredProblems(
  load: Load,
  client: SessionClient,
  revoked = isRevoked(client),
): Promise<string[]> {
  const problems: string[] = [];
  const live = load.instances.filter((instance) => instance.alive);
  for (const instance of live) {
    const me = await send(load, instance, 'me', '{ me { email } }', client.pair.accessToken);
    const wanted = revoked ? 'UNAUTHENTICATED/SESSION_REVOKED' : 'data';
    if (labelOf(me) !== wanted)
      problems.push(`${client.email}: me on ${instance.name} ${labelOf(me)}`);
  }
  const [first] = live;
  if (first === undefined || client.logout === 'unconfirmed') return problems;
  const reissue = labelOf(await sendReissue(load, first, client.pair.refreshToken));
  const refusals = ['UNAUTHENTICATED/SESSION_REVOKED', 'UNAUTHENTICATED/REFRESH_TOKEN_REUSED'];
  const honoured = revoked ? refusals.includes(reissue) : reissue === 'data';
  if (!honoured) problems.push(`${client.email}: reissue ${reissue}`);
  return problems;
}

/** A login with the password every load account has: the account exists and works. */
export async function loginProblems(
  load: Load,
  instance: Instance,
  email: string,
): Promise<string[]> {
  const answer = await send(
    load,
    instance,
    'login',
    `mutation { login(input: { email: "${email}", password: "${PASSWORD}" }) { accessToken } }`,
    null,
  );
  return answer.kind === 'data' ? [] : [`login ${email} on ${instance.name}: ${labelOf(answer)}`];
}

/** Whether the load revoked this client's session: ended by a refusal, or logged out. */
export function isRevoked(client: SessionClient): boolean {
  return client.ended !== null || (client.logout !== null && client.logout !== 'unconfirmed');
}

function sendReissue(load: Load, instance: Instance, refreshToken: string) {
  return send(load, instance, 'reissue', 'mutation { reissue { accessToken } }', refreshToken);
}
