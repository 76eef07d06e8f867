import type { GraphiQLOptions } from 'graphql-yoga';

/** Sign up or log in, call `me` with the access token, rotate with the refresh token. */
const EXAMPLE_OPERATIONS = `# 1. Create an account (or use login), then copy accessToken from the result.
mutation SignUp {
  signUp(input: { email: "ada@example.com", password: "correct horse battery" }) {
    accessToken
    refreshToken
    accessTokenExpiresAt
    user { id email roles }
  }
}

mutation Login {
  login(input: { email: "ada@example.com", password: "correct horse battery" }) {
    accessToken
    refreshToken
  }
}

# 2. Open the Headers tab below and add:
#    { "Authorization": "Bearer <accessToken>" }
query Me {
  me { id email name roles createdAt }
}

# 3. To rotate, send the refresh token instead: { "Authorization": "Bearer <refreshToken>" }
mutation Reissue {
  reissue { accessToken refreshToken }
}
`;

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

/** What GraphiQL opens with outside production: the title, and example operations. */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'GraphQL auth service',
  defaultQuery: EXAMPLE_OPERATIONS,
};
