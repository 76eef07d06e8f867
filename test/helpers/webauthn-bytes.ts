import { createHash, type KeyObject, sign } from 'node:crypto';
import { type CborValue, encodeCbor } from './cbor.js';

/**
 * The byte formats a WebAuthn authenticator and client write (WebAuthn Level 2, §6.1, §5.8.1,
 * §8.7), kept apart from the software authenticator's state: authenticator data, the `none`
 * attestation object, the collected client data, the COSE_Key and the assertion signature.
 */

export const ES256 = -7;

export interface AuthenticatorFlags {
  readonly userPresent: boolean;
  readonly userVerified: boolean;
  readonly backupEligible: boolean;
  readonly backedUp: boolean;
}

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_BACKUP_ELIGIBLE = 0x08;
const FLAG_BACKED_UP = 0x10;
const FLAG_ATTESTED_CREDENTIAL_DATA = 0x40;

/** What a registration adds to authenticator data: the credential id and its public key. */
export interface AttestedCredential {
  readonly rawId: Uint8Array;
  readonly coseKey: Uint8Array;
}

/**
 * SHA-256(rp id) || flags || counter (4 bytes, big-endian), then at registration the attested
 * credential data: AAGUID (16 zero bytes, as `none` attestation allows) || id length (2 bytes)
 * || id || COSE_Key, with the AT flag saying it is there.
 */
export function authenticatorDataOf(
  rpId: string,
  flags: AuthenticatorFlags,
  counter: number,
  attested?: AttestedCredential,
): Buffer {
  let flagsByte = 0;
  if (flags.userPresent) flagsByte |= FLAG_USER_PRESENT;
  if (flags.userVerified) flagsByte |= FLAG_USER_VERIFIED;
  if (flags.backupEligible) flagsByte |= FLAG_BACKUP_ELIGIBLE;
  if (flags.backedUp) flagsByte |= FLAG_BACKED_UP;
  if (attested !== undefined) flagsByte |= FLAG_ATTESTED_CREDENTIAL_DATA;
  const head = Buffer.alloc(5);
  head[0] = flagsByte;
  head.writeUInt32BE(counter, 1); // throws outside 0..2^32-1
  const parts: Uint8Array[] = [sha256(Buffer.from(rpId, 'utf8')), head];
  if (attested !== undefined) {
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(attested.rawId.length);
    parts.push(Buffer.alloc(16), idLength, attested.rawId, attested.coseKey);
  }
  return Buffer.concat(parts);
}

/** {fmt: "none", attStmt: {}, authData}, its keys in CTAP2 canonical order (shorter first). */
export function noneAttestationObjectOf(authenticatorData: Uint8Array): Uint8Array {
  return encodeCbor(
    new Map<string, CborValue>([
      ['fmt', 'none'],
      ['attStmt', new Map<string, CborValue>()],
      ['authData', authenticatorData],
    ]),
  );
}

/** The collected client data as the browser serialises it, members in its order. */
export function clientDataJSONOf(
  type: 'webauthn.create' | 'webauthn.get',
  challenge: string,
  origin: string,
): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** The EC2 COSE_Key of a P-256 key: {1: kty EC2, 3: alg ES256, -1: crv P-256, -2: x, -3: y}. */
export function coseKeyOf(publicKey: KeyObject): Uint8Array<ArrayBuffer> {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined) throw new Error('P-256 key without x or y');
  return encodeCbor(
    new Map<number, CborValue>([
      [1, 2],
      [3, ES256],
      [-1, 1],
      [-2, Buffer.from(jwk.x, 'base64url')],
      [-3, Buffer.from(jwk.y, 'base64url')],
    ]),
  );
}

/**
 * ECDSA P-256 with SHA-256 over authenticatorData || SHA-256(clientDataJSON). Node signs with
 * an EC key in DER (an ASN.1 SEQUENCE of r and s), the form WebAuthn wants.
 */
export function assertionSignatureOf(
  authenticatorData: Uint8Array,
  clientDataJSON: Uint8Array,
  privateKey: KeyObject,
): Buffer {
  return sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), privateKey);
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
