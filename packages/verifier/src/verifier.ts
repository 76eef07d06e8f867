import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { createDenylist } from './denylist.js';
import { type Duration, millisecondsOf } from './duration.js';
import { type FeedClient, followRevocationFeed } from './feed-client.js';

/** Why a token was refused: the service's own reasons, and two of the verifier's. */
export type RefusalReason =
  | 'TOKEN_MISSING'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_TYPE_MISMATCH'
  | 'SESSION_REVOKED'
  /** A restricted token (the `restrictions` claim): FORBIDDEN, never a full session. */
  | 'TOKEN_RESTRICTED'
  /** `onFeedDown: 'refuse'` and the feed silent longer than `maxFeedSilence`. */
  | 'REVOCATION_FEED_DOWN';

export interface VerifiedViewer {
  readonly userId: string;
  readonly sessionId: string;
  readonly tokenId: string;
  readonly roles: readonly string[];
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  /** 1, or 2 once the session proved a second factor (`aal`). */
  readonly assuranceLevel: 1 | 2;
  /** RFC 8176 methods (`amr`): `pwd`, `otp`, `hwk`. */
  readonly authMethods: readonly string[];
  /** The last full authentication or step-up (`auth_time`), seconds since the epoch. */
  readonly authTime: number;
}

export type VerifyResult =
  | { readonly ok: true; readonly viewer: VerifiedViewer }
  | { readonly ok: false; readonly reason: RefusalReason };

export interface AccessTokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** The service's `GET /revocations` and its REVOCATION_FEED_TOKEN; without, JWKS alone. */
  readonly revocationFeed?: { readonly url: string; readonly token: string };
  /** How long the feed may be silent (it sends a heartbeat every 5 s) before it counts as down. */
  readonly maxFeedSilence?: Duration;
  /**
   * The service's ACCESS_TOKEN_TTL (default '15m'): a token whose lifetime (`exp - iat`) or age
   * exceeds it, plus the clock tolerance, is not one the service issued, as the service checks.
   */
  readonly accessTokenLifetime?: Duration;
  /** What to do while the feed is down: refuse every token (fail closed), or verify by JWKS alone. */
  readonly onFeedDown?: 'refuse' | 'accept';
  /** Hears what the verifier wants an operator to know: the feed down, a fallback taken. */
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** For tests: the key set, the clock (ms) and fetch. */
  readonly keys?: JWTVerifyGetKey;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

export interface AccessTokenVerifier {
  /** Verifies `Authorization: Bearer <token>` (or the bare token) as the service would. */
  verify(authorization: string | null | undefined): Promise<VerifyResult>;
  /** True while the feed has been heard from within `maxFeedSilence` (true without a feed). */
  isFeedUp(): boolean;
  close(): void;
}

/** The service's clock tolerance, seconds. */
export const CLOCK_TOLERANCE_SECONDS = 5;
const ALGORITHMS = ['EdDSA', 'ES256'];
const HEADER_PARAMETERS = new Set(['alg', 'kid', 'typ']);
const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'type'];
const MAX_AUTHORIZATION = 4096;

