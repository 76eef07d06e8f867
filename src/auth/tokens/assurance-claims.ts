import {
  ASSURANCE_SCOPES,
  type AssuranceLevel,
  AUTH_METHODS,
  type AuthMethod,
  type Role,
  type SessionRestriction,
} from '../ports/records.js';

/** How strongly a session was authenticated, as its access tokens state it. */
export interface Assurance {
  readonly level: AssuranceLevel;
  /** RFC 8176 method names, in the order they were proved. */
  readonly methods: readonly AuthMethod[];
  /** The last full authentication or step-up, in whole seconds. */
  readonly authTime: number;
}

/**
 * An access token's `scope` (RFC 9068 §2.2.3): its roles and its assurance scope,
 * space-separated. A restricted token carries no role, so no gateway lets it reach a role's
 * field.
 */
export function scopeOf(
  roles: readonly Role[],
  assurance: Assurance,
  restrictions: readonly SessionRestriction[],
): string {
  return [...roles, ...assuranceScopesOf(assurance, restrictions)].join(' ');
}

function assuranceScopesOf(
  assurance: Assurance,
  restrictions: readonly SessionRestriction[],
): string[] {
  if (assurance.level === 2) return [ASSURANCE_SCOPES.aal2];
  return restrictions.includes('MFA_REQUIRED') ? [] : [ASSURANCE_SCOPES.noMfa];
}

/** The `aal`, `amr` and `auth_time` claims. */
export function assuranceClaims(assurance: Assurance): {
  aal: string;
  amr: string[];
  auth_time: number;
} {
  return {
    aal: `aal${assurance.level}`,
    amr: [...assurance.methods],
    auth_time: assurance.authTime,
  };
}

/**
 * Reads the assurance claims of a verified payload. A token without `aal` predates them: it
 * was issued at assurance 1 after a password, at `issuedAt`. Null when the claims are present
 * but malformed: such a token is not one of ours.
 */
export function readAssuranceClaims(
  payload: Readonly<Record<string, unknown>>,
  issuedAt: number,
): Assurance | null {
  const { aal, amr, auth_time: authTime } = payload;
  if (aal === undefined && amr === undefined && authTime === undefined) {
    return { level: 1, methods: ['pwd'], authTime: issuedAt };
  }
  if (aal !== 'aal1' && aal !== 'aal2') return null;
  if (!Array.isArray(amr) || amr.length === 0 || !amr.every(isAuthMethod)) return null;
  if (typeof authTime !== 'number' || !Number.isInteger(authTime) || authTime > issuedAt) {
    return null;
  }
  return { level: aal === 'aal2' ? 2 : 1, methods: amr, authTime };
}

/** Whether the payload states its assurance (tokens from before assurance claims do not). */
export function statesAssurance(payload: Readonly<Record<string, unknown>>): boolean {
  return payload.aal !== undefined;
}

function isAuthMethod(value: unknown): value is AuthMethod {
  return (AUTH_METHODS as readonly unknown[]).includes(value);
}
