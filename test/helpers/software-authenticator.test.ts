import { createPublicKey } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  type GenerateRegistrationOptionsOpts,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type VerifyAuthenticationResponseOpts,
  type VerifyRegistrationResponseOpts,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { describe, expect, it } from 'vitest';
import {
  createSoftwareAuthenticator,
  type SoftwareAuthenticator,
} from './software-authenticator.js';

// The service's passkey tests stand on this authenticator, so it is proved here against an
// independent relying party, @simplewebauthn/server: what it makes verifies, and each thing it
// can forge is refused for that reason (each refusal is paired with the same call succeeding).

const ORIGIN = 'http://localhost:4000';
const RP_ID = 'localhost';
const USER_ID = 'user-42';

async function creationOptions(
  extra: Partial<GenerateRegistrationOptionsOpts> = {},
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'Test service',
    rpID: RP_ID,
    userName: 'ada@example.com',
    userID: new Uint8Array(Buffer.from(USER_ID)),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    ...extra,
  });
}

async function requestOptions(
  allowCredentials?: { id: string }[],
  rpID = RP_ID,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID, allowCredentials, userVerification: 'required' });
}

function verifyRegistration(
  options: PublicKeyCredentialCreationOptionsJSON,
  response: RegistrationResponseJSON,
  extra: Partial<VerifyRegistrationResponseOpts> = {},
) {
  return verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    requireUserVerification: true,
    ...extra,
  });
}

function verifyAssertion(
  options: PublicKeyCredentialRequestOptionsJSON,
  response: AuthenticationResponseJSON,
  credential: WebAuthnCredential,
  extra: Partial<VerifyAuthenticationResponseOpts> = {},
) {
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: options.rpId ?? RP_ID,
    credential,
    requireUserVerification: true,
    ...extra,
  });
}

/** Registers a passkey and returns what the relying party keeps of it. */
async function enrol(authenticator: SoftwareAuthenticator): Promise<WebAuthnCredential> {
  const options = await creationOptions();
  const verified = await verifyRegistration(options, authenticator.register(options));
  if (!verified.verified) throw new Error('registration did not verify');
  return verified.registrationInfo.credential;
}

/** A tampered signature may fail to verify or fail to parse; either is a refusal. */
async function outcomeOf(verification: Promise<{ verified: boolean }>): Promise<string> {
  return verification.then(
    (result) => (result.verified ? 'verified' : 'refused'),
    () => 'refused',
  );
}

