import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * Renders GraphiQL with its scripts, styles and editor workers inlined in the page, from
 * `@graphql-yoga/render-graphiql`. Yoga's default page loads them from unpkg.com, which fails
 * offline and trusts a CDN with a page that handles tokens.
 *
 * The bundle is about 9 MB, so it is imported on the first GraphiQL request, not at start-up
 * (and never in production, where GraphiQL is off).
 */
export async function renderLocalGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  // This GraphiQL build opens with `query` (or its welcome text) and ignores `defaultQuery`,
  // so the example operations are handed over under the name it reads.
  const withQuery: GraphiQLOptions & { query?: string } = {
    ...options,
    query: options.defaultQuery,
  };
  return renderGraphiQL(withQuery);
}
