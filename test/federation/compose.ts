import { composeServices } from '@apollo/composition';
import { type DirectiveNode, Kind, parse, print, visit } from 'graphql';

export interface Subgraph {
  readonly name: string;
  /** The subgraph's GraphQL endpoint. */
  readonly url: string;
}

/** Fetches each subgraph's SDL over HTTP (`_service { sdl }`) and composes the supergraph. */
export async function composeSupergraph(subgraphs: readonly Subgraph[]): Promise<string> {
  const services = await Promise.all(
    subgraphs.map(async ({ name, url }) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      const body = (await response.json()) as { data?: { _service: { sdl: string } } };
      if (body.data === undefined) throw new Error(`${name}: no SDL (${JSON.stringify(body)})`);
      return { name, url, typeDefs: parse(body.data._service.sdl) };
    }),
  );
  const result = composeServices(services);
  if (result.errors !== undefined) {
    throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  return result.supergraphSdl;
}

const SECURITY_FEATURES = ['authenticated', 'requiresScopes'];

/**
 * @apollo/gateway refuses supergraphs that use the `for: SECURITY` features @authenticated and
 * @requiresScopes (only Apollo Router enforces them). For the JavaScript gateway in this test,
 * this drops those two features from the composed supergraph; the subgraphs' own checks remain.
 */
export function withoutSecurityFeatures(supergraphSdl: string): string {
  const isSecurityLink = (node: DirectiveNode) =>
    node.name.value === 'link' &&
    node.arguments?.some(
      (arg) =>
        arg.name.value === 'url' &&
        arg.value.kind === Kind.STRING &&
        SECURITY_FEATURES.some(
          (feature) => arg.value.kind === Kind.STRING && arg.value.value.includes(`/${feature}/`),
        ),
    ) === true;
  return print(
    visit(parse(supergraphSdl), {
      Directive(node) {
        if (SECURITY_FEATURES.includes(node.name.value) || isSecurityLink(node)) return null;
        return undefined;
      },
      DirectiveDefinition(node) {
        return SECURITY_FEATURES.includes(node.name.value) ? null : undefined;
      },
      // requiresScopes declares its own scalar, requiresScopes__Scope.
      ScalarTypeDefinition(node) {
        return node.name.value.startsWith('requiresScopes__') ? null : undefined;
      },
    }),
  );
}
