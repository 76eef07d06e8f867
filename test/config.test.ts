import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Environment, loadConfig } from '../src/config.js';
import { configError, TEST_MFA_KEYS } from './helpers/config.js';

describe('loadConfig', () => {
  it('has documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: undefined,
      database: { kind: 'sqlite', path: './data/auth.db' },
      issuer: 'http://localhost:4000',
      audience: 'http://localhost:4000',
      lifetimes: {
        accessTokenTtl: 900,
        refreshTokenTtl: 1_209_600,
        sessionMaxAge: 2_592_000,
        refreshReuseInterval: 10,
      },
      isProduction: false,
    });
    expect(config.adminEmails.size).toBe(0);
    expect(config.accessTokenCacheSize).toBe(10_000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'file:/var/lib/auth/auth.db',
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_AUDIENCE: 'https://api.example.com',
      ACCESS_TOKEN_TTL: '300',
      REFRESH_TOKEN_TTL: '7d',
      SESSION_MAX_AGE: '90d',
      REFRESH_REUSE_INTERVAL: '0',
      ACCESS_TOKEN_CACHE_SIZE: '500',
      AUTH_ADMIN_EMAILS: ' Root@Example.com ,ops@example.com,',
      NODE_ENV: 'production',
      SMTP_URL: 'smtp://mailer:pw@smtp.example.com:587',
      ...TEST_MFA_KEYS,
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      database: { path: '/var/lib/auth/auth.db' },
      issuer: 'https://auth.example.com',
      audience: 'https://api.example.com',
      lifetimes: {
        accessTokenTtl: 300,
        refreshTokenTtl: 604_800,
        sessionMaxAge: 7_776_000,
        refreshReuseInterval: 0,
      },
      accessTokenCacheSize: 500,
      isProduction: true,
    });
    expect([...config.adminEmails]).toEqual(['root@example.com', 'ops@example.com']);
  });

  it('turns the access token cache off with ACCESS_TOKEN_CACHE_SIZE=0', () => {
    expect(loadConfig({ ACCESS_TOKEN_CACHE_SIZE: '0' }).accessTokenCacheSize).toBe(0);
  });

  it('accepts :memory: databases', () => {
    expect(loadConfig({ DATABASE_URL: ':memory:' }).database).toMatchObject({ path: ':memory:' });
    expect(loadConfig({ DATABASE_URL: 'file::memory:' }).database).toMatchObject({
      kind: 'sqlite',
      path: ':memory:',
    });
  });

  it('selects PostgreSQL for postgres:// URLs and never shows their password', () => {
    const url = 'postgresql://auth:s3cret@db.internal:5432/auth';
    const issuers = {
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_AUDIENCE: 'https://api.example.com',
      ...TEST_MFA_KEYS,
    };
    expect(
      loadConfig({ ...issuers, DATABASE_URL: url, DATABASE_POOL_SIZE: '25' }).database,
    ).toEqual({
      kind: 'postgres',
      url,
      poolSize: 25,
      queryTimeoutMs: 5000,
      description: 'postgresql://auth:***@db.internal:5432/auth',
    });
    expect(loadConfig({ ...issuers, DATABASE_URL: 'postgres://db/auth' }).database).toMatchObject({
      poolSize: 10,
    });
  });

  it.each([
    ['1s', 1000],
    ['250ms', 250],
    ['2m', 120_000],
  ])('reads DATABASE_QUERY_TIMEOUT=%s as %i ms', (raw, milliseconds) => {
    const env = {
      AUTH_ISSUER: 'https://a.example',
      AUTH_AUDIENCE: 'https://a.example',
      DATABASE_URL: 'postgres://db/auth',
      ...TEST_MFA_KEYS,
    };
    expect(loadConfig({ ...env, DATABASE_QUERY_TIMEOUT: raw }).database).toMatchObject({
      queryTimeoutMs: milliseconds,
    });
  });

  it.each(['postgres://auth:s3cret@db.internal:5432', 'postgres://auth:s3cret@:5432/auth'])(
    'refuses a PostgreSQL URL without a host or database, without printing the password: %s',
    (url) => {
      const error = configError({ DATABASE_URL: url });
      expect(error.variable).toBe('DATABASE_URL');
      expect(error.message).not.toContain('s3cret');
    },
  );

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/auth' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://db/auth', DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    // A bare number could be seconds or milliseconds: a unit is required.
    [
      { DATABASE_URL: 'postgres://db/auth', DATABASE_QUERY_TIMEOUT: '5000' },
      'DATABASE_QUERY_TIMEOUT',
    ],
    [
      { DATABASE_URL: 'postgres://db/auth', DATABASE_QUERY_TIMEOUT: '50ms' },
      'DATABASE_QUERY_TIMEOUT',
    ],
    [
      { DATABASE_URL: 'postgres://db/auth', DATABASE_QUERY_TIMEOUT: '2h' },
      'DATABASE_QUERY_TIMEOUT',
    ],
    [{ DATABASE_URL: 'file:' }, 'DATABASE_URL'],
    [{ AUTH_ISSUER: 'not a url' }, 'AUTH_ISSUER'],
    [{ AUTH_AUDIENCE: 'also not' }, 'AUTH_AUDIENCE'],
    [{ ACCESS_TOKEN_TTL: '15 minutes' }, 'ACCESS_TOKEN_TTL'],
    [{ ACCESS_TOKEN_TTL: '0' }, 'ACCESS_TOKEN_TTL'],
    [{ REFRESH_TOKEN_TTL: '-1' }, 'REFRESH_TOKEN_TTL'],
    [{ SESSION_MAX_AGE: '1y' }, 'SESSION_MAX_AGE'],
    [{ REFRESH_REUSE_INTERVAL: 'soon' }, 'REFRESH_REUSE_INTERVAL'],
    [{ ACCESS_TOKEN_TTL: '15d' }, 'ACCESS_TOKEN_TTL'],
    [{ REFRESH_TOKEN_TTL: '60d' }, 'REFRESH_TOKEN_TTL'],
    [{ REFRESH_REUSE_INTERVAL: '14d' }, 'REFRESH_REUSE_INTERVAL'],
    [{ AUTH_ADMIN_EMAILS: 'root@example.com, nonsense' }, 'AUTH_ADMIN_EMAILS'],
    [{ ACCESS_TOKEN_CACHE_SIZE: 'many' }, 'ACCESS_TOKEN_CACHE_SIZE'],
    [{ ACCESS_TOKEN_CACHE_SIZE: '-1' }, 'ACCESS_TOKEN_CACHE_SIZE'],
    [{ NODE_ENV: 'production' }, 'AUTH_ISSUER'],
    [{ NODE_ENV: 'production', AUTH_ISSUER: 'https://auth.example.com' }, 'AUTH_AUDIENCE'],
  ])('refuses %j, naming %s', (env: Environment, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it('requires AUTH_ISSUER and AUTH_AUDIENCE with PostgreSQL, whose instances must agree on them', () => {
    const postgres = { DATABASE_URL: 'postgres://db/auth' };
    const issuer = configError(postgres);
    expect(issuer.variable).toBe('AUTH_ISSUER');
    expect(issuer.message).toContain('PostgreSQL');
    expect(issuer.message).toContain('follows PORT');
    expect(configError({ ...postgres, AUTH_ISSUER: 'https://auth.example.com' }).variable).toBe(
      'AUTH_AUDIENCE',
    );
    const both = loadConfig({
      ...postgres,
      ...TEST_MFA_KEYS,
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_AUDIENCE: 'https://api.example.com',
    });
    expect([both.issuer, both.audience]).toEqual([
      'https://auth.example.com',
      'https://api.example.com',
    ]);
  });

  it('lets the command line on PostgreSQL run without an issuer, since it issues no tokens', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://db/auth' }, 'cli');
    expect(config.database.kind).toBe('postgres');
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://db/auth', NODE_ENV: 'production' }, 'cli'),
    ).toThrow(/AUTH_ISSUER/);
  });

  it('keeps the SQLite default issuer, which follows PORT', () => {
    expect(loadConfig({ PORT: '4100' }).issuer).toBe('http://localhost:4100');
    expect(loadConfig({ PORT: '4100' }).audience).toBe('http://localhost:4100');
  });

  it('says what a duration accepts', () => {
    expect(configError({ ACCESS_TOKEN_TTL: '15 minutes' }).message).toBe(
      'Invalid ACCESS_TOKEN_TTL="15 minutes": expected whole seconds (900) or a number with s, m, h or d (30s, 15m, 12h, 14d), at least 1s.',
    );
  });
});

