import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_MFA_KEYS } from '../helpers/config.js';
import {
  quoteIdentifier,
  randomDatabaseName,
  requireTestDatabaseUrl,
  runOnServer,
  urlForDatabase,
} from '../helpers/postgres.js';
import { post, type RunningService, startListening, stop } from '../helpers/service-process.js';
import { describeWithServices } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// A real instance on PostgreSQL reached through a proxy the test cuts: what the service does
// while its database is gone, and that it comes back by itself.

describeWithServices(['postgres'], 'an instance whose PostgreSQL goes away', () => {
  // Skipped, this body still runs to collect the tests: the URL is read in beforeAll.
  const database = randomDatabaseName('outage');
  let server: string | undefined;
  let proxy: TcpProxy;
  let service: RunningService;

  beforeAll(async () => {
    server = requireTestDatabaseUrl();
    await runOnServer(server, `create database ${quoteIdentifier(database)}`);
    const direct = new URL(urlForDatabase(server, database));
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(direct.href);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    service = await startListening({
      DATABASE_URL: proxied.href,
      ...TEST_MFA_KEYS,
      AUTH_ISSUER: 'http://auth.outage.test',
      AUTH_AUDIENCE: 'http://auth.outage.test',
    });
  }, 60_000);

  afterAll(async () => {
    if (service) await stop(service.child);
    await proxy?.close();
    if (server !== undefined) {
      await runOnServer(
        server,
        `drop database if exists ${quoteIdentifier(database)} with (force)`,
      );
    }
  });

  const origin = () => new URL(service.url).origin;

  it('fails requests cleanly and is not ready while the database is gone, then recovers without a restart', async () => {
    const signUp = await post(
      service.url,
      'mutation { signUp(input: { email: "outage@example.com", password: "correct horse battery" }) { accessToken } }',
    );
    const { accessToken } = (signUp.data as { signUp: { accessToken: string } }).signUp;
    expect(await post(service.url, '{ me { email } }', accessToken)).toEqual({
      data: { me: { email: 'outage@example.com' } },
    });

    proxy.cut();
    const during = await post(service.url, '{ me { email } }', accessToken);
    expect(during.errors).toEqual([
      expect.objectContaining({
        message: 'Unexpected error.',
        extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }),
      }),
    ]);
    expect((await fetch(`${origin()}/ready`)).status).toBe(503);
    // Keys already loaded keep being published: other services go on verifying tokens.
    const jwks = await fetch(`${origin()}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(((await jwks.json()) as { keys: unknown[] }).keys).toHaveLength(1);

    proxy.restore();
    expect((await fetch(`${origin()}/ready`)).status).toBe(200);
    expect(await post(service.url, '{ me { email } }', accessToken)).toEqual({
      data: { me: { email: 'outage@example.com' } },
    });
  }, 30_000);
});
