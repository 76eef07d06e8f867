import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import type {
  AuthenticationExtensionsClientOutputs,
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  type AuthenticatorFlags,
  assertionSignatureOf,
  authenticatorDataOf,
  clientDataJSONOf,
  coseKeyOf,
  ES256,
  noneAttestationObjectOf,
} from './webauthn-bytes.js';

/**
 * A browser and a platform authenticator in one, for tests: it takes the options JSON a relying
 * party hands to `navigator.credentials.create()` / `.get()` and answers with what the
 * credential's `toJSON()` would give, signed with a real ES256 (P-256) key per credential and
 * `none` attestation. The per-ceremony options forge what a real browser never would (a wrong
 * origin or rp id, no user verification, a counter going backwards, a broken signature), so the
 * relying party's refusals can be tested; nothing checks the origin against the rp id for that
 * reason.
 */

/** `incrementing`: a counter that starts at 0 and counts each assertion. `none`: always 0, as synced passkeys send. */
export type SignCounterMode = 'incrementing' | 'none';

export interface SoftwareAuthenticatorOptions {
  /** The page's origin, written into clientDataJSON, e.g. `http://localhost:4000`. */
  readonly origin: string;
  /** Default `incrementing`; a credential can choose its own at registration. */
  readonly counter?: SignCounterMode;
  /** The BE flag of new credentials. Default false. */
  readonly backupEligible?: boolean;
  /** The BS flag of new credentials. Default false. */
  readonly backedUp?: boolean;
}

interface CeremonyOverrides {
  /** UV flag. Default true. */
  readonly userVerified?: boolean;
  /** UP flag. Default true. */
  readonly userPresent?: boolean;
  /** The origin in clientDataJSON instead of the authenticator's. */
  readonly origin?: string;
  /** The rp id hashed into authenticatorData instead of the one the options name. */
  readonly rpId?: string;
}

export interface RegisterOverrides extends CeremonyOverrides {
  /** A discoverable credential (a passkey) that answers an empty allowCredentials. Default true. */
  readonly residentKey?: boolean;
  readonly counter?: SignCounterMode;
  readonly backupEligible?: boolean;
  readonly backedUp?: boolean;
}

export interface AuthenticateOverrides extends CeremonyOverrides {
  /** Sign with this stored credential even if allowCredentials does not list it. */
  readonly credentialId?: string;
  /** Send this counter once; the credential's own counter does not move. */
  readonly counter?: number;
  /** Flip a bit of the signature's last byte, keeping its DER shape valid. */
  readonly tamperSignature?: boolean;
}

/** What the authenticator holds for a credential, its private key aside. */
export interface SoftwareCredential {
  /** The credential id, base64url. */
  readonly id: string;
  /** The rp id the registration options named (the origin's host when they name none). */
  readonly rpId: string;
  /** The registration's `user.id`, base64url, as it comes back in a discoverable login. */
  readonly userHandle: string;
  /** Its own sign counter: 0 at registration, +1 per assertion when incrementing; a forced counter leaves it. */
  readonly counter: number;
  /** The COSE_Key, as a relying party stores it. */
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly discoverable: boolean;
  readonly counterMode: SignCounterMode;
  readonly backupEligible: boolean;
  readonly backedUp: boolean;
}

export interface SoftwareAuthenticator {
  /** Creates a credential. Throws the browser's `InvalidStateError` when excludeCredentials lists a stored one, `NotSupportedError` without ES256 in pubKeyCredParams. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides?: RegisterOverrides,
  ): RegistrationResponseJSON;
  /** Signs an assertion. Throws the browser's `NotAllowedError` when no stored credential fits. */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides?: AuthenticateOverrides,
  ): AuthenticationResponseJSON;
  /** A snapshot of the stored credentials, oldest first. */
  readonly credentials: readonly SoftwareCredential[];
}

interface StoredCredential {
  id: string;
  rpId: string;
  userHandle: string;
  counter: number;
  publicKey: Uint8Array<ArrayBuffer>;
  discoverable: boolean;
  counterMode: SignCounterMode;
  backupEligible: boolean;
  backedUp: boolean;
  privateKey: KeyObject;
}