describe('loadConfig: abuse defences', () => {
  it('has the documented rate-limit, proxy, retention and body defaults', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual({
      loginPerIp: { limit: 20, windowSeconds: 60 },
      loginPerAccount: { limit: 10, windowSeconds: 900 },
      signUpPerIp: { limit: 10, windowSeconds: 600 },
      reissuePerIp: { limit: 60, windowSeconds: 60 },
      changePasswordPerIp: { limit: 10, windowSeconds: 900 },
      changePasswordPerAccount: { limit: 5, windowSeconds: 900 },
      passwordResetPerIp: { limit: 10, windowSeconds: 900 },
      passwordResetPerAccount: { limit: 3, windowSeconds: 900 },
      emailPerIp: { limit: 10, windowSeconds: 900 },
      emailPerAccount: { limit: 3, windowSeconds: 900 },
      mfaPerAccount: { limit: 5, windowSeconds: 300 },
      passkeyPerIp: { limit: 30, windowSeconds: 300 },
    });
    expect(config.trustedProxyHops).toBe(0);
    expect(config.auditRetention).toBe(90 * 86_400);
    expect(config.maxRequestBytes).toBe(2_097_152);
  });

  it('reads limits, off switches, proxy hops, retention and the body cap', () => {
    const config = loadConfig({
      RATE_LIMIT_LOGIN_IP: '5/30s',
      RATE_LIMIT_LOGIN_ACCOUNT: 'OFF',
      TRUST_PROXY: '2',
      AUDIT_RETENTION: '30d',
      MAX_REQUEST_BYTES: '4096',
    });
    expect(config.rateLimits.loginPerIp).toEqual({ limit: 5, windowSeconds: 30 });
    expect(config.rateLimits.loginPerAccount).toBeNull();
    expect(config.trustedProxyHops).toBe(2);
    expect(config.auditRetention).toBe(30 * 86_400);
    expect(config.maxRequestBytes).toBe(4096);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustedProxyHops).toBe(1);
  });

  it.each([
    ['RATE_LIMIT_LOGIN_IP', '0/1m'],
    ['RATE_LIMIT_LOGIN_IP', '10'],
    ['RATE_LIMIT_SIGNUP_IP', '10/forever'],
    ['RATE_LIMIT_REISSUE_IP', '-1/1m'],
    ['RATE_LIMIT_REISSUE_IP', '10/15m/garbage'],
    ['SHUTDOWN_TIMEOUT', '30d'],
    ['ACCESS_TOKEN_CACHE_SIZE', '-5'],
    ['TRUST_PROXY', 'yes'],
    ['AUDIT_RETENTION', '10s'],
    ['MAX_REQUEST_BYTES', '10'],
    ['MAX_REQUEST_BYTES', '1e6'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    expect(configError({ [variable]: value }).variable).toBe(variable);
  });
});

