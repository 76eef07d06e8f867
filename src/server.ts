import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { AuthDeps } from './auth/deps.js';
import { createAuditLogSink } from './auth/events/audit-log.js';
import { fanOutEvents } from './auth/events/fan-out.js';
import { createMemoryRateLimitStore } from './auth/limits/rate-limit.js';
import { createLiveSessions, type LiveSessions } from './auth/live/live-sessions.js';
import { systemTimers, type Timers } from './auth/live/timers.js';
import type { RateLimitStore } from './auth/ports/rate-limit-store.js';
import type { RevocationChannel } from './auth/ports/revocation-channel.js';
import { createAuthService } from './auth/service.js';
import { announceRevocations } from './auth/sessions/announce-revocations.js';
import { createLocalRevocationChannel } from './auth/sessions/local-revocation-channel.js';
import {
  readSessionLivenessFromStore,
  type SessionLiveness,
} from './auth/sessions/session-liveness.js';
import { IGNORE_TOKENS } from './auth/sessions/token-listener.js';
import { createVerifiedTokenCache } from './auth/tokens/verified-token-cache.js';
import type { Config } from './config.js';
import { resolveClientIp } from './http/client-ip.js';
import { useCodedAnswers } from './http/coded-answers.js';
import { GRAPHIQL_OPTIONS, renderLocalGraphiQL } from './http/graphiql.js';
import { graphqlHardening } from './http/graphql-hardening.js';
import { useReadiness } from './http/health.js';
import { addLiveGauges } from './http/live-gauges.js';
import {
  type AuthMetrics,
  addSharedStateGauges,
  createAuthMetrics,
  createMetricsEventSink,
  type SharedStateProbe,
  useMetrics,
} from './http/metrics.js';
import { corsForAllowedOrigins, useOriginAllowList } from './http/origins.js';
import { useAccountApp } from './http/pages/account-app.js';
import { useAccountPages } from './http/pages/account-pages.js';
import { addInProcessStateGauges } from './http/process-gauges.js';
import { createRefreshTokenCookie } from './http/refresh-cookie.js';
import { useRequestBodyLimit } from './http/request-limits.js';
import { useRequestLog } from './http/request-log.js';
import { useRevocationFeed } from './http/revocation-feed.js';
import { useSubscriptionRefusals } from './http/subscription-refusals.js';
import { createWellKnownPlugin } from './http/well-known.js';
import type { Logger } from './logger.js';
import { createGraphQLContext, type GraphQLContext } from './schema/context.js';
import { schema } from './schema/index.js';

export interface ServerDeps
  extends Omit<AuthDeps, 'settings' | 'rateLimits' | 'liveness' | 'events'> {
  readonly config: Config;
  readonly logger: Logger;
  /** Rate-limit counters; in-process by default. */
  readonly rateLimits?: RateLimitStore;
  /** Session liveness; by default the store is read on every request. */
  readonly liveness?: SessionLiveness;
  /** With Redis: the state `/metrics` reports as gauges. */
  readonly sharedState?: SharedStateProbe;
  /**
   * The registry `/metrics` serves when metrics are on; a new one by default. `main.ts` passes
   * one with the process-wide collectors added.
   */
  readonly metrics?: AuthMetrics;
  /**
   * With Redis: the channel the store's revocations are announced on (`store` is then already
   * the announcing one). Without, the server announces on a channel of its own process.
   */
  readonly revocationChannel?: RevocationChannel;
  /**
   * The open `sessionEnded` streams and the tail that ends them; made and started here when not
   * given. `main.ts` makes them itself, to end the streams at SIGTERM.
   */
  readonly live?: LiveSessions;
  /** The timers of stream expiry and the feed's heartbeat; Node's by default. */
  readonly timers?: Timers;
}

/**
 * Present when yoga runs inside node:http (the IncomingMessage); absent for in-process
 * `yoga.fetch` calls, which may pass a stand-in socket address.
 */
export interface ServerContext {
  readonly req?: { readonly socket: { readonly remoteAddress?: string | undefined } };
}

export type AuthServer = YogaServerInstance<ServerContext, GraphQLContext>;

const GRAPHQL_PATH = '/graphql';
export const GRAPHQL_STREAM_PATH = '/graphql/stream';

/** The rate-limit store to use, and how many keys it holds in this process's memory. */
function selectRateLimits(deps: ServerDeps): { store: RateLimitStore; keysInMemory(): number } {
  const { rateLimits, sharedState } = deps;
  if (rateLimits === undefined) {
    const memory = createMemoryRateLimitStore();
    return { store: memory, keysInMemory: () => memory.size };
  }
  // A store given without Redis's probe keeps its keys elsewhere, as far as this server knows.
  return { store: rateLimits, keysInMemory: () => sharedState?.fallbackRateLimitKeys() ?? 0 };
}

/**
 * The store whose revocations are announced, the channel they are announced on, and the live
 * sessions following them: a server without Redis announces in its own process.
 */
