import type { Clock } from '../clock.js';
import type { MfaSettings } from './factors/mfa-settings.js';
import type { KeyRing } from './keys/key-ring.js';
import type { RateLimitRules } from './limits/rate-limit-rules.js';
import type { PasswordHasher } from './passwords/passwords.js';
import type { AuthEventSink } from './ports/event-sink.js';
import type { RateLimitStore } from './ports/rate-limit-store.js';
import type { SecretBox } from './ports/secret-box.js';
import type { Store } from './ports/store.js';
import type { LinkSettings } from './recovery/link-settings.js';
import type { SessionLiveness } from './sessions/session-liveness.js';
import type { TokenSettings } from './tokens/token-types.js';

export interface AuthSettings extends TokenSettings {
  /** Normalised emails that receive the ADMIN role when they sign up. */
  readonly adminEmails: ReadonlySet<string>;
  readonly rateLimits: RateLimitRules;
  /** REQUIRE_EMAIL_VERIFICATION: sessions of unverified accounts are restricted. */
  readonly requireEmailVerification: boolean;
  /** Link lifetimes and where the links point. */
  readonly links: LinkSettings;
  /** Second factors: the TOTP issuer, the step-up window, re-authentication, required roles. */
  readonly mfa: MfaSettings;
}

/** Everything the auth functions need, passed explicitly: no singletons. */
export interface AuthDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly passwords: PasswordHasher;
  readonly rateLimits: RateLimitStore;
  /** Whether an access token's session is still live; read by every protected request. */
  readonly liveness: SessionLiveness;
  readonly events: AuthEventSink;
  readonly settings: AuthSettings;
  /** Seals TOTP secrets at rest. */
  readonly secrets: SecretBox;
  /** Told after a write queued mail, so this instance's sender delivers it without waiting. */
  readonly mailQueued?: (() => void) | undefined;
}
