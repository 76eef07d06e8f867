import type { MfaSettings } from '../auth/factors/mfa-settings.js';
import { ROLES, type Role } from '../auth/ports/records.js';
import { ConfigError, type Environment, readDuration, readOptional } from './environment.js';
import { readWebAuthn } from './webauthn.js';

/**
 * The second-factor settings: MFA_ISSUER_NAME (default: AUTH_ISSUER's host), MFA_CHALLENGE_TTL,
 * REAUTH_MAX_AGE and MFA_REQUIRED_ROLES; passkeys' WEBAUTHN_* (./webauthn.ts).
 */
export function readMfa(
  env: Environment,
  urls: {
    readonly issuer: string;
    readonly publicUrl: string;
    readonly allowedOrigins: readonly string[];
  },
): MfaSettings {
  const issuerName = readOptional(env, 'MFA_ISSUER_NAME') ?? new URL(urls.issuer).host;
  return Object.freeze({
    issuerName,
    // At least a minute, so a user can open the app and type; at most a day.
    challengeTtl: readDuration(env, 'MFA_CHALLENGE_TTL', '10m', 60, 86_400),
    reauthMaxAge: readDuration(env, 'REAUTH_MAX_AGE', '15m', 60, 86_400),
    requiredRoles: readRequiredRoles(env),
    passkeys: readWebAuthn(env, { ...urls, issuerName }),
  });
}

function readRequiredRoles(env: Environment): readonly Role[] {
  const raw = readOptional(env, 'MFA_REQUIRED_ROLES');
  const roles = new Set<Role>();
  for (const entry of raw?.split(',') ?? []) {
    const role = entry.trim().toUpperCase();
    if (role === '') continue;
    if (!isRole(role)) {
      throw new ConfigError(
        'MFA_REQUIRED_ROLES',
        `expected roles among ${ROLES.join(', ')}`,
        entry,
      );
    }
    roles.add(role);
  }
  return Object.freeze([...roles]);
}

function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
