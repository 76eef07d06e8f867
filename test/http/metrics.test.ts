import { afterEach, describe, expect, it } from 'vitest';
import { rotateSigningKeys } from '../../src/auth/keys/key-rotation.js';
import { addSharedStateGauges, createAuthMetrics } from '../../src/http/metrics.js';
import { addProcessMetrics } from '../../src/http/process-gauges.js';
import { silentLogger } from '../../src/logger.js';
import { createServer } from '../../src/server.js';
import { createTestApp, firstError, PASSWORD, type TestApp } from '../helpers/app.js';

let app: TestApp;
afterEach(() => app.close());

const TOKEN = 'metrics-scraper-token-0123456789';

/** The value of every unlabelled `auth_*` counter or gauge in a scrape. */
function authSamples(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [, name, value] of text.matchAll(/^(auth_\w+) (\d+)$/gm)) {
    if (name !== undefined) values[name] = Number(value);
  }
  return values;
}

/** The value of every `auth_*_total` counter in a scrape. */
function counters(text: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(authSamples(text)).filter(([name]) => name.endsWith('_total')),
  );
}

async function scrape(headers: Record<string, string> = {}): Promise<Response> {
  return app.yoga.fetch('http://yoga/metrics', { headers });
}

describe('GET /metrics', () => {
  it('serves yoga GraphQL metrics and the auth counters in the Prometheus format', async () => {
    app = await createTestApp();
    await app.graphql('query Probe { __typename }');
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/graphql_envelop_request_duration_count\{[^}]*operationName="Probe"/);
    expect(text).toMatch(/graphql_yoga_http_duration_count\{[^}]*operationName="Probe"/);
    // The URL label is off: one series per query string would also put variables in metrics.
    expect(text).not.toContain('url="');
    for (const name of [
      'auth_logins_succeeded_total',
      'auth_logins_failed_total',
      'auth_reissues_total',
      'auth_refresh_token_reuse_detected_total',
      'auth_rate_limited_requests_total',
      'auth_sessions_revoked_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
  });

  it('counts logins, reissues, reuse, rate-limited requests and revoked sessions', async () => {
    app = await createTestApp({ RATE_LIMIT_LOGIN_ACCOUNT: '3/1m' });
    const email = 'counted@example.com';
    const signUp = await app.signUp(email);
    const login = await app.login(email, PASSWORD);
    const wrong = { variables: { input: { email, password: 'not the password' } } };
    const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }';
    await app.graphql(LOGIN, wrong);
    await app.graphql(LOGIN, wrong);
    const limited = await app.graphql(LOGIN, wrong); // the fourth login for this account in 1m
    expect(limited.errors?.[0]?.extensions?.reason).toBe('RATE_LIMITED');
    // A repeated refusal is counted too (the audit log keeps only the first of a burst).
    expect(firstError(await app.graphql(LOGIN, wrong))?.reason).toBe('RATE_LIMITED');
    expect((await app.reissue(login.refreshToken)).errors).toBeUndefined();
    app.clock.advanceSeconds(60);
    const reused = await app.reissue(login.refreshToken); // ends the login's session
    expect(reused.errors?.[0]?.extensions?.reason).toBe('REFRESH_TOKEN_REUSED');
    await app.graphql('mutation { logout(scope: ALL) }', { token: signUp.accessToken });

    const text = await (await scrape()).text();
    expect(counters(text)).toEqual({
      auth_logins_succeeded_total: 1,
      auth_logins_failed_total: 2,
      auth_reissues_total: 1,
      auth_refresh_token_reuse_detected_total: 1,
      auth_rate_limited_requests_total: 2,
      auth_sessions_revoked_total: 2,
    });
  });

  it('keeps one registry per server', async () => {
    app = await createTestApp();
    const other = await createTestApp();
    await other.graphql('query OnlyOnTheOther { __typename }');
    const text = await (await scrape()).text();
    await other.close();
    expect(text).not.toContain('OnlyOnTheOther');
  });

  it('answers only the bearer token when METRICS_TOKEN is set', async () => {
    app = await createTestApp({ METRICS_TOKEN: TOKEN });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const refused = await scrape(headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await refused.text()).not.toContain('auth_');
    }
    const allowed = await scrape({ authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('auth_reissues_total');
  });

  it('does not exist with METRICS=off', async () => {
    app = await createTestApp({ METRICS: 'off' });
    expect((await scrape()).status).toBe(404);
  });
});

describe('shared-state gauges', () => {
  it('report, at each scrape, whether the revocation channel is up and how many sessions are cached', async () => {
    const metrics = createAuthMetrics();
    let healthy = true;
    let cached = 3;
    addSharedStateGauges(metrics, {
      isRevocationChannelHealthy: () => healthy,
      cachedSessions: () => cached,
      fallbackRateLimitKeys: () => 0,
    });
    expect(authSamples(await metrics.registry.metrics())).toMatchObject({
      auth_revocation_channel_up: 1,
      auth_session_cache_entries: 3,
    });
    healthy = false;
    cached = 0;
    expect(authSamples(await metrics.registry.metrics())).toMatchObject({
      auth_revocation_channel_up: 0,
      auth_session_cache_entries: 0,
    });
  });
});

describe('in-process state gauges', () => {
  const ME = '{ me { id } }';
  const CLIENT = { remoteAddress: '192.0.2.10' };

  async function sizes(): Promise<Record<string, number | undefined>> {
    const samples = authSamples(await (await scrape()).text());
    return {
      verifiedTokens: samples.auth_verified_token_cache_entries,
      rateLimitKeys: samples.auth_rate_limit_memory_keys,
      keyRingKeys: samples.auth_key_ring_imported_keys,
    };
  }

  it('report the verified-token cache, the rate-limit counters and the key ring as they fill', async () => {
    app = await createTestApp({ RATE_LIMIT_SIGNUP_IP: '10/10m', RATE_LIMIT_LOGIN_IP: '10/1m' });
    // The active key's two halves: public to verify, private to sign.
    expect(await sizes()).toEqual({ verifiedTokens: 0, rateLimitKeys: 0, keyRingKeys: 2 });

    const pair = await app.signUp(); // a rate-limit key: sign-ups from no known address
    await app.graphql(ME, { ...CLIENT, token: pair.accessToken });
    await app.graphql(ME, { ...CLIENT, token: pair.accessToken }); // the same token: a hit
    // A second key: sign-ups from CLIENT.
    const other = await app.graphql<{ signUp: { accessToken: string } }>(
      'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }',
      { ...CLIENT, variables: { input: { email: 'gauged@example.com', password: PASSWORD } } },
    );
    await app.graphql(ME, { ...CLIENT, token: other.data?.signUp.accessToken ?? '' });
    expect(await sizes()).toEqual({ verifiedTokens: 2, rateLimitKeys: 2, keyRingKeys: 2 });

    await rotateSigningKeys({ ...app.deps, config: app.config });
    await app.deps.keys.refresh();
    // The new key's halves join the old one's, which still verifies while it retires.
    expect((await sizes()).keyRingKeys).toBe(4);
  });

  it('report an empty verified-token cache when it is off', async () => {
    app = await createTestApp({ ACCESS_TOKEN_CACHE_SIZE: '0' });
    const pair = await app.signUp();
    expect((await app.graphql(ME, { token: pair.accessToken })).errors).toBeUndefined();
    expect((await sizes()).verifiedTokens).toBe(0);
  });

  it("report the Redis rate-limit fallback's keys when the store is shared", async () => {
    app = await createTestApp();
    let fallbackKeys = 5;
    const shared = createServer({
      config: app.config,
      store: app.deps.store,
      clock: app.clock,
      keys: app.deps.keys,
      secrets: app.deps.secrets,
      passwords: app.deps.passwords,
      logger: silentLogger,
      rateLimits: app.deps.rateLimits,
      sharedState: {
        isRevocationChannelHealthy: () => true,
        cachedSessions: () => 0,
        fallbackRateLimitKeys: () => fallbackKeys,
      },
    });
    const read = async () =>
      authSamples(await (await shared.fetch('http://yoga/metrics')).text())
        .auth_rate_limit_memory_keys;
    expect(await read()).toBe(5);
    fallbackKeys = 0;
    expect(await read()).toBe(0);
  });
});

describe('process metrics', () => {
  it('report resident memory, heap, event-loop delay and open handles', async () => {
    const metrics = createAuthMetrics();
    addProcessMetrics(metrics);
    const text = await metrics.registry.metrics();
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_active_handles_total',
    ]) {
      const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
      expect(Number(value), name).toBeGreaterThan(0);
    }
  });
});
