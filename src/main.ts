// First: the service's V8 heap defaults, before any other module's code allocates.
import './heap-defaults.js';
import { createServer as createHttpServer } from 'node:http';
import { openKeyRing } from './auth/keys/open-key-ring.js';
import { createArgon2WorkerPool } from './auth/passwords/argon2-workers.js';
import { createArgon2PasswordHasher } from './auth/passwords/passwords.js';
import type { Store } from './auth/ports/store.js';
import { createOutboxSender, type OutboxSender } from './auth/recovery/deliver-outbox.js';
import { monotonicClock, systemClock } from './clock.js';
import { type Config, isConfigurationError, loadConfig } from './config.js';
import { openStore } from './db/open-store.js';
import { prepareGracefulShutdown } from './http/graceful-shutdown.js';
import { attachGraphQLWebSockets } from './http/graphql-ws.js';
import { type AuthMetrics, createAuthMetrics } from './http/metrics.js';
import { observeOutbox } from './http/outbox-metrics.js';
import { addProcessMetrics } from './http/process-gauges.js';
import { scheduleAuditRetention } from './jobs/audit-retention.js';
import { scheduleLinkAndOutboxRetention } from './jobs/link-and-outbox-retention.js';
import { scheduleRevocationRetention } from './jobs/revocation-retention.js';
import { createBatchedLineSink } from './log-lines.js';
import { createJsonLogger, type Logger } from './logger.js';
import { messageIdDomain, selectMailer } from './mail/select-mailer.js';
import type { SharedState } from './redis/open-shared-state.js';
import { openSecretBox } from './secrets/open-secret-box.js';
import { createServer, prepareLiveSessions } from './server.js';

// The only module with side effects: read the environment, open the store, listen.

// Log lines go to stdout in batches: one write per 20 ms, not per line (see log-lines.ts).
const stdoutLines = createBatchedLineSink(process.stdout);

/** The metrics registry with the process-wide collectors, which run once per process. */
function createProcessMetrics(): AuthMetrics {
  const metrics = createAuthMetrics();
  addProcessMetrics(metrics);
  return metrics;
}

/**
 * The outbox's sender on this instance: SMTP with SMTP_URL, otherwise (never in production) the
 * log. Every instance runs one; their leases keep them from sending a mail twice.
 */
function openMailDelivery(
  config: Config,
  store: Store,
  metrics: AuthMetrics | null,
  logger: Logger,
): { sender: OutboxSender; close(): Promise<void> } {
  const mailer = selectMailer(config.mail, logger);
  const sender = createOutboxSender({
    store,
    mailer,
    clock: systemClock,
    links: config.links,
    messageIdDomain: messageIdDomain(config.mail.from),
    maxAgeMs: config.mail.maxAge * 1000,
    sendTimeoutMs: config.mail.sendTimeoutMs,
    observer: observeOutbox(metrics, store.outbox, logger),
  });
  logger.info('mail', {
    transport: config.mail.smtpDescription ?? 'log (SMTP_URL is unset: links appear in the log)',
    from: config.mail.from,
    links: config.publicUrl,
  });
  return {
    sender,
    async close() {
      await sender.stop();
      await mailer.close();
    },
  };
}

