import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from '@pothos/core';
import type { AuthScopes } from './auth-scopes.js';

// The federation auth directives (@authenticated, @requiresScopes) are derived here from the very
// scopes Pothos enforces, so a gateway and this service can never disagree about a field:
//   accessToken: true  → @authenticated
//   role: R            → @authenticated @requiresScopes(scopes: [["R"]])   (ATK `scope` claim)
//   refreshToken: true → nothing: a gateway cannot tell an RTK from an ATK, so `reissue` must
//                         stay reachable; this service alone decides, and refuses the ATK there.
// Setting `authenticated` or `requiresScopes` by hand is refused, so they are never kept twice.

export interface FederationAuth {
  readonly authenticated: boolean;
  readonly requiresScopes: string[][] | null;
}

/** The gateway-side reading of a field's auth scopes. */
export function federationAuthOf(scopes: Partial<AuthScopes>, field: string): FederationAuth {
  const names = Object.keys(scopes);
  if (names.length !== 1) {
    throw new Error(`${field}: declare exactly one auth scope, so the subgraph directives follow.`);
  }
  if (scopes.accessToken === true) return { authenticated: true, requiresScopes: null };
  if (scopes.role !== undefined) return { authenticated: true, requiresScopes: [[scopes.role]] };
  if (scopes.refreshToken === true) return { authenticated: false, requiresScopes: null };
  throw new Error(`${field}: auth scope ${names[0]} has no federation directive mapping.`);
}

const pluginName = 'authDirectives';

export class AuthDirectivesPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): PothosOutputFieldConfig<Types> {
    const options = fieldConfig.pothosOptions as {
      authScopes?: unknown;
      authenticated?: unknown;
      requiresScopes?: unknown;
    };
    const field = `${fieldConfig.parentType}.${fieldConfig.name}`;
    if (options.authenticated !== undefined || options.requiresScopes !== undefined) {
      throw new Error(`${field}: auth directives are derived from authScopes; do not set them.`);
    }
    if (options.authScopes === undefined) return fieldConfig;
    if (typeof options.authScopes !== 'object' || options.authScopes === null) {
      throw new Error(`${field}: use a static authScopes object, so the directives can follow.`);
    }
    const auth = federationAuthOf(options.authScopes as Partial<AuthScopes>, field);
    // The federation plugin reads these options next and prints them as directives.
    const pothosOptions = {
      ...fieldConfig.pothosOptions,
      ...(auth.authenticated ? { authenticated: true } : {}),
      ...(auth.requiresScopes === null ? {} : { requiresScopes: auth.requiresScopes }),
    };
    return { ...fieldConfig, pothosOptions } as PothosOutputFieldConfig<Types>;
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      authDirectives: AuthDirectivesPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, AuthDirectivesPlugin);

export default pluginName;
