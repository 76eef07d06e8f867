// The schema shape every GraphQL subject serves: the service's `User` and `me`, without auth.

export const PEER_TYPE_DEFS = /* GraphQL */ `
  scalar DateTime
  enum Role {
    USER
    ADMIN
  }
  type User {
    id: ID!
    email: String!
    name: String
    roles: [Role!]!
    createdAt: DateTime!
  }
  type Query {
    me: User!
    users: [User!]!
  }
`;

/** Reads the port to listen on; the harness always passes one. */
export function readPort() {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be set');
  return port;
}