export function createSoftwareAuthenticator(
  settings: SoftwareAuthenticatorOptions,
): SoftwareAuthenticator {
  let stored: StoredCredential[] = [];

  function register(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: RegisterOverrides = {},
  ): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(settings.origin).hostname;
    if (!options.pubKeyCredParams.some((p) => p.type === 'public-key' && p.alg === ES256)) {
      throw new DOMException('pubKeyCredParams does not offer ES256 (-7)', 'NotSupportedError');
    }
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (stored.some((c) => c.rpId === rpId && excluded.has(c.id))) {
      throw new DOMException('a credential in excludeCredentials is stored', 'InvalidStateError');
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rawId = randomBytes(16);
    const credential: StoredCredential = {
      id: rawId.toString('base64url'),
      rpId,
      userHandle: options.user.id,
      counter: 0,
      publicKey: coseKeyOf(publicKey),
      discoverable: overrides.residentKey ?? true,
      counterMode: overrides.counter ?? settings.counter ?? 'incrementing',
      backupEligible: overrides.backupEligible ?? settings.backupEligible ?? false,
      backedUp: overrides.backedUp ?? settings.backedUp ?? false,
      privateKey,
    };
    // As CTAP2 has it, a new discoverable credential replaces the one the authenticator holds
    // for the same rp id and user handle.
    if (credential.discoverable) {
      stored = stored.filter(
        (c) => !(c.discoverable && c.rpId === rpId && c.userHandle === credential.userHandle),
      );
    }
    stored.push(credential);

    const authenticatorData = authenticatorDataOf(
      overrides.rpId ?? rpId,
      flagsOf(credential, overrides),
      credential.counter,
      { rawId, coseKey: credential.publicKey },
    );
    const clientExtensionResults: AuthenticationExtensionsClientOutputs = {};
    if (options.extensions?.credProps === true) {
      clientExtensionResults.credProps = { rk: credential.discoverable };
    }
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSONOf(
          'webauthn.create',
          options.challenge,
          overrides.origin ?? settings.origin,
        ).toString('base64url'),
        attestationObject: Buffer.from(noneAttestationObjectOf(authenticatorData)).toString(
          'base64url',
        ),
        authenticatorData: authenticatorData.toString('base64url'),
        transports: ['internal'],
        publicKeyAlgorithm: ES256,
        publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64url'),
      },
      clientExtensionResults,
      authenticatorAttachment: 'platform',
    };
  }

  function authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: AuthenticateOverrides = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(settings.origin).hostname;
    const credential = chooseCredential(stored, rpId, options, overrides.credentialId);
    let counter = overrides.counter;
    if (counter === undefined) {
      if (credential.counterMode === 'incrementing') credential.counter += 1;
      counter = credential.counter;
    }

    const authenticatorData = authenticatorDataOf(
      overrides.rpId ?? rpId,
      flagsOf(credential, overrides),
      counter,
    );
    const clientDataJSON = clientDataJSONOf(
      'webauthn.get',
      options.challenge,
      overrides.origin ?? settings.origin,
    );
    const signature = assertionSignatureOf(
      authenticatorData,
      clientDataJSON,
      credential.privateKey,
    );
    if (overrides.tamperSignature === true) {
      signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0x01;
    }
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authenticatorData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(credential.discoverable ? { userHandle: credential.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  return {
    register,
    authenticate,
    get credentials(): readonly SoftwareCredential[] {
      return stored.map(({ privateKey: _privateKey, ...credential }) => ({
        ...credential,
        publicKey: new Uint8Array(credential.publicKey),
      }));
    },
  };
}

/** An explicit pick wins; then the first stored credential allowCredentials lists; with none listed, the first passkey for the rp id. */
function chooseCredential(
  stored: readonly StoredCredential[],
  rpId: string,
  options: PublicKeyCredentialRequestOptionsJSON,
  credentialId: string | undefined,
): StoredCredential {
  if (credentialId !== undefined) {
    const picked = stored.find((c) => c.id === credentialId);
    if (picked === undefined) {
      throw new DOMException(`no stored credential ${credentialId}`, 'NotAllowedError');
    }
    return picked;
  }
  const allowed = options.allowCredentials ?? [];
  const candidates =
    allowed.length === 0
      ? stored.filter((c) => c.discoverable && c.rpId === rpId)
      : stored.filter((c) => c.rpId === rpId && allowed.some((a) => a.id === c.id));
  const chosen = candidates[0];
  if (chosen === undefined) {
    throw new DOMException(`no stored credential fits the request for ${rpId}`, 'NotAllowedError');
  }
  return chosen;
}

function flagsOf(credential: StoredCredential, overrides: CeremonyOverrides): AuthenticatorFlags {
  return {
    userPresent: overrides.userPresent ?? true,
    userVerified: overrides.userVerified ?? true,
    backupEligible: credential.backupEligible,
    backedUp: credential.backedUp,
  };
}
