import { describe, expect, it } from 'vitest';
import { ConfigError, type Environment } from '../../src/config/environment.js';
import { readWebAuthn } from '../../src/config/webauthn.js';

const AUTH = 'https://auth.example.com';

function read(env: Environment, allowedOrigins: readonly string[] = [], publicUrl = AUTH) {
  return readWebAuthn(env, { issuer: AUTH, publicUrl, allowedOrigins, issuerName: 'Example' });
}

function refusal(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME and WEBAUTHN_ORIGINS', () => {
  it('defaults to the issuer’s hostname without the port, and the issuer’s and the page’s origins', () => {
    const settings = readWebAuthn(
      {},
      {
        issuer: 'http://localhost:4000',
        publicUrl: 'http://localhost:4000/base',
        allowedOrigins: [],
        issuerName: 'localhost:4000',
      },
    );
    expect(settings).toEqual({
      rpId: 'localhost',
      rpName: 'localhost:4000',
      origins: ['http://localhost:4000'],
      omittedOrigins: [],
      suggestedRpId: null,
    });
  });

  it('adds the allowed origins under the RP ID, and names the others with the RP ID to set', () => {
    const settings = read({}, ['https://auth.example.com:8443', 'https://app.example.com']);
    expect(settings.rpId).toBe('auth.example.com');
    expect(settings.origins).toEqual(['https://auth.example.com', 'https://auth.example.com:8443']);
    expect(settings.omittedOrigins).toEqual(['https://app.example.com']);
    expect(settings.suggestedRpId).toBe('example.com');
  });

  it('suggests nothing when the omitted origin shares no domain with the RP ID', () => {
    const settings = read({}, ['https://app.other.org']);
    expect(settings.omittedOrigins).toEqual(['https://app.other.org']);
    expect(settings.suggestedRpId).toBeNull();
  });

  it('with WEBAUTHN_RP_ID set, takes every allowed origin under it', () => {
    const settings = read({ WEBAUTHN_RP_ID: 'Example.com', WEBAUTHN_RP_NAME: 'Example Inc.' }, [
      'https://app.example.com',
    ]);
    expect(settings).toMatchObject({
      rpId: 'example.com',
      rpName: 'Example Inc.',
      origins: ['https://auth.example.com', 'https://app.example.com'],
      omittedOrigins: [],
    });
  });

  it('refuses an explicit RP ID that the service’s own origin is not under, naming both', () => {
    const error = refusal(() => read({ WEBAUTHN_RP_ID: 'example.org' }));
    expect(error.message).toContain('WEBAUTHN_RP_ID');
    expect(error.message).toContain('https://auth.example.com');
    expect(error.message).toContain('example.org');
  });

  it('refuses an explicit origin outside the RP ID, naming both', () => {
    const error = refusal(() =>
      read({ WEBAUTHN_ORIGINS: 'https://auth.example.com,https://evil.example.net' }),
    );
    expect(error.message).toContain('WEBAUTHN_ORIGINS');
    expect(error.message).toContain('https://evil.example.net');
    expect(error.message).toContain('auth.example.com');
  });

  it('takes explicit origins as given when all are under the RP ID', () => {
    const settings = read({
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'https://app.example.com, https://example.com',
    });
    expect(settings.origins).toEqual(['https://app.example.com', 'https://example.com']);
  });

  it.each([
    ['an IP address', { WEBAUTHN_RP_ID: '192.0.2.1' }],
    ['a URL', { WEBAUTHN_RP_ID: 'https://example.com' }],
    ['a port', { WEBAUTHN_RP_ID: 'example.com:443' }],
    ['an origin with a path', { WEBAUTHN_ORIGINS: 'https://auth.example.com/login' }],
  ])('refuses %s', (_what, env) => {
    expect(() => read(env)).toThrow(ConfigError);
  });
});
