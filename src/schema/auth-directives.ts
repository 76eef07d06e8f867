import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  type PothosTypeConfig,
  type SchemaTypes,
} from '@pothos/core';
import { ASSURANCE_SCOPES } from '../auth/ports/records.js';
import type { AuthScopes } from './auth-scopes.js';

// The federation auth directives (@authenticated, @requiresScopes) are derived here from the very
// scopes Pothos enforces, on fields and on object types, so a gateway and this service never
// disagree:
//   accessToken: true  → @authenticated
//   restrictedAccessToken: {…} → @authenticated (a restricted session reaches these too)
//   secondFactor: always     → @authenticated @requiresScopes(scopes: [["aal2"]])
//   secondFactor: ifEnrolled → @authenticated @requiresScopes(scopes: [["aal2"], ["no_mfa"]])
//   role: R            → @authenticated @requiresScopes(scopes: [["R"]])   (ATK `scope` claim)
//   refreshToken: true → nothing: a gateway cannot tell an RTK from an ATK, so `reissue` must
//                         stay reachable; this service alone decides, and refuses the ATK there.
// Several scopes combine as scope-auth combines them (its default "any" strategy, which
// builder.ts keeps): an object or `$any` means any of them,
// `$all` all of them. Scopes decided at run time (functions) cannot be printed, so they are
// refused at build time, as is setting `authenticated` / `requiresScopes` by hand.

export interface FederationAuth {
  readonly authenticated: boolean;
  readonly requiresScopes: string[][] | null;
}

/** One way to satisfy a field's scopes, as a gateway can see it. */
interface Alternative {
  readonly authenticated: boolean;
  readonly scopes: readonly string[];
}

/** The gateway-side reading of a field's or type's auth scopes. */
export function federationAuthOf(scopes: unknown, where: string): FederationAuth {
  const alternatives = alternativesOf(scopes, where);
  const authenticated = alternatives.every((alternative) => alternative.authenticated);
  const scoped = alternatives.every((alternative) => alternative.scopes.length > 0);
  return {
    authenticated,
    requiresScopes: scoped ? alternatives.map((alternative) => [...alternative.scopes]) : null,
  };
}

function alternativesOf(scopes: unknown, where: string): Alternative[] {
  if (typeof scopes !== 'object' || scopes === null || Array.isArray(scopes)) {
    throw new Error(`${where}: use static authScopes objects, so the subgraph directives follow.`);
  }
  const entries = Object.entries(scopes);
  if (entries.length === 0) throw new Error(`${where}: empty authScopes.`);
  // Any of the entries grants access: the union of their alternatives.
  return entries.flatMap(([name, value]) => alternativesOfScope(name, value, where));
}

function alternativesOfScope(name: string, value: unknown, where: string): Alternative[] {
  const scope = name as keyof AuthScopes | '$any' | '$all';
  if (scope === 'accessToken' && value === true) return [{ authenticated: true, scopes: [] }];
  if (scope === 'restrictedAccessToken' && typeof value === 'object' && value !== null) {
    return [{ authenticated: true, scopes: [] }];
  }
  if (scope === 'secondFactor' && (value === 'always' || value === 'ifEnrolled')) {
    const aal2 = { authenticated: true, scopes: [ASSURANCE_SCOPES.aal2] };
    if (value === 'always') return [aal2];
    return [aal2, { authenticated: true, scopes: [ASSURANCE_SCOPES.noMfa] }];
  }
  if (scope === 'role' && typeof value === 'string') {
    return [{ authenticated: true, scopes: [value] }];
  }
  if (scope === 'refreshToken' && value === true) return [{ authenticated: false, scopes: [] }];
  if (scope === '$any') return alternativesOf(value, where);
  if (scope === '$all' && typeof value === 'object' && value !== null) {
    // Every entry must pass: combine one alternative of each.
    return Object.entries(value).reduce<Alternative[]>(
      (combined, [innerName, innerValue]) =>
        combined.flatMap((left) =>
          alternativesOfScope(innerName, innerValue, where).map((right) => ({
            authenticated: left.authenticated || right.authenticated,
            scopes: [...new Set([...left.scopes, ...right.scopes])],
          })),
        ),
      [{ authenticated: false, scopes: [] }],
    );
  }
  throw new Error(`${where}: auth scope ${name} has no federation directive mapping.`);
}

interface DirectiveOptions {
  authScopes?: unknown;
  authenticated?: unknown;
  requiresScopes?: unknown;
}

/** The pothos options with the derived directive options added; the input when no scopes. */
function withDirectiveOptions<T extends object>(options: T, where: string): T {
  const { authScopes, authenticated, requiresScopes } = options as DirectiveOptions;
  if (authenticated !== undefined || requiresScopes !== undefined) {
    throw new Error(`${where}: auth directives are derived from authScopes; do not set them.`);
  }
  if (authScopes === undefined) return options;
  const auth = federationAuthOf(authScopes, where);
  return {
    ...options,
    ...(auth.authenticated ? { authenticated: true } : {}),
    ...(auth.requiresScopes === null ? {} : { requiresScopes: auth.requiresScopes }),
  };
}

const pluginName = 'authDirectives';

/** Feeds the federation plugin's `authenticated` / `requiresScopes` options from `authScopes`. */
export class AuthDirectivesPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onTypeConfig(typeConfig: PothosTypeConfig): PothosTypeConfig {
    if (typeConfig.kind !== 'Object' && typeConfig.kind !== 'Interface') return typeConfig;
    const pothosOptions = withDirectiveOptions(typeConfig.pothosOptions, typeConfig.name);
    return pothosOptions === typeConfig.pothosOptions
      ? typeConfig
      : ({ ...typeConfig, pothosOptions } as PothosTypeConfig);
  }

  override onOutputFieldConfig(
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): PothosOutputFieldConfig<Types> {
    const where = `${fieldConfig.parentType}.${fieldConfig.name}`;
    const pothosOptions = withDirectiveOptions(fieldConfig.pothosOptions, where);
    return pothosOptions === fieldConfig.pothosOptions
      ? fieldConfig
      : ({ ...fieldConfig, pothosOptions } as PothosOutputFieldConfig<Types>);
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
