import type { UserRecord } from '../db/records.js';
import type { AuthenticationFailure, InputFailure } from '../errors.js';
import type { Result } from '../result.js';
import { authenticateAccessToken, verifyRefreshToken } from './authenticate.js';
import { type LogInInput, logIn } from './log-in.js';
import { type LogoutScope, logOut } from './log-out.js';
import { reissueTokens } from './reissue.js';
import { type SignUpInput, signUp } from './sign-up.js';
import type { VerifiedToken } from './token-types.js';
import type { AuthDeps, AuthGrant, ClientInfo, Viewer } from './types.js';

/** The auth operations bound to their dependencies: what the GraphQL layer calls. */
export interface AuthService {
  signUp(input: SignUpInput, client: ClientInfo): Promise<Result<AuthGrant, InputFailure>>;
  logIn(
    input: LogInInput,
    client: ClientInfo,
  ): Promise<Result<AuthGrant, AuthenticationFailure | InputFailure>>;
  authenticateAccessToken(
    authorization: string | null,
  ): Promise<Result<Viewer, AuthenticationFailure>>;
  verifyRefreshToken(
    authorization: string | null,
  ): Promise<Result<VerifiedToken, AuthenticationFailure>>;
  reissue(token: VerifiedToken): Promise<Result<AuthGrant, AuthenticationFailure>>;
  logOut(viewer: Viewer, scope: LogoutScope): Promise<number>;
  /** The user behind a live session; a missing user there is a bug, so it throws. */
  getUser(id: string): Promise<UserRecord>;
  /** The user with this id, or null. */
  findUser(id: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
}

export function createAuthService(deps: AuthDeps): AuthService {
  return {
    signUp: (input, client) => signUp(deps, input, client),
    logIn: (input, client) => logIn(deps, input, client),
    authenticateAccessToken: (authorization) => authenticateAccessToken(deps, authorization),
    verifyRefreshToken: (authorization) => verifyRefreshToken(deps, authorization),
    reissue: (token) => reissueTokens(deps, token),
    logOut: (viewer, scope) => logOut(deps, viewer, scope),
    getUser: async (id) => {
      const user = await deps.store.users.findById(id);
      if (user === null) throw new Error(`User ${id} of a live session does not exist.`);
      return user;
    },
    findUser: (id) => deps.store.users.findById(id),
    listUsers: () => deps.store.users.list(),
  };
}
