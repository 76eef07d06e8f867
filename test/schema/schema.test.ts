import { readFileSync } from 'node:fs';
import { printSubgraphSchema } from '@apollo/subgraph';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

describe('schema.graphql', () => {
  it('is what the code prints: run `npm run schema:print` after changing the API', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(`${printSubgraphSchema(schema)}\n`).toBe(committed);
  });

  it('keeps the contract of issue #2', () => {
    const printed = printSchema(schema);
    for (const line of [
      'signUp(input: SignUpInput!): AuthPayload!',
      'login(input: LoginInput!): AuthPayload!',
      'reissue: AuthPayload!',
      'logout(scope: LogoutScope = CURRENT): Boolean!',
      'me: User!',
      'users: [User!]!',
    ]) {
      expect(printed).toContain(line);
    }
    const typeFields = (name: string) =>
      Object.entries(
        (schema.getType(name) as { getFields(): Record<string, { type: unknown }> }).getFields(),
      ).map(([field, { type }]) => `${field}: ${String(type)}`);
    expect(typeFields('AuthPayload')).toEqual(
      expect.arrayContaining([
        'accessToken: String!',
        'refreshToken: String!',
        'tokenType: String!',
        'accessTokenExpiresAt: DateTime!',
        'refreshTokenExpiresAt: DateTime!',
        'user: User!',
      ]),
    );
    expect(typeFields('User')).toEqual(
      expect.arrayContaining([
        'id: ID!',
        'email: String!',
        'name: String',
        'roles: [Role!]!',
        'createdAt: DateTime!',
      ]),
    );
    expect(typeFields('SignUpInput')).toEqual(
      expect.arrayContaining(['email: String!', 'password: String!', 'name: String']),
    );
    expect(typeFields('LoginInput')).toEqual(
      expect.arrayContaining(['email: String!', 'password: String!']),
    );
    expect(printed).toMatch(/enum LogoutScope \{[^}]*ALL[^}]*CURRENT[^}]*OTHERS[^}]*\}/);
    expect(printed).toMatch(/enum Role \{[^}]*ADMIN[^}]*USER[^}]*\}/);
  });
});