/** The Redis adapters, imported here so that a start without REDIS_URL never loads ioredis. */
async function openRedisSharedState(
  redis: NonNullable<Config['redis']>,
  store: Store,
  logger: Logger,
): Promise<SharedState> {
  const { openSharedState } = await import('./redis/open-shared-state.js');
  return openSharedState(redis, store, { logger, clock: monotonicClock });
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createJsonLogger(stdoutLines.write, config.logLevel);
  const store = await openStore(config.database, logger);
  const keys = await openKeyRing(config, store.signingKeys, systemClock);
  // Before serving: a missing or unreadable key ring must stop the start, not a later login.
  const secrets = await openSecretBox(config.mfaKeys, logger);
  if (config.isProduction && !config.mfa.requiredRoles.includes('ADMIN')) {
    logger.warn('ADMIN accounts may work without a second factor', {
      fix: 'set MFA_REQUIRED_ROLES=ADMIN, so every ADMIN must enrol one before anything else',
    });
  }
  const { passkeys } = config.mfa;
  if (passkeys.omittedOrigins.length > 0) {
    logger.warn('passkeys will not work from some allowed origins', {
      rpId: passkeys.rpId,
      omittedOrigins: passkeys.omittedOrigins,
      fix:
        passkeys.suggestedRpId === null
          ? 'serve those apps under the RP ID, or set WEBAUTHN_RP_ID to a domain they share with AUTH_ISSUER'
          : `set WEBAUTHN_RP_ID=${passkeys.suggestedRpId}`,
    });
  }
  const signing = await keys.signingKey();
  if (signing.alg !== config.signingKeys.algorithm && config.signingKeys.supplied === null) {
    logger.warn('the active signing key uses another algorithm than configured', {
      active: signing.alg,
      configured: config.signingKeys.algorithm,
      fix: 'run `npm run keys:rotate` to switch to a key of the configured algorithm',
    });
  }
  // With REDIS_URL: shared rate limits, announced revocations and a session liveness cache.
  // ioredis is imported only then; a start without REDIS_URL never loads it.
  const shared =
    config.redis === null ? null : await openRedisSharedState(config.redis, store, logger);
  const argon2 = createArgon2WorkerPool();
  // The sessionEnded streams, made here so that SIGTERM can end them before the sockets close.
  const { store: announcingStore, live } = prepareLiveSessions({
    store: shared?.store ?? store,
    revocationChannel: shared?.channel,
    config,
    clock: systemClock,
    logger,
  });
  await live.start();
  const metrics = config.metrics.enabled ? createProcessMetrics() : null;
  // The outbox lives in the store, not in Redis: the sender reads and leases it there.
  const mail = openMailDelivery(config, store, metrics, logger);
  const yoga = createServer({
    config,
    store: announcingStore,
    revocationChannel: shared?.channel,
    live,
    rateLimits: shared?.rateLimits,
    liveness: shared?.liveness,
    sharedState:
      shared === null
        ? undefined
        : {
            isRevocationChannelHealthy: () => shared.channel.isHealthy(),
            cachedSessions: () => shared.cachedSessions(),
            fallbackRateLimitKeys: () => shared.fallbackRateLimitKeys(),
          },
    metrics: metrics ?? undefined,
    clock: systemClock,
    keys,
    secrets,
    passwords: createArgon2PasswordHasher(argon2),
    logger,
    // A request that queued mail wakes this instance's sender: sent within moments, not a poll.
    mailQueued: () => mail.sender.wake(),
  });

  const stopRetention = scheduleAuditRetention(
    store.auditEvents,
    systemClock,
    config.auditRetention,
    logger,
  );
  const stopOutboxRetention = scheduleLinkAndOutboxRetention(
    store,
    systemClock,
    config.auditRetention,
    logger,
  );

  const stopRevocationRetention = scheduleRevocationRetention(
    store.revocations,
    systemClock,
    config.lifetimes.accessTokenTtl,
    logger,
  );

  const server = createHttpServer(yoga);
  const webSockets = attachGraphQLWebSockets(server, yoga);
  const shutDown = prepareGracefulShutdown(server, config.shutdownTimeout * 1000);
  server.on('error', (error) => {
    // Most often EADDRINUSE or EACCES: say so in one line instead of an unhandled-event trace.
    logger.error('cannot listen', {
      port: config.port,
      host: config.host ?? null,
      error: error.message,
    });
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    // Mail queued before a restart (or a crash) goes out now.
    mail.sender.start();
    logger.info('listening', {
      url: `http://${config.host ?? 'localhost'}:${port}${yoga.graphqlEndpoint}`,
      database: config.database.description,
      graphiql: !config.isProduction,
    });
  });

  let stopping = false;
  function stop(signal: NodeJS.Signals): void {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    stopRetention();
    stopRevocationRetention();
    stopOutboxRetention();
    // The streams end first, each completing cleanly (SSE: a complete event; graphql-ws: a
    // Complete message, then close 1001). Then no new connections; in-flight requests finish
    // (up to SHUTDOWN_TIMEOUT); then Redis and the store.
    live.close();
    void webSockets
      .close()
      .then(() => shutDown())
      .then(async ({ forced }) => {
        // The round in progress settles its mails before the store closes.
        await mail.close();
        await shared?.close();
        await Promise.all([store.close(), argon2.close()]);
        logger.info('stopped', { forced });
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      });
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (isConfigurationError(error)) {
    process.stderr.write(`${error.message}\n`);
  } else {
    createJsonLogger(stdoutLines.write).error('start-up failed', error);
  }
  process.exit(1);
});
