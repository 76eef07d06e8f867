// Baseline (a): bare graphql-yoga, the same schema shape, no authentication at all. It is the
// ceiling for any yoga server on this machine. `graphql-yoga` resolves to the service's own
// copy (bench/ does not install one), so both run the same yoga and graphql.

import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { PEER_TYPE_DEFS, readPort } from './peer-schema.mjs';

const user = {
  id: '5d7c2b4e-0000-4000-8000-000000000000',
  email: 'bench@example.com',
  name: null,
  roles: ['USER'],
  createdAt: 0,
};

const yoga = createYoga({
  schema: createSchema({
    typeDefs: PEER_TYPE_DEFS,
    resolvers: { Query: { me: () => user, users: () => [user] } },
  }),
  graphqlEndpoint: '/graphql',
  landingPage: false,
  graphiql: false,
  logging: false,
});

createServer(yoga).listen(readPort(), '127.0.0.1');

// Exit normally on SIGTERM, so `node --cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
