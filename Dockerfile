# The service image: build with the full Node image (native modules compile there), run on the
# slim one as an unprivileged user.
#
#   docker build -t battery-keys .
#   docker run -p 3000:3000 -v battery-keys-data:/data battery-keys                  # embedded store
#   docker run -e EVENT_STORE=eventstoredb -e EVENTSTORE_CONNECTION_STRING='esdb://host:2113?tls=false' ...
#
# Node 20.19 or later (jose 6 is loaded through require(esm)): the node:20 tags are 20.19+ today.
#
# NOT YET PINNED. The base images below are named by tag only: the machine this file was last
# edited on could not reach a registry, and a digest is never written down from memory or
# invented. A tag moves (node:20-bookworm is rebuilt for every Node and Debian patch), so two
# builds of the same commit can differ. Pinning is a required step of CI or of the release
# job, on a machine that can reach Docker Hub, before an image is published:
#
#   1. Look up the digest of each base image's multi-platform index (either tool; same answer):
#        docker buildx imagetools inspect node:20-bookworm --format '{{json .Manifest.Digest}}'
#        docker buildx imagetools inspect node:20-bookworm-slim --format '{{json .Manifest.Digest}}'
#      or
#        crane digest node:20-bookworm
#        crane digest node:20-bookworm-slim
#   2. Write it after the tag (keep the tag, so readers see the version):
#        FROM node:20-bookworm@sha256:<digest of step 1> AS build
#        FROM node:20-bookworm-slim@sha256:<digest of step 1> AS runtime
#   3. Commit the change; from then on a digest moves only by such a commit (e.g. Dependabot or
#      Renovate, both of which update digest-pinned FROM lines), never by a rebuild upstream.

FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# The web console (served at /console/), built by npm run build into console/dist.
COPY console ./console
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# Same Debian release and Node ABI as the build stage, so the compiled native modules
# (better-sqlite3, pkcs11js) run unchanged.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    EVENT_STORE=embedded
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/console/dist ./console/dist
# DATA_DIR holds the embedded event store, the read model and the local keys.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Probes (public, never rate-limited):
#   /health/live   the process answers; never asks the store. Use it for LIVENESS (Kubernetes
#                  livenessProbe and startupProbe, Docker/Swarm HEALTHCHECK): failing, restart it.
#   /health/ready  store reachable, read model caught up (READINESS_MAX_LAG_*), projection not
#                  stalled, signing key delegated now. Use it for READINESS (Kubernetes
#                  readinessProbe, load-balancer health checks): failing, send it no traffic.
# Never restart on /health/ready: an instance catching up on a large store, or waiting out a store
# outage, would be killed before it could recover. So the image's own HEALTHCHECK (which Swarm acts
# on by restarting) is the liveness probe; docker-compose.yml checks readiness for depends_on.
# The slim image has no curl; Node has fetch.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
