# coexist-advisor: the Slack and Teams server as a container.
#
#   docker build -t coexist-advisor .
#   docker run --env-file .env -e DATA_DIR=/data -p 3978:3978 -v advisor-data:/data coexist-advisor
# (-e DATA_DIR=/data after --env-file: the .env.example line DATA_DIR= would otherwise override the image's /data.)
#
# Three stages: build compiles TypeScript to dist/ with every dependency; deps installs the production dependencies
# only; the runtime image holds dist/, those node_modules and package.json, runs as the unprivileged `node` user with
# node itself as PID 1 (it handles SIGTERM: finishes requests in flight, writes what is queued, exits), keeps the
# embedded store in the /data volume, and checks itself through the management port from inside the container.
# test-e2e/container-steps.sh replays these steps without a container engine (CI); keep the two in step.
#
# NODE_IMAGE: any Debian-based Node image of a current LTS (Node 24 here; the app needs Node 20.19 or later).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; the build is the next step.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY adapters ./adapters
RUN node bin/build.js

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3978 \
    MANAGEMENT_PORT=3979 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# The public port (Slack's /slack/events, Teams' /api/messages). MANAGEMENT_PORT (/healthz, /readyz, /metrics) is
# on 127.0.0.1 inside the container unless MANAGEMENT_HOST=0.0.0.0; publish it only on a private network.
EXPOSE 3978
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MANAGEMENT_PORT || 3979) + '/healthz', { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/adapters/host/main.js"]
