import type { AuthenticationFailure, InputFailure, RateLimitFailure } from '../errors.js';
import { failure, type Result, success } from '../result.js';
import { setAccountDisabled } from './account-status.js';
import { canViewUser } from './accounts/user-access.js';
import { authenticateAccessToken, verifyRefreshToken } from './authenticate.js';
import { type ChangeEmailInput, changeEmail } from './change-email.js';
import { type ChangePasswordInput, changePassword } from './change-password.js';
import { clientAddressKey } from './client/client-address.js';
import type { ClientInfo } from './client/client-info.js';
import { confirmEmailChange } from './confirm-email-change.js';
import { deleteAccount } from './delete-account.js';
import type { AuthDeps } from './deps.js';
import { type AuditEventPage, listAuditEvents } from './events/audit-log.js';
import type { SessionEndedEvent, SessionEndedStreams } from './live/session-ended-streams.js';
import { type LogInInput, logIn } from './log-in.js';
import { type LogoutScope, logOut } from './log-out.js';
import { listSessions, revokeOwnSession, revokeUserSessions } from './manage-sessions.js';
import type { SessionRecord, UserRecord } from './ports/records.js';
import type { AuditEventFilter } from './ports/store.js';
import type { LinkFailure } from './recovery/use-link.js';
import { reissueTokens } from './reissue.js';
import { requestEmailVerification } from './request-email-verification.js';
import { requestPasswordReset } from './request-password-reset.js';
import { type ResetPasswordInput, resetPassword } from './reset-password.js';
import { type SecondFactorService, secondFactorOperations } from './second-factor-service.js';
import type { AuthGrant } from './sessions/grant.js';
import {
  announceGrants,
  type TokenListener,
  type WithoutGrants,
} from './sessions/token-listener.js';
import type { Viewer } from './sessions/viewer.js';
import { type SignUpInput, signUp } from './sign-up.js';
import type { VerifiedToken } from './tokens/token-types.js';
import type { VerifiedTokenCache } from './tokens/verified-token-cache.js';
import { verifyEmail } from './verify-email.js';

