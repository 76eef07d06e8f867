import type { NewSession, NewUser } from '../../src/auth/ports/records.js';

// Records for tests that write to a store directly, below the auth functions.

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const HOUR = 3_600_000;

/** A user `<id>@example.com` with the USER role, created at T0. */
export function newUser(id: string, overrides: Partial<NewUser> = {}): NewUser {
  return {
    id,
    email: `${id}@example.com`,
    name: null,
    passwordHash: 'h',
    roles: ['USER'],
    createdAt: T0,
    emailVerified: false,
    disabledAt: null,
    ...overrides,
  };
}

/** A session started at T0, idle-expiring after two hours and ending after three. */
export function newSession(
  id: string,
  userId: string,
  overrides: Partial<NewSession> = {},
): NewSession {
  return {
    id,
    userId,
    currentRefreshJti: `${id}-jti`,
    rotatedAt: T0,
    createdAt: T0,
    lastUsedAt: T0,
    idleExpiresAt: T0 + 2 * HOUR,
    expiresAt: T0 + 3 * HOUR,
    userAgent: null,
    ip: null,
    restrictions: [],
    assuranceLevel: 1,
    authMethods: ['pwd'],
    authTime: T0,
    stepUpDeadline: null,
    ...overrides,
  };
}
