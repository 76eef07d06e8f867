import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { Viewer } from '../auth/sessions/viewer.js';
import type { VerifiedToken } from '../auth/tokens/token-types.js';
import AuthDirectivesPlugin from './auth-directives.js';
import { type AuthScopes, createScopeLoaders, reportAuthFailure } from './auth-scopes.js';
import type { GraphQLContext } from './context.js';

type WithViewer = GraphQLContext & { viewer: Viewer };

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: AuthScopes;
  AuthContexts: {
    accessToken: WithViewer;
    restrictedAccessToken: WithViewer;
    role: WithViewer;
    secondFactor: WithViewer;
    refreshToken: GraphQLContext & { refreshToken: VerifiedToken };
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | number };
    JSON: { Input: unknown; Output: object };
  };
  DefaultFieldNullability: false;
  FederationScopes: string;
}>({
  // Scope-auth wraps the resolvers. Pothos applies field-config hooks from the last plugin to the
  // first, so AuthDirectives (scopes → directive options) goes after Federation (options →
  // directives), which goes after Directives (directives → SDL).
  plugins: [ScopeAuthPlugin, DirectivesPlugin, FederationPlugin, AuthDirectivesPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Loaders throw the precise UNAUTHENTICATED error; this hands it to the client unchanged.
    treatErrorsAsUnauthorized: true,
    // A subscription's scopes are checked when it is opened, before its stream exists.
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, _context, _info, result) => reportAuthFailure(result.failure),
    authScopes: createScopeLoaders,
  },
});
