import {
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import type { AuthenticationFailure } from '../../errors.js';
import { failure, type Result, success } from '../../result.js';
import type { KeyRing } from '../keys/key-ring.js';
import { SIGNING_ALGORITHMS } from '../keys/signing-keys.js';
import {
  ROLES,
  type Role,
  SESSION_RESTRICTIONS,
  type SessionRestriction,
} from '../ports/records.js';
import { readAssuranceClaims, scopeOf, statesAssurance } from './assurance-claims.js';
import {
  CLOCK_TOLERANCE_SECONDS,
  lifetimeOf,
  TOKEN_PROFILES,
  type TokenSettings,
  type TokenType,
  type VerifiedToken,
} from './token-types.js';

const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'type'];

/** The header parameters we write. Any other (`jwk`, `jku`, `x5u`, `x5c`, `crit`…) is refused. */
const ALLOWED_HEADER_PARAMETERS = new Set(['alg', 'kid', 'typ']);

/**
 * Verifies a token's signature and claims, statelessly, and checks it is of the `expected` type.
 *
 * Pinned through jose: the algorithm (the one of the key the `kid` names, never the token's
 * choice), the header `typ`, `iss`, `aud`, the required claims, a maximum age since `iat`, and
 * a small clock tolerance. The key is chosen by `kid` among our own active and retiring keys
 * only. A header with any parameter besides `alg`, `kid` and `typ` is refused outright, so
 * `jwk`, `jku`, `x5u` or `crit` can never make the service fetch or trust a key, even on a
 * token we signed.
 *
 * Fails with TOKEN_EXPIRED for a genuine token past its lifetime, TOKEN_TYPE_MISMATCH for a
 * genuine token of the other type, and TOKEN_INVALID for anything else.
 */
export async function verifyToken(
  token: string,
  expected: TokenType,
  keys: KeyRing,
  settings: TokenSettings,
  now: number,
): Promise<Result<VerifiedToken, AuthenticationFailure>> {
  // The unverified header only chooses which profile to verify against; the signature check
  // below pins the same `typ`, so lying in the header gains nothing.
  const type = typeOfHeader(token);
  if (type === null) return failure('TOKEN_INVALID');
  const lifetime = lifetimeOf(type, settings.lifetimes);

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (header) => findKey(keys, header), {
      algorithms: [...SIGNING_ALGORITHMS],
      typ: TOKEN_PROFILES[type].typ,
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: REQUIRED_CLAIMS,
      maxTokenAge: lifetime + CLOCK_TOLERANCE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now),
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return failure('TOKEN_EXPIRED');
    if (error instanceof errors.JOSEError) return failure('TOKEN_INVALID');
    throw error;
  }

  const verified = readClaims(payload, type, lifetime);
  if (verified === null) return failure('TOKEN_INVALID');
  if (verified.type !== expected) return failure('TOKEN_TYPE_MISMATCH');
  return success(verified);
}

function typeOfHeader(token: string): TokenType | null {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return null; // not a JWS in compact form
  }
  if (Object.keys(header).some((name) => !ALLOWED_HEADER_PARAMETERS.has(name))) return null;
  if (header.typ === TOKEN_PROFILES.access.typ) return 'access';
  if (header.typ === TOKEN_PROFILES.refresh.typ) return 'refresh';
  return null;
}

async function findKey(keys: KeyRing, header: ProtectedHeaderParameters) {
  const found =
    typeof header.kid === 'string' ? await keys.findVerificationKey(header.kid) : undefined;
  // The key fixes the algorithm: a token naming our kid with another alg is refused.
  if (found === undefined || found.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
  return found.key;
}

/**
 * Checks the shapes jose does not: our own claims (an access token's `scope`, when present, must
 * be its roles as we write them), and a lifetime no longer than we issue.
 */
function readClaims(payload: JWTPayload, type: TokenType, lifetime: number): VerifiedToken | null {
  const { sub, sid, jti, iat, exp } = payload;
  if (payload.type !== TOKEN_PROFILES[type].type) return null;
  if (!isNonEmptyString(sub) || !isNonEmptyString(sid) || !isNonEmptyString(jti)) return null;
  if (typeof iat !== 'number' || typeof exp !== 'number') return null;
  if (exp - iat > lifetime + CLOCK_TOLERANCE_SECONDS) return null;

  let roles: readonly Role[] = [];
  let restrictions: readonly SessionRestriction[] = [];
  const assurance = readAssuranceClaims(payload, iat);
  if (assurance === null) return null;
  if (type === 'access') {
    const claimed = payload.roles;
    if (!Array.isArray(claimed) || !claimed.every(isRole)) return null;
    roles = claimed;
    const stated = payload.restrictions;
    if (stated !== undefined) {
      if (!Array.isArray(stated) || stated.length === 0 || !stated.every(isRestriction))
        return null;
      // A restricted token carries no role: one that did is not one of ours.
      if (roles.length > 0) return null;
      restrictions = stated;
    }
    // Gateways authorise on `scope`, this service on `roles` and `aal`: a token on which they
    // disagree would be authorised differently by the two, so it is not one of ours. (Without
    // `scope` a gateway grants nothing, which is safe; a token from before the assurance
    // claims has only its roles there.)
    const expectedScope = statesAssurance(payload)
      ? scopeOf(roles, assurance, restrictions)
      : roles.join(' ');
    if (payload.scope !== undefined && payload.scope !== expectedScope) return null;
  }
  return {
    type,
    userId: sub,
    sessionId: sid,
    tokenId: jti,
    issuedAt: iat,
    expiresAt: exp,
    roles,
    restrictions,
    assurance,
  };
}

function isRestriction(value: unknown): value is SessionRestriction {
  return (SESSION_RESTRICTIONS as readonly unknown[]).includes(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}
