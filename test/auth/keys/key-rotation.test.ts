import { afterEach, describe, expect, it } from 'vitest';
import { rotateSigningKeys } from '../../../src/auth/keys/key-rotation.js';
import { createTestApp, firstError, PAIR_FIELDS, type TestApp } from '../../helpers/app.js';

// Two service instances on one database, a rotation run by a third party (the command), and
// requests in flight on both instances the whole time: none may fail.

let apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.reverse()) await app.close();
  apps = [];
});

describe('requests through a key rotation', () => {
  it('never fails: old tokens keep working, new tokens from either instance verify on both', async () => {
    const a = await createTestApp({}, { keyRing: { unknownKidReloadIntervalMs: 50 } });
    const b = await createTestApp(
      {},
      { shareWith: a, keyRing: { unknownKidReloadIntervalMs: 50 } },
    );
    apps = [a, b];
    const users = await Promise.all(Array.from({ length: 4 }, () => a.signUp()));
    const oldKid = (await a.deps.keys.signingKey()).kid;

    const failures: unknown[] = [];
    async function exercise(
      app: TestApp,
      other: TestApp,
      accessToken: string,
      refreshToken: string,
    ) {
      const me = await app.graphql('{ me { id } }', { token: accessToken });
      if (me.errors) failures.push(me.errors);
      const reissued = await other.graphql<{
        reissue: { accessToken: string; refreshToken: string };
      }>(`mutation { reissue { ${PAIR_FIELDS} } }`, { token: refreshToken });
      if (!reissued.data) {
        failures.push(firstError(reissued));
        return refreshToken;
      }
      // The fresh pair, from the other instance, must work here at once.
      const again = await app.graphql('{ me { id } }', {
        token: reissued.data.reissue.accessToken,
      });
      if (again.errors) failures.push(again.errors);
      return reissued.data.reissue.refreshToken;
    }

    let refreshTokens = users.map((user) => user.refreshToken);
    let rotatedKid = '';
    for (let round = 0; round < 6; round += 1) {
      const inFlight = users.map((user, i) =>
        exercise(i % 2 ? a : b, i % 2 ? b : a, user.accessToken, refreshTokens[i] ?? ''),
      );
      if (round === 2) {
        // Rotate while the round's requests are running; instance b notices at its next
        // refresh, instance a only when it meets a token signed by the new key.
        const rotation = await rotateSigningKeys({ ...a.deps, config: a.config });
        if (!rotation.ok) throw new Error(rotation.failure);
        rotatedKid = rotation.value.activated.kid;
      }
      if (round === 3) await b.deps.keys.refresh();
      refreshTokens = await Promise.all(inFlight);
      a.clock.advanceSeconds(20);
    }

    expect(failures).toEqual([]);
    // The rotation really happened under load: both instances sign with the new key by now,
    // and the access tokens issued at sign-up (old key) were still accepted in the last round.
    expect((await a.deps.keys.signingKey()).kid).toBe(rotatedKid);
    expect((await b.deps.keys.signingKey()).kid).toBe(rotatedKid);
    expect(rotatedKid).not.toBe(oldKid);
  });
});