describe('software authenticator: registration', () => {
  it('makes a none-attested ES256 credential the relying party verifies with user verification', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions();
    const response = authenticator.register(options);
    const verified = await verifyRegistration(options, response);

    expect(verified.verified).toBe(true);
    const info = verified.registrationInfo;
    const [stored] = authenticator.credentials;
    expect(info?.fmt).toBe('none');
    expect(info?.userVerified).toBe(true);
    expect(info?.credentialDeviceType).toBe('singleDevice');
    expect(info?.credential.counter).toBe(0);
    expect(info?.credential.id).toBe(response.id);
    expect(stored?.id).toBe(response.id);
    expect(stored?.userHandle).toBe(Buffer.from(USER_ID).toString('base64url'));
    expect(stored?.rpId).toBe(RP_ID);
    expect(Buffer.from(info?.credential.publicKey ?? [])).toEqual(
      Buffer.from(stored?.publicKey ?? [1]),
    );
    expect(response.response.publicKeyAlgorithm).toBe(-7);

    // The COSE key in authData and the SPKI key beside it are the same P-256 point.
    const coseKey = decodeCredentialPublicKey(info?.credential.publicKey ?? new Uint8Array());
    const spki = createPublicKey({
      key: Buffer.from(response.response.publicKey ?? '', 'base64url'),
      format: 'der',
      type: 'spki',
    }).export({ format: 'jwk' });
    if (!cose.isCOSEPublicKeyEC2(coseKey)) throw new Error('not an EC2 COSE key');
    expect(coseKey.get(cose.COSEKEYS.crv)).toBe(cose.COSECRV.P256);
    expect(Buffer.from(coseKey.get(cose.COSEKEYS.x) ?? []).toString('base64url')).toBe(spki.x);
    expect(Buffer.from(coseKey.get(cose.COSEKEYS.y) ?? []).toString('base64url')).toBe(spki.y);
  });

  it('sets the UV flag only when told, and the relying party that requires it refuses', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions();
    const response = authenticator.register(options, { userVerified: false });

    await expect(verifyRegistration(options, response)).rejects.toThrow(/User verification/);
    const lenient = await verifyRegistration(options, response, { requireUserVerification: false });
    expect(lenient.registrationInfo?.userVerified).toBe(false);
  });

  it('clears the UP flag when the user is not present', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions();
    const response = authenticator.register(options, { userPresent: false });

    await expect(verifyRegistration(options, response)).rejects.toThrow(/User presence/);
    await expect(
      verifyRegistration(options, response, { requireUserPresence: false }),
    ).resolves.toMatchObject({ verified: true });
  });

  it('writes the overriding origin and rp id, which the relying party refuses', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions();

    const elsewhere = authenticator.register(options, { origin: 'https://evil.example' });
    await expect(verifyRegistration(options, elsewhere)).rejects.toThrow(/origin/);
    const otherRp = authenticator.register(options, { rpId: 'evil.example' });
    await expect(verifyRegistration(options, otherRp)).rejects.toThrow(/RP ID/);
    await expect(
      verifyRegistration(options, otherRp, { expectedRPID: 'evil.example' }),
    ).resolves.toMatchObject({ verified: true });
  });

  it('sets BE and BS as configured', async () => {
    const authenticator = createSoftwareAuthenticator({
      origin: ORIGIN,
      backupEligible: true,
      backedUp: true,
    });
    const options = await creationOptions();
    const verified = await verifyRegistration(options, authenticator.register(options));

    expect(verified.registrationInfo?.credentialDeviceType).toBe('multiDevice');
    expect(verified.registrationInfo?.credentialBackedUp).toBe(true);
  });

  it('refuses with InvalidStateError when excludeCredentials lists a stored credential', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const first = await enrol(authenticator);

    const again = await creationOptions({ excludeCredentials: [{ id: first.id }] });
    expect(() => authenticator.register(again)).toThrow(
      expect.objectContaining({ name: 'InvalidStateError' }),
    );
    expect(authenticator.credentials).toHaveLength(1);
    // A list of someone else's credentials does not stop it.
    const unrelated = await creationOptions({
      excludeCredentials: [{ id: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    });
    expect(authenticator.register(unrelated).id).not.toBe(first.id);
  });

  it('refuses with NotSupportedError when pubKeyCredParams has no ES256', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const rsaOnly = await creationOptions({ supportedAlgorithmIDs: [-257] });

    expect(() => authenticator.register(rsaOnly)).toThrow(
      expect.objectContaining({ name: 'NotSupportedError' }),
    );
  });
});

