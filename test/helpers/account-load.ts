import { labelOf } from './graphql-answer.js';
import {
  type Load,
  type Pair,
  type SessionClient,
  sendUntilSettled,
  signUpQuery,
} from './session-load.js';

// The account side of the load: sign-ups of new accounts and logouts of existing sessions,
// each retried through a fault until it settles, and what the retries reveal: an EMAIL_TAKEN
// or SESSION_REVOKED on a retry means an earlier attempt had been carried out.

export interface SignUps {
  /** Accounts whose sign-up answered with a pair. */
  readonly created: { readonly email: string; readonly pair: Pair }[];
  /** EMAIL_TAKEN on the retry of a sign-up whose every failure was an error answer. */
  readonly committedUnseen: string[];
  /** EMAIL_TAKEN on the retry of a sign-up of which an attempt got no answer. */
  readonly answerLost: string[];
}

/** New accounts one after another until the deadline or `maxAccounts`. */
export async function signUpInLoop(
  load: Load,
  prefix: string,
  maxAccounts: number,
): Promise<SignUps> {
  const signUps: SignUps = { created: [], committedUnseen: [], answerLost: [] };
  for (let n = 0; n < maxAccounts && performance.now() < load.deadline; n++) {
    const email = `${prefix}${n}@example.com`;
    const settled = await sendUntilSettled(load, 'signUp', signUpQuery(email), null);
    const { answer } = settled;
    if (answer.kind === 'data') {
      signUps.created.push({ email, pair: answer.data.signUp as Pair });
    } else if (labelOf(answer) === 'BAD_USER_INPUT/EMAIL_TAKEN' && settled.unanswered > 0) {
      signUps.answerLost.push(email);
    } else if (labelOf(answer) === 'BAD_USER_INPUT/EMAIL_TAKEN' && settled.failedWithAnswer > 0) {
      signUps.committedUnseen.push(email);
    } else {
      load.unexpected.push(`signUp ${email}: ${labelOf(answer)}`);
    }
  }
  return signUps;
}

/** Logs the clients out one after another, `spacingMs` apart. */
export async function logOutInTurn(
  load: Load,
  clients: readonly SessionClient[],
  spacingMs: number,
): Promise<void> {
  for (const client of clients) {
    const settled = await sendUntilSettled(
      load,
      'logout',
      'mutation { logout }',
      client.pair.accessToken,
    );
    const { answer } = settled;
    const revokedBefore = labelOf(answer) === 'UNAUTHENTICATED/SESSION_REVOKED';
    if (answer.kind === 'data' && answer.data.logout === true) client.logout = 'confirmed';
    else if (revokedBefore && settled.unanswered > 0) client.logout = 'answer-lost';
    else if (revokedBefore && settled.failedWithAnswer > 0) client.logout = 'committed-unseen';
    else {
      client.logout = 'unconfirmed';
      load.unexpected.push(`logout of ${client.email}: ${labelOf(answer)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, spacingMs));
  }
}
