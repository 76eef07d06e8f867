import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Viewer } from '../auth/sessions/viewer.js';
import type { AuthenticationFailure } from '../errors.js';
import type { Result } from '../result.js';
import type { GraphQLContext } from '../schema/context.js';
import { authenticationError } from '../schema/errors.js';
import type { AuthServer } from '../server.js';

/** The close code at ConnectionInit when the token is refused (UNAUTHENTICATED); the reason says why. */
export const CLOSE_UNAUTHENTICATED = 4401;
/**
 * The close code at ConnectionInit for a restricted session (FORBIDDEN: every subscription
 * needs a full one); the reason is the restriction, such as EMAIL_NOT_VERIFIED.
 */
export const CLOSE_FORBIDDEN = 4403;
/** Close code at shutdown: the server is going away (RFC 6455). */
const CLOSE_GOING_AWAY = 1001;

/** graphql-ws over WebSocket on the server's own port. */
export interface GraphQLWebSockets {
  /** Open WebSocket connections. */
  readonly size: number;
  /** Closes every connection (1001) and stops accepting new ones. */
  close(): Promise<void>;
}

/** ConnectionInit carries no operation. */
const NO_OPERATION: SubscribePayload = { query: '' };

/** What graphql-ws hands back to our two hooks: the enveloped execution. */
interface EnvelopedRoot {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

/**
 * Serves graphql-ws (the `graphql-transport-ws` subprotocol) on `path` of `server`, executing
 * with `yoga`'s schema, plugins and context. The access token travels as
 * `connectionParams.authorization` (`Bearer <token>`, as the header would), and is checked at
 * ConnectionInit (refused: close 4401 with the reason, or 4403 with the restriction of a
 * restricted session) and again at every subscribe (refused:
 * an error message for that subscription), so a token that expired or whose session ended
 * meanwhile opens nothing more. graphql-ws pings every `keepAliveMs` to keep proxies from
 * cutting an idle socket.
 */
export function attachGraphQLWebSockets(
  server: Server,
  yoga: AuthServer,
  options: { readonly keepAliveMs?: number } = {},
): GraphQLWebSockets {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });

  /** The context yoga would build for an HTTP request carrying this socket's token. */
  function envelopedFor(
    upgrade: IncomingMessage,
    authorization: string | null,
    params: SubscribePayload = NO_OPERATION,
  ) {
    const headers = new Headers();
    if (authorization !== null) headers.set('authorization', authorization);
    for (const name of ['user-agent', 'x-forwarded-for']) {
      const value = upgrade.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const request = new Request(`http://localhost${yoga.graphqlEndpoint}`, { headers });
    // `params`, as yoga's own requests have them: plugins (the request log) read the operation.
    return yoga.getEnveloped({ request, req: upgrade, params });
  }

  async function authenticate(
    upgrade: IncomingMessage,
    authorization: string | null,
  ): Promise<Result<Viewer, AuthenticationFailure>> {
    const context = (await envelopedFor(upgrade, authorization).contextFactory()) as GraphQLContext;
    return context.auth.authenticateAccessToken(authorization);
  }

  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      async onConnect(ctx) {
        const viewer = await authenticate(ctx.extra.request, authorizationOf(ctx.connectionParams));
        if (!viewer.ok) {
          // Our own code, not graphql-ws's 4403, so the client can tell "log in or reissue".
          ctx.extra.socket.close(CLOSE_UNAUTHENTICATED, viewer.failure);
          return false;
        }
        const [restriction] = viewer.value.restrictions;
        if (restriction === undefined) return true;
        // Not a logout: the client finishes signing in (verifies its address), then reconnects.
        ctx.extra.socket.close(CLOSE_FORBIDDEN, restriction);
        return false;
      },
      async onSubscribe(ctx, _id, payload) {
        const authorization = authorizationOf(ctx.connectionParams);
        const viewer = await authenticate(ctx.extra.request, authorization);
        if (!viewer.ok) return [authenticationError(viewer.failure)];
        const enveloped = envelopedFor(ctx.extra.request, authorization, payload);
        const document = enveloped.parse(payload.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        return {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
    },
    sockets,
    options.keepAliveMs,
  );

  let closing: Promise<void> | null = null;
  return {
    get size() {
      return sockets.clients.size;
    },
    close() {
      closing ??= (async () => {
        // Streams ended just before (live.close()) send their Complete first, then the close.
        await new Promise((resolve) => setImmediate(resolve));
        for (const socket of sockets.clients) socket.close(CLOSE_GOING_AWAY, 'server stopping');
        await disposable.dispose();
        await new Promise<void>((resolve) => sockets.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** `connectionParams.authorization` when it is a string: the same value as the header. */
function authorizationOf(params: Record<string, unknown> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : null;
}
