import { expect } from 'vitest';
import { totpCodeAt } from '../../src/auth/factors/totp.js';
import { decodeJwtPart, firstError, PASSWORD, type TestApp } from './app.js';

export const PAIR = 'accessToken refreshToken assuranceLevel restrictions';

export interface Pair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly assuranceLevel: number;
  readonly restrictions: string[];
}

export interface EnrolledTotp {
  readonly factorId: string;
  readonly secret: string;
  readonly recoveryCodes: string[];
  /** The confirming session's pair at assurance 2. */
  readonly pair: Pair;
}

/** What the test's authenticator app shows at the app's clock, `offsetSteps` away. */
export function codeNow(app: TestApp, secret: string, offsetSteps = 0): string {
  return totpCodeAt(secret, app.clock.now() + offsetSteps * 30_000);
}

/** Starts a TOTP factor for the session of `accessToken`. */
export async function startTotp(
  app: TestApp,
  accessToken: string,
  password = PASSWORD,
): Promise<{ factorId: string; secret: string; otpauthUri: string; qrCodeSvg: string }> {
  const started = await app.graphql<{
    enrollTotp: { factorId: string; secret: string; otpauthUri: string; qrCodeSvg: string };
  }>(
    'mutation ($p: String!) { enrollTotp(currentPassword: $p, name: "Phone") { factorId secret otpauthUri qrCodeSvg } }',
    { token: accessToken, variables: { p: password } },
  );
  expect(started.errors).toBeUndefined();
  const enrollment = started.data?.enrollTotp;
  if (enrollment === undefined) throw new Error('enrollTotp answered nothing');
  return enrollment;
}

/** Enrols and confirms a TOTP factor with the current code, then moves the clock a step on. */
export async function enrolTotp(app: TestApp, accessToken: string): Promise<EnrolledTotp> {
  const { factorId, secret } = await startTotp(app, accessToken);
  const confirmed = await app.graphql<{
    confirmTotp: { recoveryCodes: string[]; tokens: Pair };
  }>(
    `mutation ($f: ID!, $c: String!) { confirmTotp(factorId: $f, code: $c) { recoveryCodes tokens { ${PAIR} } } }`,
    { token: accessToken, variables: { f: factorId, c: codeNow(app, secret) } },
  );
  expect(confirmed.errors).toBeUndefined();
  const confirmation = confirmed.data?.confirmTotp;
  if (confirmation === undefined) throw new Error('confirmTotp answered nothing');
  // The confirming code's step is used up: the next code comes from the next step.
  app.clock.advanceSeconds(30);
  return { factorId, secret, recoveryCodes: confirmation.recoveryCodes, pair: confirmation.tokens };
}

export async function verifyTotp(app: TestApp, accessToken: string, code: string) {
  return app.graphql<{ verifyTotp: Pair }>(
    `mutation ($c: String!) { verifyTotp(code: $c) { ${PAIR} } }`,
    { token: accessToken, variables: { c: code } },
  );
}

export async function verifyRecoveryCode(app: TestApp, accessToken: string, code: string) {
  return app.graphql<{ verifyRecoveryCode: Pair }>(
    `mutation ($c: String!) { verifyRecoveryCode(code: $c) { ${PAIR} } }`,
    { token: accessToken, variables: { c: code } },
  );
}

/** Logs in with the password: a pair at assurance 1, restricted when the account has a factor. */
export async function logIn(app: TestApp, email: string): Promise<Pair> {
  const answer = await app.graphql<{ login: Pair }>(
    `mutation ($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { ${PAIR} } }`,
    { variables: { e: email, p: PASSWORD } },
  );
  const pair = answer.data?.login;
  if (pair === undefined) throw new Error(`login failed: ${JSON.stringify(answer.errors)}`);
  return pair;
}

/** The claims of an access token. */
export function claimsOf(token: string): Record<string, unknown> {
  return decodeJwtPart(token, 1);
}

/** `code` and `reason` of the first error. */
export function reasonOf(answer: Parameters<typeof firstError>[0]): {
  code: unknown;
  reason: unknown;
} {
  const extensions = firstError(answer);
  return { code: extensions?.code, reason: extensions?.reason };
}
