import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { expect } from 'vitest';
import type { GraphQLResponse, TestApp } from './app.js';
import { PAIR, type Pair } from './mfa.js';
import {
  type AuthenticateOverrides,
  createSoftwareAuthenticator,
  type RegisterOverrides,
  type SoftwareAuthenticator,
  type SoftwareAuthenticatorOptions,
} from './software-authenticator.js';

// Passkey ceremonies against a test app, played by the software authenticator as the browser
// on the app's own origin (AUTH_ISSUER's, which WEBAUTHN_ORIGINS holds by default).

export interface Challenge<O> {
  readonly challengeId: string;
  readonly options: O;
}

export interface Registered {
  readonly factor: { readonly id: string; readonly type: string; readonly name: string | null };
  readonly recoveryCodes: string[];
  readonly tokens: Pair;
}

/** A software authenticator on the app's origin. */
export function authenticatorFor(
  app: TestApp,
  options: Omit<SoftwareAuthenticatorOptions, 'origin'> = {},
): SoftwareAuthenticator {
  return createSoftwareAuthenticator({ origin: new URL(app.config.issuer).origin, ...options });
}

export async function startRegistration(
  app: TestApp,
  accessToken: string,
  variables: { name?: string; currentPassword?: string } = {},
): Promise<
  GraphQLResponse<{ startPasskeyRegistration: Challenge<PublicKeyCredentialCreationOptionsJSON> }>
> {
  return app.graphql(
    'mutation ($n: String, $p: String) { startPasskeyRegistration(name: $n, currentPassword: $p) { challengeId options } }',
    { token: accessToken, variables: { n: variables.name, p: variables.currentPassword } },
  );
}

export async function finishRegistration(
  app: TestApp,
  accessToken: string,
  challengeId: string,
  response: unknown,
): Promise<GraphQLResponse<{ finishPasskeyRegistration: Registered }>> {
  return app.graphql(
    `mutation ($c: ID!, $r: JSON!) { finishPasskeyRegistration(challengeId: $c, response: $r) { factor { id type name } recoveryCodes tokens { ${PAIR} } } }`,
    { token: accessToken, variables: { c: challengeId, r: response } },
  );
}

/** Registers a passkey for the session of `accessToken`; fails the test unless it succeeds. */
export async function registerPasskey(
  app: TestApp,
  authenticator: SoftwareAuthenticator,
  accessToken: string,
  name = 'Laptop',
  overrides: RegisterOverrides = {},
): Promise<Registered> {
  const started = await startRegistration(app, accessToken, { name });
  expect(started.errors).toBeUndefined();
  const challenge = started.data?.startPasskeyRegistration;
  if (challenge === undefined) throw new Error('startPasskeyRegistration answered nothing');
  const response = authenticator.register(challenge.options, overrides);
  const finished = await finishRegistration(app, accessToken, challenge.challengeId, response);
  expect(finished.errors).toBeUndefined();
  const registered = finished.data?.finishPasskeyRegistration;
  if (registered === undefined) throw new Error('finishPasskeyRegistration answered nothing');
  return registered;
}

export async function startLogin(
  app: TestApp,
  email?: string,
): Promise<Challenge<PublicKeyCredentialRequestOptionsJSON>> {
  const started = await app.graphql<{
    startPasskeyLogin: Challenge<PublicKeyCredentialRequestOptionsJSON>;
  }>('mutation ($e: String) { startPasskeyLogin(email: $e) { challengeId options } }', {
    variables: { e: email },
  });
  expect(started.errors).toBeUndefined();
  const challenge = started.data?.startPasskeyLogin;
  if (challenge === undefined) throw new Error('startPasskeyLogin answered nothing');
  return challenge;
}

export async function finishLogin(
  app: TestApp,
  challengeId: string,
  response: unknown,
): Promise<GraphQLResponse<{ finishPasskeyLogin: Pair }>> {
  return app.graphql(
    `mutation ($c: ID!, $r: JSON!) { finishPasskeyLogin(challengeId: $c, response: $r) { ${PAIR} } }`,
    { variables: { c: challengeId, r: response } },
  );
}

/** A whole passkey login: start (by `email`, or discoverable), sign, finish. */
export async function logInWithPasskey(
  app: TestApp,
  authenticator: SoftwareAuthenticator,
  email?: string,
  overrides: AuthenticateOverrides = {},
): Promise<GraphQLResponse<{ finishPasskeyLogin: Pair }>> {
  const { challengeId, options } = await startLogin(app, email);
  return finishLogin(app, challengeId, authenticator.authenticate(options, overrides));
}

export async function startVerification(
  app: TestApp,
  accessToken: string,
): Promise<
  GraphQLResponse<{ startPasskeyVerification: Challenge<PublicKeyCredentialRequestOptionsJSON> }>
> {
  return app.graphql('mutation { startPasskeyVerification { challengeId options } }', {
    token: accessToken,
  });
}

export async function finishVerification(
  app: TestApp,
  accessToken: string,
  challengeId: string,
  response: unknown,
): Promise<GraphQLResponse<{ finishPasskeyVerification: Pair }>> {
  return app.graphql(
    `mutation ($c: ID!, $r: JSON!) { finishPasskeyVerification(challengeId: $c, response: $r) { ${PAIR} } }`,
    { token: accessToken, variables: { c: challengeId, r: response } },
  );
}

/** The audit events of `types`, oldest first. */
export async function auditOf(app: TestApp, types: readonly string[]) {
  const events = await app.deps.store.auditEvents.list(
    { types: types as Parameters<typeof app.deps.store.auditEvents.list>[0]['types'] },
    100,
  );
  return events.reverse();
}
