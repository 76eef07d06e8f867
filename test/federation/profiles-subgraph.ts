import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import {
  type AccessTokenContext,
  requireViewer,
  useAccessTokenVerifier,
} from '../../packages/verifier/src/envelop.js';
import { createAccessTokenVerifier } from '../../packages/verifier/src/index.js';
import type { Clock } from '../../src/clock.js';

// A second, independent subgraph, as another team would write it: it extends our User entity
// with a field of its own and verifies our access tokens with the verifier package
// (packages/verifier): our JWKS over HTTP, and our revocation feed, so a logged-out session is
// refused here too. It shares no code with the auth service, only its URLs and the feed token.

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  type User @key(fields: "id") {
    id: ID!
    "The user's favourite colour, owned by this subgraph."
    favouriteColour: String!
  }

  type Query {
    "The caller, as this subgraph sees them; the gateway fetches the other fields from auth."
    profileOwner: User!
  }
`);

export interface ProfilesOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  /** The service's `GET /revocations` and its REVOCATION_FEED_TOKEN. */
  readonly revocationFeed: { readonly url: string; readonly token: string };
  /** The auth service's test clock, so token expiry is judged at the same "now". */
  readonly clock: Clock;
}

export interface ProfilesSubgraph {
  readonly yoga: YogaServerInstance<Record<string, unknown>, AccessTokenContext>;
  /** Resolves once the verifier has heard the revocation feed (rejects after `timeoutMs`). */
  feedHeard(timeoutMs: number): Promise<void>;
  close(): void;
}

const COLOURS = new Map<string, string>();

export function setFavouriteColour(userId: string, colour: string): void {
  COLOURS.set(userId, colour);
}

export function createProfilesSubgraph(options: ProfilesOptions): ProfilesSubgraph {
  const verifier = createAccessTokenVerifier({
    issuer: options.issuer,
    audience: options.audience,
    jwksUrl: options.jwksUri,
    revocationFeed: options.revocationFeed,
    now: () => options.clock.now(),
  });

  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Query: {
        // Resolvers receive the context the verifier's plugin extended.
        profileOwner: (_root: unknown, _args: unknown, ctx: unknown) => ({
          id: requireViewer(ctx as AccessTokenContext).userId,
        }),
      },
      User: {
        __resolveReference: (ref: { id: string }, ctx: unknown) => {
          if (requireViewer(ctx as AccessTokenContext).userId !== ref.id) {
            throw new GraphQLError('Profiles: not your profile.', {
              extensions: { code: 'FORBIDDEN' },
            });
          }
          return { id: ref.id };
        },
        favouriteColour: (user: { id: string }) => COLOURS.get(user.id) ?? 'not chosen yet',
      },
    },
  });

  const yoga = createYoga<Record<string, unknown>, AccessTokenContext>({
    schema,
    logging: false,
    maskedErrors: true,
    plugins: [useAccessTokenVerifier({ verifier })],
  });
  async function feedHeard(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!verifier.isFeedUp()) {
      if (performance.now() > deadline) throw new Error('profiles: the revocation feed is silent');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return { yoga, feedHeard, close: () => verifier.close() };
}
