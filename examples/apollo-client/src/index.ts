export { type AuthClientOptions, createAuthClient } from './create-client.js';
export { createAuthLink, createRefreshLink } from './links.js';
export { logIn } from './log-in.js';
export {
  createSessionSocket,
  type SessionSocketOptions,
  watchSessionEnded,
} from './session-ended.js';
export {
  createStepUpLink,
  type PromptForSecondFactor,
  type SecondFactorAnswer,
  type StepUpLinkOptions,
  type StepUpReason,
} from './step-up-link.js';
export {
  createTokenRefresher,
  type RefreshOutcome,
  type TokenRefresher,
  type TokenRefresherOptions,
} from './token-refresher.js';
export {
  type AuthStatus,
  createMemoryTokenStore,
  type StoredTokens,
  type TokenStore,
} from './token-store.js';
