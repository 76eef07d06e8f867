import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import type { Result } from '../result.js';
import { authenticateAccessToken, verifyRefreshToken } from './authenticate.js';
import { type ChangePasswordInput, changePassword } from './change-password.js';
import type { ClientInfo } from './client/client-info.js';
import type { AuthDeps } from './deps.js';
import { type AuditEventPage, listAuditEvents } from './events/audit-log.js';
import { type LogInInput, logIn } from './log-in.js';
import { type LogoutScope, logOut } from './log-out.js';
import { listSessions, revokeOwnSession, revokeUserSessions } from './manage-sessions.js';
import type { SessionRecord, UserRecord } from './ports/records.js';
import type { AuditEventFilter } from './ports/store.js';
import { reissueTokens } from './reissue.js';
import type { AuthGrant } from './sessions/grant.js';
import type { Viewer } from './sessions/viewer.js';
import { type SignUpInput, signUp } from './sign-up.js';
import type { VerifiedToken } from './tokens/token-types.js';
import { createVerifiedTokenCache } from './tokens/verified-token-cache.js';

/** The auth operations bound to their dependencies: what the GraphQL layer calls. */
export interface AuthService {
  signUp(
    input: SignUpInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, InputFailure | RateLimitFailure>>;
  logIn(
    input: LogInInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  authenticateAccessToken(
    authorization: string | null,
  ): Promise<Result<Viewer, AuthenticationFailure>>;
  verifyRefreshToken(
    authorization: string | null,
  ): Promise<Result<VerifiedToken, AuthenticationFailure>>;
  reissue(
    token: VerifiedToken,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | RateLimitFailure>>;
  logOut(viewer: Viewer, scope: LogoutScope, client: ClientInfo): Promise<number>;
  changePassword(
    viewer: Viewer,
    input: ChangePasswordInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  listSessions(viewer: Viewer): Promise<SessionRecord[]>;
  revokeSession(viewer: Viewer, sessionId: string, client: ClientInfo): Promise<boolean>;
  revokeUserSessions(admin: Viewer, userId: string, client: ClientInfo): Promise<number>;
  listAuditEvents(
    filter: AuditEventFilter,
    first: number,
    beforeId?: number,
  ): Promise<Result<AuditEventPage, InputFailure>>;
  /** The user behind a live session; a missing user there is a bug, so it throws. */
  getUser(id: string): Promise<UserRecord>;
  /** The user with this id, or null. */
  findUser(id: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
}

export interface AuthServiceOptions {
  /** How many verified access tokens to remember (0: verify every signature every time). */
  readonly accessTokenCacheSize: number;
}

export function createAuthService(deps: AuthDeps, options: AuthServiceOptions): AuthService {
  // Per instance: two servers in one process share no cached verification.
  const verifiedTokens =
    options.accessTokenCacheSize > 0
      ? createVerifiedTokenCache(options.accessTokenCacheSize)
      : null;
  return {
    signUp: (input, client) => signUp(deps, input, client),
    logIn: (input, client) => logIn(deps, input, client),
    authenticateAccessToken: (authorization) =>
      authenticateAccessToken(deps, authorization, verifiedTokens),
    verifyRefreshToken: (authorization) => verifyRefreshToken(deps, authorization),
    reissue: (token, client) => reissueTokens(deps, token, client),
    logOut: (viewer, scope, client) => logOut(deps, viewer, scope, client),
    changePassword: (viewer, input, client) => changePassword(deps, viewer, input, client),
    listSessions: (viewer) => listSessions(deps, viewer),
    revokeSession: (viewer, id, client) => revokeOwnSession(deps, viewer, id, client),
    revokeUserSessions: (admin, userId, client) => revokeUserSessions(deps, admin, userId, client),
    listAuditEvents: (filter, first, beforeId) =>
      listAuditEvents(deps.store.auditEvents, filter, first, beforeId),
    getUser: async (id) => {
      const user = await deps.store.users.findById(id);
      if (user === null) throw new Error(`User ${id} of a live session does not exist.`);
      return user;
    },
    findUser: (id) => deps.store.users.findById(id),
    listUsers: () => deps.store.users.list(),
  };
}
