import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { Clock } from '../../src/clock.js';

// A second, independent subgraph, as another team would write it: it extends our User entity
// with a field of its own and verifies our access tokens itself, from our JWKS over HTTP. It
// shares no code and no secret with the auth service; it knows only the issuer's URLs.

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
  /** The auth service's test clock, so token expiry is judged at the same "now". */
  readonly clock: Clock;
}

interface ProfilesContext {
  readonly authorization: string | null;
}

const COLOURS = new Map<string, string>();

export function setFavouriteColour(userId: string, colour: string): void {
  COLOURS.set(userId, colour);
}

export function createProfilesSubgraph(options: ProfilesOptions) {
  const keys = createRemoteJWKSet(new URL(options.jwksUri));

  /** The verified subject of an access token; refresh tokens and anything else are refused. */
  async function requireSubject(context: unknown): Promise<string> {
    // Resolvers receive the context yoga built below.
    const ctx = context as ProfilesContext;
    const match = /^Bearer ([^\s]+)$/.exec(ctx.authorization ?? '');
    if (match?.[1] === undefined) throw unauthenticated('missing access token');
    try {
      const { payload } = await jwtVerify(match[1], keys, {
        issuer: options.issuer,
        audience: options.audience,
        typ: 'at+jwt', // an RTK carries rt+jwt and fails here
        algorithms: ['EdDSA', 'ES256'],
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(options.clock.now()),
      });
      if (payload.type !== 'access' || typeof payload.sub !== 'string') {
        throw unauthenticated('not an access token');
      }
      // A restricted session (REQUIRE_EMAIL_VERIFICATION) reaches only the auth service's own
      // few fields: FORBIDDEN, not UNAUTHENTICATED, so the client does not log out.
      if ('restrictions' in payload) {
        throw new GraphQLError('Profiles: verify your email address first.', {
          extensions: { code: 'FORBIDDEN', reason: 'EMAIL_NOT_VERIFIED' },
        });
      }
      return payload.sub;
    } catch (error) {
      if (error instanceof errors.JOSEError) throw unauthenticated(error.code);
      throw error;
    }
  }

  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Query: {
        profileOwner: async (_root: unknown, _args: unknown, ctx: unknown) => ({
          id: await requireSubject(ctx),
        }),
      },
      User: {
        __resolveReference: async (ref: { id: string }, ctx: unknown) => {
          if ((await requireSubject(ctx)) !== ref.id) throw unauthenticated('not your profile');
          return { id: ref.id };
        },
        favouriteColour: (user: { id: string }) => COLOURS.get(user.id) ?? 'not chosen yet',
      },
    },
  });

  return createYoga<Record<string, unknown>, ProfilesContext>({
    schema,
    logging: false,
    maskedErrors: true,
    context: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  });
}

function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError('Profiles: access token required.', {
    extensions: { code: 'UNAUTHENTICATED', reason },
  });
}
