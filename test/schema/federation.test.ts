import { printSubgraphSchema } from '@apollo/subgraph';
import { afterEach, describe, expect, it } from 'vitest';
import { federationAuthOf } from '../../src/schema/auth-directives.js';
import { schema } from '../../src/schema/index.js';
import { createTestApp, decodeJwtPart, firstError, type TestApp } from '../helpers/app.js';

let app: TestApp;
afterEach(() => app?.close());

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on User { id email } }
}`;

function lookUp(id: string, token?: string) {
  return app.graphql<{ _entities: ({ id: string; email: string } | null)[] }>(ENTITIES, {
    variables: { representations: [{ __typename: 'User', id }] },
    ...(token === undefined ? {} : { token }),
  });
}

describe('the subgraph SDL', () => {
  const sdl = printSubgraphSchema(schema);

  it('links Federation v2 and makes User an entity keyed by id', () => {
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.5"/);
    expect(sdl).toMatch(/type User\s+@key\(fields: "id"\)/);
  });

  it('carries the auth directives derived from the enforced scopes of every field', () => {
    const fields = [
      ...Object.values(schema.getQueryType()?.getFields() ?? {}),
      ...Object.values(schema.getMutationType()?.getFields() ?? {}),
    ].filter((field) => !field.name.startsWith('_')); // _entities and _service are not printed
    let checked = 0;
    for (const field of fields) {
      const scopes = (field.extensions as { pothosOptions?: { authScopes?: object } }).pothosOptions
        ?.authScopes;
      // A field whose arguments span lines (enrollTotp) is read as one line.
      const oneLine = sdl.replace(
        /\(\n([\s\S]*?)\n\s*\)/g,
        (_all, inner: string) => `(${inner.replace(/\s*\n\s*/g, ' ')})`,
      );
      const line = oneLine.split('\n').find((text) => text.trimStart().startsWith(`${field.name}`));
      expect(line, field.name).toBeDefined();
      if (scopes === undefined) {
        expect(line).not.toContain('@authenticated');
        continue;
      }
      const expected = federationAuthOf(scopes, field.name);
      expect(line?.includes('@authenticated'), field.name).toBe(expected.authenticated);
      if (expected.requiresScopes !== null) {
        expect(line?.replaceAll(' ', ''), field.name).toContain(
          `@requiresScopes(scopes:${JSON.stringify(expected.requiresScopes)})`,
        );
      }
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(4); // me, users, logout, reissue
    expect(sdl).toMatch(/me: User! @authenticated\n/);
    expect(sdl).toMatch(
      /users: \[User!\]! @authenticated @requiresScopes\(scopes: \[\["ADMIN"\]\]\)/,
    );
    expect(sdl).toMatch(/reissue: AuthPayload!\n/);
    expect(sdl).toMatch(/signUp\(input: SignUpInput!\): AuthPayload!\n/);
  });

  it('maps each scope to its directives and refuses what it cannot map', () => {
    expect(federationAuthOf({ accessToken: true }, 'f')).toEqual({
      authenticated: true,
      requiresScopes: null,
    });
    expect(federationAuthOf({ role: 'ADMIN' }, 'f')).toEqual({
      authenticated: true,
      requiresScopes: [['ADMIN']],
    });
    expect(federationAuthOf({ refreshToken: true }, 'f')).toEqual({
      authenticated: false,
      requiresScopes: null,
    });
    // An object, or $any, grants access when any entry passes.
    expect(federationAuthOf({ role: 'ADMIN', accessToken: true }, 'f')).toEqual({
      authenticated: true,
      requiresScopes: null,
    });
    expect(federationAuthOf({ $any: { role: 'ADMIN', refreshToken: true } }, 'f')).toEqual({
      authenticated: false,
      requiresScopes: null,
    });
    expect(federationAuthOf({ $any: { role: 'ADMIN' }, role: 'USER' }, 'f')).toEqual({
      authenticated: true,
      requiresScopes: [['ADMIN'], ['USER']],
    });
    // $all needs every entry.
    expect(federationAuthOf({ $all: { role: 'ADMIN', refreshToken: true } }, 'f')).toEqual({
      authenticated: true,
      requiresScopes: [['ADMIN']],
    });
    expect(() => federationAuthOf(() => true, 'Query.f')).toThrow(/Query.f: use static authScopes/);
    expect(() => federationAuthOf({ $granted: 'x' }, 'f')).toThrow(/no federation directive/);
  });
});

describe('access token scope claim', () => {
  it('lists the roles and the assurance scope, space-separated, as gateways read it', async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: 'root@example.com' });
    const admin = await app.signUp('root@example.com');
    // no_mfa: assurance 1, and nothing more to prove (the account has no second factor).
    expect(decodeJwtPart(admin.accessToken, 1).scope).toBe('USER ADMIN no_mfa');
    expect(decodeJwtPart(admin.refreshToken, 1)).not.toHaveProperty('scope');
    const user = await app.signUp();
    expect(decodeJwtPart(user.accessToken, 1).scope).toBe('USER no_mfa');
  });
});

describe('User entity lookups (_entities)', () => {
  it('resolve the caller themselves', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp();
    const response = await lookUp(user.id, accessToken);
    expect(response.data?._entities).toEqual([{ id: user.id, email: user.email }]);
  });

  it('need an access token: none, or a refresh token, is UNAUTHENTICATED', async () => {
    app = await createTestApp();
    const { refreshToken, user } = await app.signUp();
    expect(firstError(await lookUp(user.id))).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_MISSING',
    });
    expect(firstError(await lookUp(user.id, refreshToken))).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'TOKEN_TYPE_MISMATCH',
    });
  });

  it('refuse another user to a non-admin and allow it to an admin', async () => {
    app = await createTestApp({ AUTH_ADMIN_EMAILS: 'root@example.com' });
    const alice = await app.signUp();
    const bob = await app.signUp();
    const response = await lookUp(bob.user.id, alice.accessToken);
    expect(firstError(response)).toMatchObject({ code: 'FORBIDDEN' });
    expect(JSON.stringify(response)).not.toContain(bob.user.email);

    const admin = await app.signUp('root@example.com');
    expect((await lookUp(bob.user.id, admin.accessToken)).data?._entities).toEqual([
      { id: bob.user.id, email: bob.user.email },
    ]);
    expect((await lookUp('no-such-user', admin.accessToken)).data?._entities).toEqual([null]);
  });

  it('stop working after logout', async () => {
    app = await createTestApp();
    const { accessToken, user } = await app.signUp();
    await app.graphql('mutation { logout }', { token: accessToken });
    expect(firstError(await lookUp(user.id, accessToken))).toMatchObject({
      reason: 'SESSION_REVOKED',
    });
  });
});
