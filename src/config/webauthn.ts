import { isUnderRpId, type PasskeySettings } from '../auth/factors/passkey-settings.js';
import { ConfigError, type Environment, readOptional } from './environment.js';

/**
 * WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME and WEBAUTHN_ORIGINS. By default the RP ID is AUTH_ISSUER's
 * hostname and the origins are AUTH_ISSUER's and PUBLIC_URL's (the built-in account page's),
 * with those ALLOWED_ORIGINS a passkey of that RP ID can work on; the others are left out and
 * named for a warning. Set explicitly, every origin must be the RP ID's host or under it.
 */
export function readWebAuthn(
  env: Environment,
  sources: {
    readonly issuer: string;
    readonly publicUrl: string;
    readonly allowedOrigins: readonly string[];
    readonly issuerName: string;
  },
): PasskeySettings {
  const explicitRpId = readOptional(env, 'WEBAUTHN_RP_ID')?.trim().toLowerCase();
  const rpId = explicitRpId ?? new URL(sources.issuer).hostname;
  if (explicitRpId !== undefined && !isDomain(explicitRpId)) {
    throw new ConfigError(
      'WEBAUTHN_RP_ID',
      'expected a domain such as example.com (no scheme, port or path; not an IP address)',
      explicitRpId,
    );
  }
  const rpName = readOptional(env, 'WEBAUTHN_RP_NAME')?.trim() || sources.issuerName;
  const explicitOrigins = readOrigins(env);
  const own = [...new Set([sources.issuer, sources.publicUrl].map((url) => new URL(url).origin))];
  if (explicitOrigins !== null || explicitRpId !== undefined) {
    const origins = explicitOrigins ?? [
      ...own,
      ...sources.allowedOrigins.filter((origin) => isUnderRpId(new URL(origin).hostname, rpId)),
    ];
    for (const origin of origins) {
      if (!isUnderRpId(new URL(origin).hostname, rpId)) {
        const variable = explicitOrigins === null ? 'WEBAUTHN_RP_ID' : 'WEBAUTHN_ORIGINS';
        throw new ConfigError(
          variable,
          `the origin ${origin} is not on the RP ID ${rpId} or under it, so no passkey of ${rpId} works there; set WEBAUTHN_RP_ID to a domain both share, or leave the origin out of WEBAUTHN_ORIGINS`,
          variable === 'WEBAUTHN_RP_ID' ? rpId : (readOptional(env, 'WEBAUTHN_ORIGINS') ?? ''),
        );
      }
    }
    return Object.freeze({
      rpId,
      rpName,
      origins: Object.freeze([...new Set(origins)]),
      omittedOrigins: Object.freeze(
        sources.allowedOrigins.filter((origin) => !origins.includes(origin)),
      ),
      suggestedRpId: null,
    });
  }
  const candidates = [...new Set([...own, ...sources.allowedOrigins])];
  const origins = candidates.filter((origin) => isUnderRpId(new URL(origin).hostname, rpId));
  const omittedOrigins = candidates.filter((origin) => !origins.includes(origin));
  return Object.freeze({
    rpId,
    rpName,
    origins: Object.freeze(origins),
    omittedOrigins: Object.freeze(omittedOrigins),
    suggestedRpId: sharedDomain([rpId, ...omittedOrigins.map((o) => new URL(o).hostname)]),
  });
}

function readOrigins(env: Environment): string[] | null {
  const raw = readOptional(env, 'WEBAUTHN_ORIGINS');
  if (raw === undefined || raw.trim() === '') return null;
  const origins: string[] = [];
  for (const entry of raw.split(',')) {
    const origin = entry.trim();
    if (origin === '') continue;
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(
        'WEBAUTHN_ORIGINS',
        'expected a comma-separated list of origins such as https://app.example.com (scheme, host and port; no path or trailing slash)',
        entry,
      );
    }
    origins.push(origin);
  }
  return origins;
}

/** A hostname with at least one letter label: WebAuthn refuses IP addresses as RP IDs. */
function isDomain(value: string): boolean {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(value))
    return false;
  return !/^[0-9.]+$/.test(value);
}

/**
 * The longest domain of two labels or more that every host is or is under (example.com for
 * auth.example.com and app.example.com); null when they share none.
 */
function sharedDomain(hosts: readonly string[]): string | null {
  const [first, ...rest] = hosts.map((host) => host.split('.').reverse());
  if (first === undefined) return null;
  let shared = first.length;
  for (const labels of rest) {
    let same = 0;
    while (same < Math.min(shared, labels.length) && labels[same] === first[same]) same += 1;
    shared = same;
  }
  if (shared < 2) return null;
  const domain = first.slice(0, shared).reverse().join('.');
  return isDomain(domain) ? domain : null;
}
