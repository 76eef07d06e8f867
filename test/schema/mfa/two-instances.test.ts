import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/auth/ports/store.js';
import { openPostgresStore } from '../../../src/db/postgres/open.js';
import { silentLogger } from '../../../src/logger.js';
import { type AuthServer, createServer } from '../../../src/server.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { codeNow, enrolTotp, logIn, PAIR, type Pair } from '../../helpers/mfa.js';
import { postgresTestStoreUrl, testStoreKind } from '../../helpers/store.js';

// A TOTP code is accepted once across instances. On PostgreSQL the second instance has its own
// connection pool on the same database, as a second process would; the factor's last accepted
// step is compared and set in one statement, so of two instances racing one code, one wins.

let app: TestApp;
let secondStore: Store | null = null;
afterEach(async () => {
  await secondStore?.close();
  secondStore = null;
  await app.close();
});

/** A second instance: the same keys, secrets and clock over its own store. */
async function secondInstance(): Promise<AuthServer> {
  secondStore =
    testStoreKind() === 'postgres'
      ? await openPostgresStore(postgresTestStoreUrl(app.deps.store), { maxConnections: 4 })
      : null;
  return createServer({
    config: app.config,
    store: secondStore ?? app.deps.store,
    clock: app.clock,
    keys: app.deps.keys,
    secrets: app.deps.secrets,
    passwords: app.deps.passwords,
    logger: silentLogger,
  });
}

async function verifyOn(yoga: AuthServer, accessToken: string, code: string) {
  const response = await yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({
      query: `mutation ($c: String!) { verifyTotp(code: $c) { ${PAIR} } }`,
      variables: { c: code },
    }),
  });
  return (await response.json()) as {
    data?: { verifyTotp: Pair } | null;
    errors?: { extensions?: Record<string, unknown> }[];
  };
}

describe(`${testStoreKind()}: a TOTP code across two instances`, () => {
  it('is accepted by exactly one of two instances racing it, round after round', async () => {
    app = await createTestApp();
    const other = await secondInstance();
    const { accessToken, user } = await app.signUp();
    const { secret } = await enrolTotp(app, accessToken);
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([logIn(app, user.email), logIn(app, user.email)]);
      const code = codeNow(app, secret);
      const answers = await Promise.all([
        verifyOn(app.yoga, a.accessToken, code),
        verifyOn(other, b.accessToken, code),
      ]);
      const accepted = answers.filter((answer) => answer.data?.verifyTotp !== undefined);
      expect(accepted, `round ${round}`).toHaveLength(1);
      const refused = answers.find((answer) => answer.errors !== undefined);
      expect(refused?.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'INVALID_CODE',
      });
      app.clock.advanceSeconds(30);
    }
  });
});
