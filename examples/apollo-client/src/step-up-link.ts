import { type ApolloLink, CombinedGraphQLErrors } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { from, Observable, switchMap } from 'rxjs';
import type { StoredTokens, TokenStore } from './token-store.js';

/** What the user typed when asked for their second factor; null when they gave up. */
export type SecondFactorAnswer =
  | { readonly kind: 'totp'; readonly code: string }
  | { readonly kind: 'recoveryCode'; readonly code: string }
  | null;

/**
 * Asks the user for a code. `reason` says why: MFA_REQUIRED (the session must prove its second
 * factor) or REAUTHENTICATION_REQUIRED (it must prove it again, recently). `attempt` starts at 1
 * and grows after each INVALID_CODE, so the prompt can say "try again".
 */
export type PromptForSecondFactor = (
  reason: StepUpReason,
  attempt: number,
) => Promise<SecondFactorAnswer>;

export type StepUpReason = 'MFA_REQUIRED' | 'REAUTHENTICATION_REQUIRED';

export interface StepUpLinkOptions {
  readonly uri: string;
  readonly tokens: TokenStore;
  readonly promptForCode: PromptForSecondFactor;
  readonly fetch?: typeof fetch;
  /** Prompts (after wrong codes) before giving up with the original error; 3 by default. */
  readonly maxAttempts?: number;
}

const RETRIED = 'authRetriedAfterStepUp';

const VERIFY = {
  totp: 'mutation VerifyTotp($code: String!) { verifyTotp(code: $code) { accessToken refreshToken } }',
  recoveryCode:
    'mutation VerifyRecoveryCode($code: String!) { verifyRecoveryCode(code: $code) { accessToken refreshToken } }',
} as const;

interface VerifyAnswer {
  readonly data?: Record<string, StoredTokens | undefined> | null;
  readonly errors?: readonly { readonly extensions?: { readonly reason?: unknown } }[];
}

/**
 * On FORBIDDEN / MFA_REQUIRED or REAUTHENTICATION_REQUIRED: asks `promptForCode`, proves the
 * code with verifyTotp or verifyRecoveryCode (a new pair for the same session at assurance 2,
 * saved in the token store), and retries the operation once. Place it above the auth link, so
 * the retry carries the new access token. A user who gives up gets the original error.
 */
export function createStepUpLink(options: StepUpLinkOptions): ApolloLink {
  const send = options.fetch ?? fetch;
  const maxAttempts = options.maxAttempts ?? 3;

  async function stepUp(reason: StepUpReason): Promise<boolean> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const answer = await options.promptForCode(reason, attempt);
      const current = options.tokens.read();
      if (answer === null || current === null) return false;
      const field = answer.kind === 'totp' ? 'verifyTotp' : 'verifyRecoveryCode';
      const response = await send(options.uri, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${current.accessToken}`,
        },
        body: JSON.stringify({ query: VERIFY[answer.kind], variables: { code: answer.code } }),
      });
      const result = (await response.json()) as VerifyAnswer;
      const pair = result.data?.[field];
      if (pair !== undefined) {
        options.tokens.save({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
        return true;
      }
      // Only a wrong code is worth another prompt; anything else (locked, rate limited) is not.
      if (result.errors?.[0]?.extensions?.reason !== 'INVALID_CODE') return false;
    }
    return false;
  }

  return new ErrorLink(({ error, operation, forward }) => {
    if (!CombinedGraphQLErrors.is(error)) return;
    const reason = findStepUpReason(error.errors);
    if (reason === null || operation.getContext()[RETRIED] === true) return;
    return from(stepUp(reason)).pipe(
      switchMap((steppedUp) => {
        if (!steppedUp)
          return new Observable<ApolloLink.Result>((observer) => observer.error(error));
        operation.setContext({ [RETRIED]: true });
        return forward(operation);
      }),
    );
  });
}

function findStepUpReason(errors: CombinedGraphQLErrors['errors']): StepUpReason | null {
  for (const error of errors) {
    const { code, reason } = error.extensions ?? {};
    if (code === 'FORBIDDEN' && isStepUpReason(reason)) return reason;
  }
  return null;
}

function isStepUpReason(value: unknown): value is StepUpReason {
  return value === 'MFA_REQUIRED' || value === 'REAUTHENTICATION_REQUIRED';
}
