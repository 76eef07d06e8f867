import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { PasskeySettings } from '../factors/passkey-settings.js';
import { PASSKEY_CHALLENGE_TTL_MS } from '../factors/passkey-settings.js';
import type { MfaFactorRecord, PasskeyCredential } from '../ports/factor-store.js';

// The one file that speaks WebAuthn, through @simplewebauthn/server: the ceremony options, and
// the verification of what the browser answered. Every ceremony requires user verification
// (the device's PIN or biometric), so a passkey proves two factors on its own.
//
// The library (and the CBOR and ASN.1 parsers it brings) is imported at the first ceremony,
// not at start-up: most starts never see a passkey, and loading it took about a tenth of the
// service's start (see BENCHMARKS.md, section 10). A failed import rejects that ceremony's call.

type WebAuthnLibrary = typeof import('@simplewebauthn/server');
type WebAuthnHelpers = typeof import('@simplewebauthn/server/helpers');

/** The library, imported once on first use; the module cache makes this the same instance. */
let loading: Promise<WebAuthnLibrary & WebAuthnHelpers> | null = null;

function loadWebAuthn(): Promise<WebAuthnLibrary & WebAuthnHelpers> {
  loading ??= Promise.all([
    import('@simplewebauthn/server'),
    import('@simplewebauthn/server/helpers'),
  ]).then(([library, helpers]) => ({ ...library, ...helpers }));
  return loading;
}

/** A credential to name in `allowCredentials` / `excludeCredentials`. */
export interface CredentialDescriptor {
  readonly id: string;
  readonly transports: readonly string[];
}

/** The passkeys to name in `allowCredentials` or `excludeCredentials`. */
export function descriptorsOf(passkeys: readonly MfaFactorRecord[]): CredentialDescriptor[] {
  return passkeys.flatMap(({ credentialId, transports }) =>
    credentialId === null ? [] : [{ id: credentialId, transports: transports ?? [] }],
  );
}

/**
 * The WebAuthn user handle of a user: their id's UTF-8 bytes, as the options carry it
 * (base64url without padding, what the library's `isoBase64URL.fromUTF8String` gives).
 */
export function userHandleOf(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64url');
}

export async function registrationOptions(
  settings: PasskeySettings,
  user: { readonly id: string; readonly email: string },
  challenge: string,
  exclude: readonly CredentialDescriptor[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { generateRegistrationOptions, isoBase64URL } = await loadWebAuthn();
  return generateRegistrationOptions({
    rpName: settings.rpName,
    rpID: settings.rpId,
    userName: user.email,
    userDisplayName: user.email,
    userID: isoBase64URL.toBuffer(userHandleOf(user.id)),
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: PASSKEY_CHALLENGE_TTL_MS,
    attestationType: 'none',
    excludeCredentials: exclude.map(({ id, transports }) => ({ id, transports: [...transports] })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

export async function authenticationOptions(
  settings: PasskeySettings,
  challenge: string,
  allow: readonly CredentialDescriptor[],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions, isoBase64URL } = await loadWebAuthn();
  return generateAuthenticationOptions({
    rpID: settings.rpId,
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: PASSKEY_CHALLENGE_TTL_MS,
    userVerification: 'required',
    allowCredentials: allow.map(({ id, transports }) => ({ id, transports: [...transports] })),
  });
}

/**
 * The credential a registration response proves, or null when it does not verify: bad
 * attestation, another challenge, origin or RP ID, no user verification, or not a registration
 * response at all.
 */
export async function verifyRegistration(
  settings: PasskeySettings,
  response: unknown,
  challenge: string,
): Promise<PasskeyCredential | null> {
  if (!isRegistrationResponse(response)) return null;
  const { verifyRegistrationResponse, isoBase64URL } = await loadWebAuthn();
  try {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...settings.origins],
      expectedRPID: settings.rpId,
      requireUserVerification: true,
    });
    if (!verified.verified) return null;
    const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
    return {
      credentialId: credential.id,
      publicKey: isoBase64URL.fromBuffer(credential.publicKey),
      signCount: credential.counter,
      transports: credential.transports ?? response.response.transports ?? [],
      backupEligible: credentialDeviceType === 'multiDevice',
      backedUp: credentialBackedUp,
    };
  } catch {
    // The library throws for every malformed or mismatching part; which one is not told.
    return null;
  }
}

/** A verified assertion: the counter it signed and the backup state it reported. */
export interface VerifiedAssertion {
  readonly signCount: number;
  readonly backedUp: boolean;
}

/**
 * Verifies an assertion against the stored passkey, with user verification required. The
 * counter is compared by the caller (see isCounterRegression), after the signature: only a
 * genuine signature over a lower counter is a sign of a cloned credential.
 */
export async function verifyAssertion(
  settings: PasskeySettings,
  response: AuthenticationResponseJSON,
  challenge: string,
  passkey: MfaFactorRecord,
): Promise<VerifiedAssertion | null> {
  if (passkey.credentialId === null || passkey.publicKey === null) return null;
  const { verifyAuthenticationResponse, isoBase64URL } = await loadWebAuthn();
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...settings.origins],
      expectedRPID: settings.rpId,
      credential: {
        id: passkey.credentialId,
        publicKey: isoBase64URL.toBuffer(passkey.publicKey),
        // Zero: the library's own counter check would throw before telling a clone apart.
        counter: 0,
        transports: passkey.transports ?? [],
      },
      requireUserVerification: true,
    });
    if (!verified.verified || !verified.authenticationInfo.userVerified) return null;
    const { newCounter, credentialBackedUp } = verified.authenticationInfo;
    return { signCount: newCounter, backedUp: credentialBackedUp };
  } catch {
    return null;
  }
}

/**
 * WebAuthn §6.1.1: an authenticator with a counter signs a greater one each time. A counter at
 * or below the stored one (when either is not zero) means two copies of the key exist.
 */
export function isCounterRegression(stored: number, signed: number): boolean {
  return (stored > 0 || signed > 0) && signed <= stored;
}

/** The shape `verifyRegistrationResponse` reads; the library checks every value. */
function isRegistrationResponse(value: unknown): value is RegistrationResponseJSON {
  if (!isCredentialJson(value)) return false;
  const { response } = value;
  return (
    typeof response.clientDataJSON === 'string' && typeof response.attestationObject === 'string'
  );
}

/** An assertion's shape, with the credential id it names; null for anything else. */
export function readAssertion(value: unknown): AuthenticationResponseJSON | null {
  if (!isCredentialJson(value)) return null;
  const { response } = value;
  const userHandle = response.userHandle;
  const ok =
    typeof response.clientDataJSON === 'string' &&
    typeof response.authenticatorData === 'string' &&
    typeof response.signature === 'string' &&
    (userHandle === undefined || userHandle === null || typeof userHandle === 'string');
  return ok ? (value as unknown as AuthenticationResponseJSON) : null;
}

interface CredentialJson {
  readonly id: string;
  readonly rawId: string;
  readonly type: string;
  readonly response: Readonly<Record<string, unknown>>;
}

function isCredentialJson(value: unknown): value is CredentialJson {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Readonly<Record<string, unknown>>;
  return (
    typeof record.id === 'string' &&
    typeof record.rawId === 'string' &&
    record.type === 'public-key' &&
    typeof record.response === 'object' &&
    record.response !== null
  );
}
