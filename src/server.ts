import type { IncomingMessage } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createAuthService } from './auth/service.js';
import type { AuthDeps } from './auth/types.js';
import type { Config } from './config.js';
import { createWellKnownPlugin } from './http/well-known.js';
import type { Logger } from './logger.js';
import { createGraphQLContext, type GraphQLContext } from './schema/context.js';
import { schema } from './schema/index.js';

export interface ServerDeps extends Omit<AuthDeps, 'settings'> {
  readonly config: Config;
  readonly logger: Logger;
}

/** Present when yoga runs inside node:http; absent for in-process `yoga.fetch` calls. */
export interface ServerContext {
  readonly req?: IncomingMessage;
}

export type AuthServer = YogaServerInstance<ServerContext, GraphQLContext>;

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

/** Builds the GraphQL server. It does not listen: `main.ts` does, tests call `fetch` directly. */
export function createServer(deps: ServerDeps): AuthServer {
  const { config, logger } = deps;
  const auth = createAuthService({
    ...deps,
    settings: {
      issuer: config.issuer,
      audience: config.audience,
      lifetimes: config.lifetimes,
      adminEmails: config.adminEmails,
    },
  });

  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    plugins: [createWellKnownPlugin({ keys: deps.keys, issuer: config.issuer, logger })],
    logging: logger,
    // Unexpected errors become "Unexpected error."; details only in development.
    maskedErrors: { isDev: config.isDevelopment },
    graphiql: config.isProduction
      ? false
      : { title: 'GraphQL auth service', defaultQuery: EXAMPLE_OPERATIONS },
    context: ({ request, req }) =>
      createGraphQLContext(
        auth,
        {
          ip: req?.socket.remoteAddress ?? null,
          userAgent: request.headers.get('user-agent'),
        },
        request.headers.get('authorization'),
      ),
  });
}