/** The auth operations bound to their dependencies: what the GraphQL layer calls. */
export interface AuthService extends SecondFactorService {
  signUp(
    input: SignUpInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, InputFailure | RateLimitFailure>>;
  logIn(
    input: LogInInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  /**
   * `onUser` receives the viewer's user when the liveness check read it with the session (the
   * store's reader does; a liveness cache does not), for a request that answers with it.
   */
  authenticateAccessToken(
    authorization: string | null,
    onUser?: (user: UserRecord) => void,
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
  /**
   * The user with this id as `viewer` may see them (themselves, or anyone for an ADMIN: see
   * `canViewUser`), or null when there is none. FORBIDDEN before any lookup otherwise, so the
   * answer says nothing about whether the id exists.
   */
  findVisibleUser(viewer: Viewer, id: string): Promise<Result<UserRecord | null, 'FORBIDDEN'>>;
  listUsers(): Promise<UserRecord[]>;
  /**
   * Opens the viewer's `sessionEnded` stream: one event, the end of the viewer's own session or
   * the expiry of the access token it was opened with, then done. SUBSCRIPTION_LIMIT when the
   * user or the client's address holds as many open streams as allowed.
   */
  watchSessionEnd(
    viewer: Viewer,
    client: ClientInfo,
  ): Result<AsyncIterableIterator<SessionEndedEvent>, 'SUBSCRIPTION_LIMIT'>;
  requestEmailVerification(
    viewer: Viewer,
    client: ClientInfo,
  ): Promise<Result<boolean, AuthenticationFailure | RateLimitFailure>>;
  verifyEmail(token: string, client: ClientInfo): Promise<Result<boolean, LinkFailure>>;
  requestPasswordReset(
    email: string,
    client: ClientInfo,
  ): Promise<Result<boolean, InputFailure | RateLimitFailure>>;
  resetPassword(
    input: ResetPasswordInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure>>;
  changeEmail(
    viewer: Viewer,
    input: ChangeEmailInput,
    client: ClientInfo,
  ): Promise<Result<boolean, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  confirmEmailChange(token: string, client: ClientInfo): Promise<Result<boolean, LinkFailure>>;
  deleteAccount(
    viewer: Viewer,
    currentPassword: string,
    client: ClientInfo,
  ): Promise<Result<boolean, AuthenticationFailure | InputFailure | RateLimitFailure>>;
  /** ADMIN: disables (true) or enables (false) an account; true when this changed it. */
  setUserDisabled(
    admin: Viewer,
    userId: string,
    disabled: boolean,
    client: ClientInfo,
  ): Promise<boolean>;
}

export interface AuthServiceOptions {
  /**
   * The verified access tokens this instance remembers, or null to verify every signature every
   * time. Per instance: two servers in one process must not share one.
   */
  readonly verifiedTokens: VerifiedTokenCache | null;
  /** This instance's open `sessionEnded` streams. */
  readonly sessionEndedStreams: SessionEndedStreams;
}

/**
 * The service for one caller: every grant it hands out and every end of the caller's own
 * session reaches `listener` before the answer is returned.
 */
export type AuthServiceForCaller = (listener: TokenListener) => AuthService;

/** The operations that end sessions: each says whether the caller's own session went with them. */
type SessionEndingName =
  | 'logOut'
  | 'revokeSession'
  | 'revokeUserSessions'
  | 'deleteAccount'
  | 'setUserDisabled';

/**
 * Binds the operations to their dependencies once (the verified-token cache is shared by every
 * caller of this instance); the answer gives each caller its own view reporting to its listener.
 * Grant-issuing operations are told apart by their type and all pass through one wrapper, so a
 * new one cannot issue tokens its caller's listener does not hear of.
 */
export function createAuthService(
  deps: AuthDeps,
  options: AuthServiceOptions,
): AuthServiceForCaller {
  const { verifiedTokens, sessionEndedStreams } = options;
  const others: Omit<WithoutGrants<AuthService>, SessionEndingName | keyof SecondFactorService> = {
    authenticateAccessToken: (authorization, onUser) =>
      authenticateAccessToken(deps, authorization, verifiedTokens, onUser),
    verifyRefreshToken: (authorization) => verifyRefreshToken(deps, authorization),
    listSessions: (viewer) => listSessions(deps, viewer),
    listAuditEvents: (filter, first, beforeId) =>
      listAuditEvents(deps.store.auditEvents, filter, first, beforeId),
    getUser: async (id) => {
      const user = await deps.store.users.findById(id);
      if (user === null) throw new Error(`User ${id} of a live session does not exist.`);
      return user;
    },
    findVisibleUser: async (viewer, id) =>
      canViewUser(viewer, id) ? success(await deps.store.users.findById(id)) : failure('FORBIDDEN'),
    listUsers: () => deps.store.users.list(),
    watchSessionEnd: (viewer, client) =>
      sessionEndedStreams.open({ viewer, address: clientAddressKey(client.ip) }),
    requestEmailVerification: (viewer, client) => requestEmailVerification(deps, viewer, client),
    verifyEmail: (token, client) => verifyEmail(deps, token, client),
    requestPasswordReset: (email, client) => requestPasswordReset(deps, email, client),
    changeEmail: (viewer, input, client) => changeEmail(deps, viewer, input, client),
    confirmEmailChange: (token, client) => confirmEmailChange(deps, token, client),
  };
  return function serveCaller(listener) {
    return {
      ...others,
      ...endSessions(deps, listener),
      ...secondFactorOperations(deps, listener),
      // Every operation that issues a pair. Anywhere else one is a type error: `others` and
      // `endSessions` are typed WithoutGrants, and the unbound functions do not fit AuthService.
      ...announceGrants(deps, listener, {
        signUp,
        logIn,
        reissue: reissueTokens,
        // Rotates the caller's refresh token: the one it held before is reuse from now on.
        changePassword,
        // Ends every session of the account and opens a new one.
        resetPassword,
      }),
    };
  };
}

/** The session-ending operations, telling `listener` when the caller's own session ends. */
function endSessions(
  deps: AuthDeps,
  listener: TokenListener,
): Pick<WithoutGrants<AuthService>, SessionEndingName> {
  return {
    async logOut(viewer, scope, client) {
      const revoked = await logOut(deps, viewer, scope, client);
      // OTHERS keeps the caller's own session.
      if (scope !== 'OTHERS') listener.ended(viewer.sessionId);
      return revoked;
    },
    async revokeSession(viewer, sessionId, client) {
      const revoked = await revokeOwnSession(deps, viewer, sessionId, client);
      if (sessionId === viewer.sessionId) listener.ended(viewer.sessionId);
      return revoked;
    },
    async revokeUserSessions(admin, userId, client) {
      const revoked = await revokeUserSessions(deps, admin, userId, client);
      if (userId === admin.userId) listener.ended(admin.sessionId);
      return revoked;
    },
    async deleteAccount(viewer, currentPassword, client) {
      const deleted = await deleteAccount(deps, viewer, currentPassword, client);
      if (deleted.ok) listener.ended(viewer.sessionId);
      return deleted;
    },
    async setUserDisabled(admin, userId, disabled, client) {
      const actor = { actorId: admin.userId, client };
      const changed = await setAccountDisabled(deps, actor, userId, disabled);
      if (changed && disabled && userId === admin.userId) listener.ended(admin.sessionId);
      return changed;
    },
  };
}