describe('loadConfig: operations and browser settings', () => {
  it('has documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      logLevel: 'info',
      allowedOrigins: [],
      refreshTokenCookie: false,
      metrics: { enabled: true, token: undefined },
      shutdownTimeout: 10,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      LOG_LEVEL: 'debug',
      ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173,',
      REFRESH_TOKEN_COOKIE: 'true',
      METRICS: 'off',
      METRICS_TOKEN: 'a-long-enough-scrape-token',
      SHUTDOWN_TIMEOUT: '30s',
    });
    expect(config).toMatchObject({
      logLevel: 'debug',
      allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
      refreshTokenCookie: true,
      metrics: { enabled: false, token: 'a-long-enough-scrape-token' },
      shutdownTimeout: 30,
    });
  });

  it.each([
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ ALLOWED_ORIGINS: 'https://app.example.com/' }, 'ALLOWED_ORIGINS'],
    [{ ALLOWED_ORIGINS: 'https://app.example.com/login' }, 'ALLOWED_ORIGINS'],
    [{ ALLOWED_ORIGINS: 'app.example.com' }, 'ALLOWED_ORIGINS'],
    [{ REFRESH_TOKEN_COOKIE: 'yes' }, 'REFRESH_TOKEN_COOKIE'],
    [{ REFRESH_TOKEN_COOKIE: 'true' }, 'ALLOWED_ORIGINS'],
    [{ METRICS: 'maybe' }, 'METRICS'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ METRICS_TOKEN: 'has a space in the middle of it' }, 'METRICS_TOKEN'],
    [{ SHUTDOWN_TIMEOUT: 'never' }, 'SHUTDOWN_TIMEOUT'],
  ])('refuses %j, naming %s', (env: Environment, variable) => {
    expect(configError(env).variable).toBe(variable);
  });

  it('never repeats the metrics token in its error', () => {
    expect(configError({ METRICS_TOKEN: 'secret value' }).message).not.toContain('secret');
  });
});

describe('signing key settings', () => {
  it('defaults to EdDSA keys in the store', () => {
    expect(loadConfig({}).signingKeys).toEqual({ algorithm: 'EdDSA', supplied: null });
  });

  it('accepts ES256 and refuses other algorithms', () => {
    expect(loadConfig({ AUTH_SIGNING_ALGORITHM: 'ES256' }).signingKeys.algorithm).toBe('ES256');
    expect(() => loadConfig({ AUTH_SIGNING_ALGORITHM: 'RS256' })).toThrow(
      'Invalid AUTH_SIGNING_ALGORITHM="RS256": expected one of EdDSA, ES256.',
    );
  });

  it('reads supplied keys from the variable or from the file, not both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, '{"keys":[]}');
    expect(loadConfig({ AUTH_SIGNING_KEYS_FILE: file }).signingKeys.supplied).toEqual({
      variable: 'AUTH_SIGNING_KEYS_FILE',
      json: '{"keys":[]}',
    });
    expect(loadConfig({ AUTH_SIGNING_KEYS: '{"keys":[]}' }).signingKeys.supplied?.variable).toBe(
      'AUTH_SIGNING_KEYS',
    );
    expect(() => loadConfig({ AUTH_SIGNING_KEYS: '{}', AUTH_SIGNING_KEYS_FILE: file })).toThrow(
      /not both/,
    );
    expect(() => loadConfig({ AUTH_SIGNING_KEYS_FILE: join(dir, 'missing.json') })).toThrow(
      /AUTH_SIGNING_KEYS_FILE=.*expected a readable file holding a JWK Set \(ENOENT\)/,
    );
    rmSync(dir, { recursive: true });
  });
});