describe('software authenticator: authentication', () => {
  it('signs for a credential in allowCredentials, its counter counting each assertion', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const credential = await enrol(authenticator);

    const options = await requestOptions([{ id: credential.id }]);
    const first = await verifyAssertion(options, authenticator.authenticate(options), credential);
    expect(first.verified).toBe(true);
    expect(first.authenticationInfo.newCounter).toBe(1);
    expect(first.authenticationInfo.userVerified).toBe(true);

    const next = await requestOptions([{ id: credential.id }]);
    const second = await verifyAssertion(next, authenticator.authenticate(next), {
      ...credential,
      counter: first.authenticationInfo.newCounter,
    });
    expect(second.verified).toBe(true);
    expect(second.authenticationInfo.newCounter).toBe(2);
    expect(authenticator.credentials[0]?.counter).toBe(2);
  });

  it('answers an empty allowCredentials with the passkey for the rp id and its user handle', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const other = await generateRegistrationOptions({
      rpName: 'Other',
      rpID: 'other.example',
      userName: 'someone',
    });
    authenticator.register(other);
    const credential = await enrol(authenticator);

    const options = await requestOptions();
    const response = authenticator.authenticate(options);
    expect(response.id).toBe(credential.id);
    expect(response.response.userHandle).toBe(Buffer.from(USER_ID).toString('base64url'));
    const verified = await verifyAssertion(options, response, credential);
    expect(verified.verified).toBe(true);
    expect(verified.authenticationInfo.newCounter).toBe(1);
  });

  it('signs with the credential it is told to use, listed or not', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const first = await enrol(authenticator);
    const second = authenticator.register(
      await creationOptions({ userID: new Uint8Array(Buffer.from('user-43')) }),
    );

    const options = await requestOptions([{ id: first.id }, { id: second.id }]);
    expect(authenticator.authenticate(options).id).toBe(first.id);
    expect(authenticator.authenticate(options, { credentialId: second.id }).id).toBe(second.id);
    const onlyFirst = await requestOptions([{ id: first.id }]);
    expect(authenticator.authenticate(onlyFirst, { credentialId: second.id }).id).toBe(second.id);
  });

  it('replaces the passkey it holds for the same rp id and user, as CTAP2 has it', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const old = await enrol(authenticator);
    const options = await creationOptions({ extensions: { credProps: true } });
    const renewed = authenticator.register(options);

    expect(renewed.clientExtensionResults.credProps).toEqual({ rk: true });
    expect(authenticator.credentials.map((c) => c.id)).toEqual([renewed.id]);
    const forOld = await requestOptions([{ id: old.id }]);
    expect(() => authenticator.authenticate(forOld)).toThrow(
      expect.objectContaining({ name: 'NotAllowedError' }),
    );
  });

  it('keeps a non-discoverable credential out of an empty allowCredentials', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const options = await creationOptions();
    const { id } = authenticator.register(options, { residentKey: false });

    const unlisted = await requestOptions();
    expect(() => authenticator.authenticate(unlisted)).toThrow(
      expect.objectContaining({ name: 'NotAllowedError' }),
    );
    const listed = authenticator.authenticate(await requestOptions([{ id }]));
    expect(listed.id).toBe(id);
    expect(listed.response.userHandle).toBeUndefined();
  });

  it('refuses with NotAllowedError when allowCredentials lists none of its credentials', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    await enrol(authenticator);
    const options = await requestOptions([{ id: 'AAAAAAAAAAAAAAAAAAAAAA' }]);

    expect(() => authenticator.authenticate(options)).toThrow(
      expect.objectContaining({ name: 'NotAllowedError' }),
    );
  });

  it('sends UV only when told, and the relying party that requires it refuses', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const credential = await enrol(authenticator);
    const options = await requestOptions([{ id: credential.id }]);
    const response = authenticator.authenticate(options, { userVerified: false });

    await expect(verifyAssertion(options, response, credential)).rejects.toThrow(
      /User verification/,
    );
    const lenient = await verifyAssertion(options, response, credential, {
      requireUserVerification: false,
    });
    expect(lenient.verified).toBe(true);
    expect(lenient.authenticationInfo.userVerified).toBe(false);
  });

  it('writes the overriding origin and rp id, which the relying party refuses', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const credential = await enrol(authenticator);
    const options = await requestOptions([{ id: credential.id }]);

    const elsewhere = authenticator.authenticate(options, { origin: 'https://evil.example' });
    await expect(verifyAssertion(options, elsewhere, credential)).rejects.toThrow(/origin/);
    const otherRp = authenticator.authenticate(options, { rpId: 'evil.example' });
    await expect(verifyAssertion(options, otherRp, credential)).rejects.toThrow(/RP ID/);
  });

  it('breaks the signature when told to, and only then', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const credential = await enrol(authenticator);
    const options = await requestOptions([{ id: credential.id }]);

    const tampered = authenticator.authenticate(options, { tamperSignature: true });
    expect(await outcomeOf(verifyAssertion(options, tampered, credential))).toBe('refused');
    const honest = authenticator.authenticate(options);
    expect(await outcomeOf(verifyAssertion(options, honest, { ...credential, counter: 1 }))).toBe(
      'verified',
    );
  });

  it('sends a forced counter once, which the relying party refuses when it goes backwards', async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN });
    const credential = await enrol(authenticator);
    authenticator.authenticate(await requestOptions([{ id: credential.id }]));
    authenticator.authenticate(await requestOptions([{ id: credential.id }]));
    const seen = { ...credential, counter: 2 };

    const options = await requestOptions([{ id: credential.id }]);
    const backwards = authenticator.authenticate(options, { counter: 1 });
    await expect(verifyAssertion(options, backwards, seen)).rejects.toThrow(/counter/);
    // Its own counter went on from 2, untouched by the forced one.
    const honest = authenticator.authenticate(options);
    const verified = await verifyAssertion(options, honest, seen);
    expect(verified.authenticationInfo.newCounter).toBe(3);
  });

  it("always sends 0 in counter mode 'none', as synced passkeys do", async () => {
    const authenticator = createSoftwareAuthenticator({ origin: ORIGIN, counter: 'none' });
    const credential = await enrol(authenticator);

    for (let i = 0; i < 2; i++) {
      const options = await requestOptions([{ id: credential.id }]);
      const verified = await verifyAssertion(
        options,
        authenticator.authenticate(options),
        credential,
      );
      expect(verified.verified).toBe(true);
      expect(verified.authenticationInfo.newCounter).toBe(0);
    }
    // One credential may count although the authenticator's default does not.
    const counting = authenticator.register(await creationOptions({ userID: new Uint8Array(8) }), {
      counter: 'incrementing',
    });
    authenticator.authenticate(await requestOptions([{ id: counting.id }]));
    expect(authenticator.credentials.find((c) => c.id === counting.id)?.counter).toBe(1);
  });
});
