# syntax=docker/dockerfile:1
# Multi-stage image for the auth service. NOT exercised by CI here (no Docker daemon in this CI);
# see "Docker" in README.md.

# --- build: install everything, compile TypeScript, then drop the development dependencies ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and @node-rs/argon2 ship prebuilt binaries; the toolchain is the fallback when
# none matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-dist.mjs ./scripts/
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled output, production dependencies, migrations; no compiler, no npm run ---
# Production needs SMTP_URL (and MAIL_FROM) at `docker run`: without them the service refuses to
# start, since the log, the mail transport outside production, would hold every link. It also
# needs MFA_ENCRYPTION_KEYS, or MFA_ENCRYPTION_KEYS_FILE naming a mounted secret: the key ring
# that encrypts TOTP secrets, never baked into the image (a copy of the database must not be
# enough to read them).
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SHUTDOWN_TIMEOUT=8s \
    PORT=4000 \
    DATABASE_URL=file:/data/auth.db
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
# The SQLite database (users, sessions, signing keys, audit log) lives on this volume, owned by
# the unprivileged user the service runs as.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (exec form), which stops gracefully within SHUTDOWN_TIMEOUT.
CMD ["node", "--enable-source-maps", "dist/main.js"]