export function prepareLiveSessions(
  deps: Pick<ServerDeps, 'store' | 'revocationChannel' | 'config' | 'clock' | 'logger'> & {
    readonly timers?: Timers | undefined;
  },
): { store: ServerDeps['store']; live: LiveSessions } {
  const { revocationChannel } = deps;
  const channel = revocationChannel ?? createLocalRevocationChannel();
  const store =
    revocationChannel === undefined ? announceRevocations(deps.store, channel) : deps.store;
  const live = createLiveSessions({
    store,
    channel,
    clock: deps.clock,
    timers: deps.timers ?? systemTimers,
    limits: deps.config.live.streamLimits,
    accessTokenTtl: deps.config.lifetimes.accessTokenTtl,
    onReadError: (error) => deps.logger.warn('cannot read the revocation records', { error }),
  });
  return { store, live };
}

/** Builds the GraphQL server. It does not listen: `main.ts` does, tests call `fetch` directly. */
export function createServer(serverDeps: ServerDeps): AuthServer {
  const { config, logger } = serverDeps;
  let deps = serverDeps;
  let live = serverDeps.live;
  if (live === undefined) {
    const prepared = prepareLiveSessions(serverDeps);
    deps = { ...serverDeps, store: prepared.store };
    live = prepared.live;
    void live.start();
  }
  const metrics = config.metrics.enabled ? (deps.metrics ?? createAuthMetrics()) : null;
  // Per instance: two servers in one process share no cached verification and no counters.
  const verifiedTokens =
    config.accessTokenCacheSize > 0 ? createVerifiedTokenCache(config.accessTokenCacheSize) : null;
  const rateLimits = selectRateLimits(deps);
  // The built-in account pages call the API from PUBLIC_URL's origin: always allowed.
  const allowedOrigins =
    config.allowedOrigins.length === 0
      ? []
      : [...new Set([...config.allowedOrigins, new URL(config.publicUrl).origin])];
  if (metrics !== null) {
    const { sharedState } = deps;
    if (sharedState !== undefined) addSharedStateGauges(metrics, sharedState);
    addInProcessStateGauges(metrics, {
      verifiedTokens: () => verifiedTokens?.size ?? 0,
      rateLimitKeys: rateLimits.keysInMemory,
      keyRingKeys: () => deps.keys.size,
    });
    const { streams, feed } = live;
    addLiveGauges(metrics, { openStreams: () => streams.size, feedConnections: () => feed.size });
  }
  const serveCaller = createAuthService(
    {
      ...deps,
      rateLimits: rateLimits.store,
      liveness: deps.liveness ?? readSessionLivenessFromStore(deps.store.sessions),
      events: fanOutEvents([
        createAuditLogSink(deps.store.auditEvents),
        ...(metrics ? [createMetricsEventSink(metrics)] : []),
      ]),
      settings: {
        issuer: config.issuer,
        audience: config.audience,
        lifetimes: config.lifetimes,
        adminEmails: config.adminEmails,
        rateLimits: config.rateLimits,
        requireEmailVerification: config.requireEmailVerification,
        links: config.links,
        mfa: config.mfa,
      },
    },
    { verifiedTokens, sessionEndedStreams: live.streams },
  );
  const cookie = config.refreshTokenCookie
    ? createRefreshTokenCookie({ clock: deps.clock, path: GRAPHQL_PATH })
    : null;
  // Bearer tokens only: no request keeps a token server-side, so one service serves them all.
  const bearerAuth = serveCaller(IGNORE_TOKENS);

  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    logging: logger,
    // Unexpected errors become "Unexpected error."; details only in development.
    maskedErrors: { isDev: config.isDevelopment },
    graphiql: config.isProduction ? false : GRAPHIQL_OPTIONS,
    renderGraphiQL: renderLocalGraphiQL,
    cors: corsForAllowedOrigins(allowedOrigins),
    // One operation per request; GET runs queries only (yoga refuses mutations over GET).
    batching: false,
    // No file uploads here: a multipart body is refused as an unsupported media type (415)
    // instead of being parsed for the multipart request spec, whose errors carry no code.
    multipart: false,
    plugins: [
      useRequestLog(logger),
      useReadiness(deps.store, logger),
      metrics !== null && useMetrics(config.metrics, metrics),
      createWellKnownPlugin({ keys: deps.keys, issuer: config.issuer, logger }),
      useRevocationFeed(config.live.revocationFeedToken, live.feed),
      useAccountPages(),
      useAccountApp({ cookieMode: config.refreshTokenCookie }),
      useRequestBodyLimit(config.maxRequestBytes),
      // The graphql-sse protocol on /graphql/stream (yoga's own SSE, distinct connections, is on
      // /graphql): the same context, so the same Authorization header and scopes.
      useGraphQLSSE({ endpoint: GRAPHQL_STREAM_PATH }),
      useSubscriptionRefusals(),
      ...graphqlHardening({ isProduction: config.isProduction }),
      allowedOrigins.length > 0 && useOriginAllowList(allowedOrigins),
      cookie?.plugin ?? false,
      // Last: it looks at what the plugins before it (and yoga's own) decided.
      useCodedAnswers({ isDevelopment: config.isDevelopment }),
    ],
    context: ({ request, req }) =>
      createGraphQLContext(
        // In cookie mode the request's grants and session endings decide its Set-Cookie.
        cookie === null ? bearerAuth : serveCaller(cookie.listenTo(request)),
        {
          ip: resolveClientIp(
            req?.socket.remoteAddress ?? null,
            request.headers.get('x-forwarded-for'),
            config.trustedProxyHops,
          ),
          userAgent: request.headers.get('user-agent'),
        },
        request.headers.get('authorization'),
      ),
  });
}
