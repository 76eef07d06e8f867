export type { Duration } from './duration.js';
export {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  CLOCK_TOLERANCE_SECONDS,
  createAccessTokenVerifier,
  type RefusalReason,
  type VerifiedViewer,
  type VerifyResult,
} from './verifier.js';
