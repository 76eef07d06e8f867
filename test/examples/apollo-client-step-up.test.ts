import { CombinedGraphQLErrors, gql, type TypedDocumentNode } from '@apollo/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAuthClient,
  createMemoryTokenStore,
  logIn,
  type StepUpReason,
} from '../../examples/apollo-client/src/index.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/app.js';
import { type Listening, listen } from '../helpers/listen.js';
import { claimsOf, codeNow, enrolTotp } from '../helpers/mfa.js';

// The example client against the real server: an operation refused with FORBIDDEN /
// MFA_REQUIRED prompts for a code (the test's callback), steps the session up and is retried.

const MY_SESSIONS: TypedDocumentNode<{ mySessions: { id: string }[] }> = gql`
  query MySessions {
    mySessions {
      id
    }
  }
`;

let app: TestApp;
let http: Listening;
afterEach(async () => {
  await http.close();
  await app.close();
});

describe('Apollo Client with a second factor', () => {
  it('prompts for the code on MFA_REQUIRED, then retries the operation', async () => {
    app = await createTestApp();
    http = await listen(app.yoga);
    const { accessToken, user } = await app.signUp();
    const { secret } = await enrolTotp(app, accessToken);

    const prompts: { reason: StepUpReason; attempt: number }[] = [];
    const tokens = createMemoryTokenStore();
    const client = createAuthClient({
      uri: http.url,
      tokens,
      async promptForCode(reason, attempt) {
        prompts.push({ reason, attempt });
        // A typo first, then the code the authenticator app shows.
        const code = codeNow(app, secret);
        const typo = code === '000000' ? '111111' : '000000';
        return { kind: 'totp', code: attempt === 1 ? typo : code };
      },
    });
    await logIn(client, tokens, { email: user.email, password: PASSWORD });
    expect(claimsOf(tokens.read()?.accessToken ?? '').aal).toBe('aal1');

    const answer = await client.query({ query: MY_SESSIONS, fetchPolicy: 'network-only' });
    expect(answer.error).toBeUndefined();
    expect(answer.data?.mySessions.length).toBeGreaterThan(0);
    expect(prompts).toEqual([
      { reason: 'MFA_REQUIRED', attempt: 1 },
      { reason: 'MFA_REQUIRED', attempt: 2 },
    ]);
    expect(claimsOf(tokens.read()?.accessToken ?? '').aal).toBe('aal2');
  });

  it('lets the error through when the user gives up', async () => {
    app = await createTestApp();
    http = await listen(app.yoga);
    const { accessToken, user } = await app.signUp();
    await enrolTotp(app, accessToken);
    const tokens = createMemoryTokenStore();
    const client = createAuthClient({ uri: http.url, tokens, promptForCode: async () => null });
    await logIn(client, tokens, { email: user.email, password: PASSWORD });
    const answer = await client.query({
      query: MY_SESSIONS,
      fetchPolicy: 'network-only',
      errorPolicy: 'all',
    });
    expect(CombinedGraphQLErrors.is(answer.error)).toBe(true);
    if (CombinedGraphQLErrors.is(answer.error)) {
      expect(answer.error.errors[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'MFA_REQUIRED',
      });
    }
    // Giving up is not logging out: the pair stays.
    expect(tokens.read()).not.toBeNull();
  });
});