/**
 * Verifies our access tokens exactly as the service does: EdDSA or ES256 from our JWKS only,
 * header `typ: at+jwt` and no other header parameter than alg, kid and typ, `type: "access"`,
 * `iss`, `aud`, the required claims, expiry with 5 s of tolerance, `roles` and a `scope` that
 * agrees with them. Refresh tokens (TOKEN_TYPE_MISMATCH) and restricted tokens are refused, and
 * so is every session the revocation feed announced (SESSION_REVOKED).
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const now = options.now ?? Date.now;
  const keys = options.keys ?? createRemoteJWKSet(new URL(options.jwksUrl));
  const denylist = createDenylist(CLOCK_TOLERANCE_SECONDS);
  const maxSilenceMs = millisecondsOf(options.maxFeedSilence ?? '10s', 'maxFeedSilence');
  const onFeedDown = options.onFeedDown ?? 'refuse';
  const lifetimeSeconds =
    millisecondsOf(options.accessTokenLifetime ?? '15m', 'accessTokenLifetime') / 1000;
  const log = options.log ?? (() => undefined);
  let feedWasDown = false;
  const feed: FeedClient | null =
    options.revocationFeed === undefined
      ? null
      : followRevocationFeed({
          ...options.revocationFeed,
          denylist,
          fetch: options.fetch ?? fetch,
          now,
          onError: (error) => log('revocation feed connection failed', { error: String(error) }),
        });

  function isFeedUp(): boolean {
    if (feed === null) return true;
    const heard = feed.lastHeardAt();
    return heard !== null && now() - heard <= maxSilenceMs;
  }

  async function verify(authorization: string | null | undefined): Promise<VerifyResult> {
    const token = bearerOf(authorization);
    if (token === null) return { ok: false, reason: 'TOKEN_MISSING' };
    if (token === undefined) return { ok: false, reason: 'TOKEN_INVALID' };
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return { ok: false, reason: 'TOKEN_INVALID' };
    }
    if (Object.keys(header).some((name) => !HEADER_PARAMETERS.has(name))) {
      return { ok: false, reason: 'TOKEN_INVALID' };
    }
    if (header.typ === 'rt+jwt') {
      const refresh = await verified(token, 'rt+jwt');
      return { ok: false, reason: refresh.ok ? 'TOKEN_TYPE_MISMATCH' : refresh.reason };
    }
    const access = await verified(token, 'at+jwt');
    if (!access.ok) return access;
    const viewer = readAccessClaims(access.payload, lifetimeSeconds);
    if (viewer === null) return { ok: false, reason: 'TOKEN_INVALID' };
    if (access.payload.restrictions !== undefined) return { ok: false, reason: 'TOKEN_RESTRICTED' };
    if (!isFeedUp()) {
      if (!feedWasDown) log('revocation feed silent', { maxSilenceMs, onFeedDown });
      feedWasDown = true;
      if (onFeedDown === 'refuse') return { ok: false, reason: 'REVOCATION_FEED_DOWN' };
    } else if (feedWasDown) {
      feedWasDown = false;
      log('revocation feed back');
    }
    if (denylist.has(viewer.sessionId, Math.floor(now() / 1000))) {
      return { ok: false, reason: 'SESSION_REVOKED' };
    }
    return { ok: true, viewer };
  }

  async function verified(
    token: string,
    typ: 'at+jwt' | 'rt+jwt',
  ): Promise<{ ok: true; payload: JWTPayload } | { ok: false; reason: RefusalReason }> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ALGORITHMS,
        typ,
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: REQUIRED_CLAIMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // A refresh token lives longer; its age matters only to say TOKEN_TYPE_MISMATCH.
        ...(typ === 'at+jwt' ? { maxTokenAge: lifetimeSeconds + CLOCK_TOLERANCE_SECONDS } : {}),
        currentDate: new Date(now()),
      });
      if (payload.type !== (typ === 'at+jwt' ? 'access' : 'refresh')) {
        return { ok: false, reason: 'TOKEN_INVALID' };
      }
      return { ok: true, payload };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'TOKEN_EXPIRED' };
      if (error instanceof errors.JOSEError) return { ok: false, reason: 'TOKEN_INVALID' };
      throw error;
    }
  }

  return { verify, isFeedUp, close: () => feed?.close() };
}

/** null: no token; undefined: not a bearer token we could ever have issued. */
function bearerOf(authorization: string | null | undefined): string | null | undefined {
  if (authorization === null || authorization === undefined) return null;
  const trimmed = authorization.trim();
  if (trimmed === '' || /^Bearer\s*$/i.test(trimmed)) return null;
  if (trimmed.length > MAX_AUTHORIZATION) return undefined;
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(trimmed);
  return match?.[1] ?? undefined;
}

const AUTH_METHODS = ['pwd', 'otp', 'hwk'];

interface Assurance {
  readonly assuranceLevel: 1 | 2;
  readonly authMethods: readonly string[];
  readonly authTime: number;
}

/**
 * `aal`, `amr` and `auth_time`, as the service checks them: a token without `aal` predates them
 * (assurance 1 after a password, at `iat`); null when present but malformed.
 */
function readAssurance(payload: JWTPayload, iat: number): Assurance | null {
  const { aal, amr, auth_time: authTime } = payload;
  if (aal === undefined && amr === undefined && authTime === undefined) {
    return { assuranceLevel: 1, authMethods: ['pwd'], authTime: iat };
  }
  if (aal !== 'aal1' && aal !== 'aal2') return null;
  if (!Array.isArray(amr) || amr.length === 0) return null;
  if (!amr.every((method) => AUTH_METHODS.includes(method))) return null;
  if (typeof authTime !== 'number' || !Number.isInteger(authTime) || authTime > iat) return null;
  return { assuranceLevel: aal === 'aal2' ? 2 : 1, authMethods: amr, authTime };
}

/**
 * The `scope` the service writes: the roles, then `aal2` at assurance 2, or `no_mfa` for an
 * assurance-1 token that is not asked for a second factor (a token from before the assurance
 * claims: the roles alone).
 */
function expectedScope(
  payload: JWTPayload,
  roles: readonly string[],
  assurance: Assurance,
): string {
  if (payload.aal === undefined) return roles.join(' ');
  const restrictions = Array.isArray(payload.restrictions) ? payload.restrictions : [];
  const assuranceScope =
    assurance.assuranceLevel === 2
      ? ['aal2']
      : restrictions.includes('MFA_REQUIRED')
        ? []
        : ['no_mfa'];
  return [...roles, ...assuranceScope].join(' ');
}

function readAccessClaims(payload: JWTPayload, lifetimeSeconds: number): VerifiedViewer | null {
  const { sub, sid, jti, iat, exp, roles, scope } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof sid !== 'string' || sid === '') return null;
  if (typeof jti !== 'string' || jti === '' || typeof iat !== 'number') return null;
  if (typeof exp !== 'number') return null;
  if (exp - iat > lifetimeSeconds + CLOCK_TOLERANCE_SECONDS) return null;
  if (!Array.isArray(roles) || !roles.every((role) => role === 'USER' || role === 'ADMIN')) {
    return null;
  }
  const assurance = readAssurance(payload, iat);
  if (assurance === null) return null;
  // The service refuses a token whose `scope` disagrees with its roles and assurance; so must we.
  if (scope !== undefined && scope !== expectedScope(payload, roles, assurance)) return null;
  return { userId: sub, sessionId: sid, tokenId: jti, roles, expiresAt: exp, ...assurance };
}
