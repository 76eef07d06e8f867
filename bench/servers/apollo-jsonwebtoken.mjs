// Peer (b): Apollo Server 5 with jsonwebtoken verifying an HS256 bearer token in the context
// function, the stack most tutorials teach. Same schema shape; `me` comes from the token.

import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import jwt from 'jsonwebtoken';
import { PEER_TYPE_DEFS, readPort } from './peer-schema.mjs';

const secret = process.env.JWT_SECRET;
if (!secret) throw new Error('JWT_SECRET must be set');
const issuer = process.env.JWT_ISSUER;
const audience = process.env.JWT_AUDIENCE;

const server = new ApolloServer({
  typeDefs: PEER_TYPE_DEFS,
  resolvers: {
    Query: {
      me: (_root, _args, ctx) => {
        if (ctx.user === null) {
          throw new GraphQLError('Not authenticated', {
            extensions: { code: 'UNAUTHENTICATED' },
          });
        }
        return { id: ctx.user.sub, email: 'bench@example.com', roles: ['USER'], createdAt: 0 };
      },
      users: () => [],
    },
  },
});

await startStandaloneServer(server, {
  listen: { port: readPort(), host: '127.0.0.1' },
  context: async ({ req }) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    try {
      const user = jwt.verify(token, secret, { algorithms: ['HS256'], issuer, audience });
      return { user };
    } catch {
      return { user: null };
    }
  },
});
