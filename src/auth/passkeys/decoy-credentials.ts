import type { AuthDeps } from '../deps.js';
import type { CredentialDescriptor } from './webauthn.js';

// A login by email names the account's passkeys in `allowCredentials`. For an unknown email,
// or an account without passkeys, it names made-up ones instead, so the answer does not tell
// whether the account exists or has passkeys: derived from the email under a server secret,
// the same ids come back each time (asking twice tells nothing either) and nobody else can
// compute them. Finishing such a login fails as INVALID_CREDENTIALS: no passkey has those ids.

const DECOY_TRANSPORTS = ['internal', 'hybrid'] as const;

/** One or two made-up credentials for `email` (normalised), as a real account might have. */
export function decoyCredentials(
  deps: Pick<AuthDeps, 'secrets'>,
  email: string,
): CredentialDescriptor[] {
  const seed = deps.secrets.digest('passkey decoy count', email);
  const count = 1 + ((seed[0] ?? 0) % 2);
  return Array.from({ length: count }, (_, index) => ({
    id: deps.secrets.digest('passkey decoy id', `${index}:${email}`).toString('base64url'),
    transports: DECOY_TRANSPORTS,
  }));
}
